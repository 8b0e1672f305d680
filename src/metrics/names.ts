/** Every metric name and HELP text: the single source for rendering, docs, dashboard and rule tests. */
import { SCAN_STATUS_NAMES } from "../avepoint/types.js";

const statusList = Object.entries(SCAN_STATUS_NAMES)
  .map(([code, name]) => `${code}=${name}`)
  .join(", ");

export const METRICS = {
  profileInfo: {
    name: "avepoint_scan_profile_info",
    help: "Scan profile metadata; always 1. Join on customer_id and profile_id for names.",
  },
  profileStatus: {
    name: "avepoint_scan_profile_last_scan_status",
    help: `Status code of the profile's last scan job (${statusList}; any other code is unknown; -1 is a status name this version does not know).`,
  },
  profileState: {
    name: "avepoint_scan_profile_last_scan_state",
    help: "Always 1; the state label names the last scan job's status (snake_case, unknown for new codes).",
  },
  profileNew: {
    name: "avepoint_scan_profile_new_registered_objects",
    help: "Objects newly registered in the profile's latest daily report.",
  },
  profileMoved: {
    name: "avepoint_scan_profile_moved_objects",
    help: "Objects moved to another container in the profile's latest daily report.",
  },
  profileRemoved: {
    name: "avepoint_scan_profile_removed_objects",
    help: "Objects removed from Microsoft 365 or out of policy in the profile's latest daily report.",
  },
  profileDailyReport: {
    name: "avepoint_scan_profile_daily_report_timestamp_seconds",
    help: "When the profile's latest daily report was generated (lastUpdateTime), Unix seconds.",
  },
  profileModified: {
    name: "avepoint_scan_profile_modified_timestamp_seconds",
    help: "When the scan profile was last modified, Unix seconds.",
  },
  customerInfo: {
    name: "avepoint_customer_info",
    help: "Customer metadata; always 1. Join on customer_id for the name.",
  },
  customerJobStatus: {
    name: "avepoint_customer_job_status",
    help: "Tenant job status code (0=N/A, 1=Working, 2=Failed, 3=Waiting for configuration, 4=Multiple issues found, 5=Finished with exception, 6=No backup updates).",
  },
  customerProfiles: {
    name: "avepoint_customer_scan_profiles",
    help: "Number of scan profiles of the customer.",
  },
  customerSuccess: {
    name: "avepoint_customer_collect_success",
    help: "1 if this customer's data comes from the latest collection; 0 if that failed and the values shown are the last known.",
  },
  customerLastSuccess: {
    name: "avepoint_customer_last_success_timestamp_seconds",
    help: "When this customer was last collected completely, Unix seconds.",
  },
  customerErrors: {
    name: "avepoint_customer_collect_errors_total",
    help: "Failed customer collections by reason (throttled, timeout, auth, forbidden, not_found, http_4xx, http_5xx, parse, network).",
  },
  up: {
    name: "avepoint_up",
    help: "1 if the last collection could authenticate and list customers, else 0.",
  },
  collectDuration: {
    name: "avepoint_collect_duration_seconds",
    help: "Wall time of the collection that produced the served data.",
  },
  lastCollect: {
    name: "avepoint_last_collect_timestamp_seconds",
    help: "When the served data was collected, Unix seconds. Scrapes within --collect.min-interval of it are served from it without asking AvePoint again.",
  },
  apiRequests: {
    name: "avepoint_api_requests_total",
    help: "Requests to AvePoint by endpoint template and HTTP status code (error when no response).",
  },
  apiDuration: {
    name: "avepoint_api_request_duration_seconds",
    help: "Latency of requests to AvePoint by endpoint template.",
  },
  apiRetries: {
    name: "avepoint_api_retries_total",
    help: "Requests to AvePoint retried, by endpoint template and reason (429, 5xx, timeout, network, 401).",
  },
  apiThrottleWait: {
    name: "avepoint_api_throttle_wait_seconds_total",
    help: "Time spent waiting on 429 Retry-After pauses and the client-side rate limiter.",
  },
  apiParseErrors: {
    name: "avepoint_api_parse_errors_total",
    help: "AvePoint answers that could not be read as the flavor's schema, by endpoint template.",
  },
  tokenRequests: {
    name: "avepoint_token_requests_total",
    help: "Access token requests to the identity service by result (success, failure).",
  },
  buildInfo: {
    name: "avepoint_exporter_build_info",
    help: "Build information of the exporter; always 1.",
  },
} as const;

export type MetricKey = keyof typeof METRICS;
