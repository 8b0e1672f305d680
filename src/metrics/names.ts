/** Every metric name and HELP text: the single source for rendering, dashboard and rule tests. */
/*
 * HELP says what a series is in one or two short sentences; the longer explanations (every code and
 * reason, how the values relate) are in docs/metrics.md.
 */

export const METRICS = {
  profileInfo: {
    name: "avepoint_scan_profile_info",
    help: "Scan profile metadata; always 1. Join on customer_id and profile_id for names.",
  },
  profileStatus: {
    name: "avepoint_scan_profile_last_scan_status",
    help: "Status code of the profile's last scan job (2 finished, 3 failed, 4 finished with exception; all codes in docs/metrics.md); -1 for a status name this version does not know.",
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
    help: "Tenant job status code (0 N/A, 1 working, 2 failed, 3 waiting for configuration, 4 multiple issues, 5 finished with exception, 6 no backup updates).",
  },
  customerProfiles: {
    name: "avepoint_customer_scan_profiles",
    help: "Number of scan profiles of the customer.",
  },
  customerSuccess: {
    name: "avepoint_customer_collect_success",
    help: "1 if this customer's latest collection attempt succeeded, 0 if it failed (its values are then the last known, kept up to --collect.max-stale).",
  },
  customerLastSuccess: {
    name: "avepoint_customer_last_success_timestamp_seconds",
    help: "When this customer was last collected completely, Unix seconds: the age of its data.",
  },
  customerErrors: {
    name: "avepoint_customer_collect_errors_total",
    help: "Failed collections of this customer by reason (reasons in docs/metrics.md); series appear on the first failure and go with the customer.",
  },
  up: {
    name: "avepoint_up",
    help: "1 if the latest listing of customers could authenticate and read every page, else 0; absent before the first listing ended.",
  },
  collectDuration: {
    name: "avepoint_collect_duration_seconds",
    help: "Wall time of the last complete collection round (every selected customer attempted), seconds.",
  },
  lastCollect: {
    name: "avepoint_last_collect_timestamp_seconds",
    help: "When the served data was last updated (the latest customer result), Unix seconds; served data may be up to one round old.",
  },
  roundRunning: {
    name: "avepoint_collect_round_running",
    help: "1 while a collection round runs (a round outlives the scrape that started it), else 0.",
  },
  roundCustomers: {
    name: "avepoint_collect_round_customers",
    help: "Customers selected in the running round so far (in the last round when none runs).",
  },
  roundCustomersDone: {
    name: "avepoint_collect_round_customers_done",
    help: "Customers attempted (collected or failed) in the running round, or in the last round when none runs.",
  },
  roundCustomersFailed: {
    name: "avepoint_collect_round_customers_failed",
    help: "Customers whose attempt failed in the running round (the last round until a new one starts), by reason; most failing for one reason is an outage.",
  },
  circuitOpen: {
    name: "avepoint_collect_circuit_open",
    help: "1 while rounds stop early because consecutive customers failed for one upstream-wide reason (AvePoint failing for everyone); 0 once a customer is collected.",
  },
  roundLastEnd: {
    name: "avepoint_collect_round_last_end_timestamp_seconds",
    help: "When the last complete collection round ended, Unix seconds. Served data may be up to one round old.",
  },
  roundsTotal: {
    name: "avepoint_collect_rounds_total",
    help: "Collection rounds ended, by result: complete, cut (by --collect.max-round-duration), halted (circuit breaker) or listing_failed.",
  },
  collectErrors: {
    name: "avepoint_collect_errors_total",
    help: "Failed customer collections of the whole fleet by reason (reasons in docs/metrics.md); every reason from 0.",
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
    help: "Requests to AvePoint sent again, by endpoint template and reason (429, 5xx, timeout, network, 401).",
  },
  apiThrottled: {
    name: "avepoint_api_throttled_requests_total",
    help: "Requests AvePoint refused with 429 (or 503 with Retry-After), by endpoint template; each is sent again after the pause.",
  },
  apiThrottledSeconds: {
    name: "avepoint_api_throttled_seconds_total",
    help: "Wall-clock seconds during which a Retry-After from AvePoint paused every request (overlapping pauses counted once).",
  },
  apiPacingSeconds: {
    name: "avepoint_api_pacing_seconds_total",
    help: "Wall-clock seconds requests waited for the exporter's own rate limit; normal while a round is rate-bound, not throttling.",
  },
  apiRate: {
    name: "avepoint_api_rate_limit_requests_per_second",
    help: "The request rate the exporter allows itself now: found below the ceiling, lowered on 429, raised slowly while nothing is refused.",
  },
  apiRateCeiling: {
    name: "avepoint_api_rate_limit_ceiling_requests_per_second",
    help: "The configured ceiling of the request rate (--avepoint.rate-limit).",
  },
  apiParseErrors: {
    name: "avepoint_api_parse_errors_total",
    help: "AvePoint answers or rows not used, by endpoint template and reason (body, record, duplicate, unsafe_link, paging, too_large; see docs/metrics.md).",
  },
  apiReportReadBytes: {
    name: "avepoint_api_report_read_bytes_total",
    help: "Decoded bytes of daily reports (v3-batch /changes) read as a stream, by endpoint template; cut answers count what was read.",
  },
  apiReportSkippedBytes: {
    name: "avepoint_api_report_skipped_bytes_total",
    help: "Of the bytes read from daily reports, those skipped without being kept (object lists, nested values, JSON syntax), by endpoint template.",
  },
  tokenRequests: {
    name: "avepoint_token_requests_total",
    help: "Access token requests to the identity service by result (success, failure).",
  },
  stateLastSave: {
    name: "avepoint_state_last_save_timestamp_seconds",
    help: "When the kept state (--storage.path) was last saved successfully, Unix seconds; 0 before the first.",
  },
  stateSaveDuration: {
    name: "avepoint_state_save_duration_seconds",
    help: "Wall time of the last successful save of the kept state.",
  },
  stateSize: {
    name: "avepoint_state_size_bytes",
    help: "Size of the kept state file at its last successful save.",
  },
  stateSaveFailures: {
    name: "avepoint_state_save_failures_total",
    help: "Saves of the kept state that failed, by reason (no_space, read_only, permission, io); the exporter keeps serving and tries again.",
  },
  stateRestoredCustomers: {
    name: "avepoint_state_restored_customers",
    help: "Customers restored from the kept state at start (those the current selection and shard collect).",
  },
  stateRestoreResult: {
    name: "avepoint_state_restore_result",
    help: "What the restore at start did: 1 for its result (restored, missing, disabled, or why the state was set aside; see docs/metrics.md), 0 for the others.",
  },
  buildInfo: {
    name: "avepoint_exporter_build_info",
    help: "Build information of the exporter (version, revision, build date, Node.js version); always 1.",
  },
  configReloadSuccess: {
    name: "avepoint_exporter_config_last_reload_successful",
    help: "1 if the last reload of --config.file and --web.config.file was applied, 0 if it was refused and the running configuration stayed.",
  },
  configReloadTimestamp: {
    name: "avepoint_exporter_config_last_reload_success_timestamp_seconds",
    help: "When the configuration was last loaded successfully (at start or by a reload), as Unix seconds.",
  },
} as const;

export type MetricKey = keyof typeof METRICS;
