/**
 * The "AvePoint fleet" dashboard as code: metric names come from src/metrics/names.ts and the
 * removed-objects panel runs the AvePointRemovedObjectsSurge expression of
 * prometheus/rules/avepoint-alerts.yml, so neither can drift. test/ops/dashboard.test.ts writes it
 * to grafana/dashboards/avepoint-fleet.json (`npm run dashboard`) and fails when that file is stale.
 */
import { datasourceVariable, importHeader, layout, type RowSpec } from "./grafana.js";
import {
  alertExpr,
  c,
  FAILED,
  n,
  p,
  stat,
  SURGE_ALERT,
  table,
  timeseries,
  topCustomers,
  topCustomersBySum,
  withCustomerName,
  withProfileNames,
} from "./panels.js";
import { customerVariable, profileVariable } from "./variables.js";

const GREEN = { color: "green", value: null } as const;
const GREEN_FROM_1 = { color: "green", value: 1 } as const;
/** The default --collect.max-round-duration: data older than a round is late. */
const ROUND_BOUND_SECONDS = 15 * 60;
/** AvePointCustomerDataStale's bound. */
const STALE_SECONDS = 3600;
/** AvePointDailyReportStale's bound. */
const REPORT_STALE_SECONDS = 26 * 3600;

/** @param rulesFile prometheus/rules/avepoint-alerts.yml, for the alert the removed-objects panel shows. */
const rows = (rulesFile: string): RowSpec[] => [
  {
    row: "Scan status (customer and profile filters)",
    panels: [
      stat(
        "Profiles by last scan state",
        "Selected profiles by the state of their last scan.",
        `count by (state) (${p(n.profileState)} == 1)`,
        {
          w: 16,
          h: 6,
          options: { colorMode: "value", graphMode: "none", reduceOptions: { calcs: ["lastNotNull"] } },
          // Neutral, but for the states that alert (red: critical, orange: warning) and the healthy one.
          steps: [{ color: "text", value: null }],
          colors: {
            failed: "red",
            error_start: "red",
            finished_with_exception: "orange",
            finished: "green",
          },
        },
        "{{state}}",
      ),
      stat(
        "Failed scans",
        "Selected profiles whose last scan failed or failed to start (AvePointScanFailed).",
        `count(${p(n.profileState, FAILED)} == 1) or vector(0)`,
        // One is already a critical alert.
        { h: 6, steps: [GREEN, { color: "red", value: 1 }] },
      ),
      stat(
        "Customers failing collection",
        "Selected customers whose latest collection attempt failed (AvePointCustomerCollectFailing).",
        `count(${c(n.customerSuccess)} == 0) or vector(0)`,
        // A warning alert once it lasts; most fleets see one now and then.
        { h: 6, steps: [GREEN, { color: "orange", value: 1 }] },
      ),
      table(
        "Failed scans and scans with exceptions",
        "Selected profiles whose last scan failed, failed to start or finished with exceptions.",
        withProfileNames(
          `(${p(n.profileState, 'state=~"failed|error_start|finished_with_exception"')} == 1)`,
          "customer_name, profile_name, tenant_domain",
        ),
        24,
        9,
      ),
      timeseries(
        "Profiles by last scan state over time",
        "Selected profiles by the state of their last scan.",
        [{ expr: `count by (state) (${p(n.profileState)} == 1)`, legendFormat: "{{state}}" }],
        12,
      ),
      {
        ...topCustomers(
          "Customers with most failed profiles",
          "Selected customers by the number of selected profiles whose last scan failed or failed to start.",
          `topk(10, ${withCustomerName(`count by (customer_id) (${p(n.profileState, FAILED)} == 1)`)})`,
        ),
        w: 12,
        h: 8,
      },
    ],
  },
  {
    row: "Daily changes (customer and profile filters)",
    panels: [
      timeseries(
        "Daily report counts",
        "Sum over the selected profiles of the counts in their latest daily report; each steps once a day.",
        [
          { expr: `sum(${p(n.profileNew)})`, legendFormat: "new registered" },
          { expr: `sum(${p(n.profileMoved)})`, legendFormat: "moved" },
          { expr: `sum(${p(n.profileRemoved)})`, legendFormat: "removed / out of policy" },
        ],
        12,
      ),
      timeseries(
        "Removed or out-of-policy objects per profile (top 10)",
        "The selected profiles with the most objects removed from Microsoft 365 or out of policy in their latest daily report.",
        [
          {
            expr: `topk(10, ${withProfileNames(p(n.profileRemoved))})`,
            legendFormat: "{{customer_name}} / {{profile_name}}",
          },
        ],
        12,
      ),
      {
        ...table(
          "Sudden rises in removed objects (AvePointRemovedObjectsSurge)",
          "Selected profiles whose latest daily report counts at least 100 removed or out-of-policy objects and more than twice the highest daily count of the week before: the alert's own expression (RUNBOOK.md).",
          alertExpr(rulesFile, SURGE_ALERT, [n.profileRemoved, n.profileInfo]),
          24,
          6,
        ),
      },
      topCustomersBySum("Top customers by removed / out-of-policy objects", n.profileRemoved),
      topCustomersBySum("Top customers by new objects", n.profileNew),
      topCustomersBySum("Top customers by moved objects", n.profileMoved),
    ],
  },
  {
    row: "Daily report staleness (customer and profile filters)",
    panels: [
      stat(
        "Profiles without a report for 26h",
        "Selected profiles whose latest daily report is more than 26 hours old.",
        `count(time() - ${p(n.profileDailyReport)} > 26 * 3600) or vector(0)`,
        // Each is an AvePointDailyReportStale warning.
        { h: 8, steps: [GREEN, { color: "orange", value: 1 }] },
      ),
      {
        ...table(
          "Oldest daily reports",
          "The selected profiles with the oldest daily reports: the age of each.",
          `topk(20, ${withProfileNames(`(time() - ${p(n.profileDailyReport)})`)})`,
          10,
        ),
        unit: "s",
      },
      {
        ...topCustomers(
          "Oldest daily report per customer",
          "Selected customers by the age of the oldest daily report among their selected profiles.",
          `topk(15, ${withCustomerName(`max by (customer_id) (time() - ${p(n.profileDailyReport)})`)})`,
          // Reports come daily; AvePointDailyReportStale warns after 26 hours.
          { unit: "s", steps: [GREEN, { color: "orange", value: REPORT_STALE_SECONDS }] },
        ),
        w: 10,
        h: 8,
      },
    ],
  },
  {
    row: "Collection of customers (customer filter)",
    panels: [
      stat(
        "Customers with data older than 1h",
        "Selected customers last collected completely more than an hour ago (AvePointCustomerDataStale).",
        `count(time() - ${c(n.customerLastSuccess)} > 3600) or vector(0)`,
        // Each is an AvePointCustomerDataStale warning.
        { h: 8, steps: [GREEN, { color: "orange", value: 1 }] },
      ),
      {
        ...table(
          "Customers by time since last complete collection",
          "The selected customers whose data is oldest: the age of each.",
          `topk(20, (time() - ${c(n.customerLastSuccess)}) * on (job, instance, customer_id) group_left (customer_name) ${n.customerInfo})`,
          10,
        ),
        unit: "s",
      },
      timeseries(
        "Customer collection errors by reason",
        "Failed collections of the selected customers per second, by reason.",
        [
          {
            expr: `sum by (reason) (rate(${c(n.customerErrors)}[$__rate_interval]))`,
            legendFormat: "{{reason}}",
          },
        ],
        10,
        { unit: "ops" },
      ),
      {
        type: "histogram",
        title: "Customer data age distribution",
        description: "How old the selected customers' data is (time since their last complete collection).",
        w: 12,
        h: 8,
        instant: true,
        targets: [{ expr: `time() - ${c(n.customerLastSuccess)}`, legendFormat: "{{customer_id}}" }],
        unit: "s",
      },
      timeseries(
        "Customer data age (median, p90, oldest)",
        "Age of the selected customers' data.",
        [
          { expr: `quantile(0.5, time() - ${c(n.customerLastSuccess)})`, legendFormat: "median" },
          { expr: `quantile(0.9, time() - ${c(n.customerLastSuccess)})`, legendFormat: "p90" },
          { expr: `max(time() - ${c(n.customerLastSuccess)})`, legendFormat: "oldest" },
        ],
        12,
        { unit: "s" },
      ),
    ],
  },
  {
    row: "Exporter health (whole exporter, not filtered)",
    panels: [
      stat(
        "AvePoint API up",
        "Up if the exporter's latest listing of customers succeeded; down is AvePointApiUnreachable.",
        n.up,
        {
          mappings: { "0": { text: "down", color: "red" }, "1": { text: "up", color: "green" } },
          steps: [{ color: "red", value: null }, GREEN_FROM_1],
        },
        "{{instance}}",
      ),
      stat(
        "Age of served data",
        "Time since the served data was last updated: a round lasts up to 15 minutes by default; after an hour customers' data counts as stale (AvePointCustomerDataStale).",
        `time() - ${n.lastCollect}`,
        {
          unit: "s",
          steps: [
            GREEN,
            { color: "orange", value: ROUND_BOUND_SECONDS },
            { color: "red", value: STALE_SECONDS },
          ],
        },
        "{{instance}}",
      ),
      stat(
        "Round running",
        "Whether a collection round runs now; both are normal.",
        `max(${n.roundRunning})`,
        {
          mappings: { "0": { text: "idle", color: "green" }, "1": { text: "running", color: "blue" } },
          steps: [GREEN],
        },
      ),
      {
        ...stat(
          "Round progress",
          "Customers attempted in the running round (or the last one), of those selected.",
          `sum(${n.roundCustomersDone}) / sum(${n.roundCustomers})`,
        ),
        type: "gauge",
        unit: "percentunit",
        min: 0,
        max: 1,
      },
      timeseries(
        "Round duration",
        "Wall time of the last complete collection round.",
        [{ expr: n.collectDuration, legendFormat: "{{instance}}" }],
        8,
        { h: 5, unit: "s" },
      ),
      timeseries(
        "API requests by status code",
        "Requests to AvePoint per second.",
        [{ expr: "sum by (code) (avepoint:api_requests:rate5m)", legendFormat: "{{code}}" }],
        12,
        { unit: "reqps" },
      ),
      timeseries(
        "API request latency p95",
        "95th percentile of AvePoint's answer time by endpoint.",
        [{ expr: "avepoint:api_request_duration_seconds:p95_5m", legendFormat: "{{endpoint}}" }],
        12,
        { unit: "s" },
      ),
      timeseries(
        "API retries by reason",
        "Requests to AvePoint retried per second.",
        [{ expr: "sum by (reason) (avepoint:api_retries:rate5m)", legendFormat: "{{reason}}" }],
        8,
        { unit: "reqps" },
      ),
      timeseries(
        "Throttling",
        "Answers 429 per second, and seconds per second under AvePoint's Retry-After pauses.",
        [
          {
            expr: 'sum(avepoint:api_requests:rate5m{code="429"}) or vector(0)',
            legendFormat: "429 answers/s",
          },
          {
            expr: "avepoint:api_throttled_seconds:rate5m",
            legendFormat: "share of time waiting",
            unit: "percentunit",
          },
        ],
        8,
        { unit: "reqps" },
      ),
      timeseries(
        "Token requests and parse errors",
        "Token requests by result, and answers that could not be read, per second.",
        [
          {
            expr: `sum by (result) (rate(${n.tokenRequests}[$__rate_interval]))`,
            legendFormat: "token {{result}}",
          },
          {
            expr: `sum by (endpoint) (rate(${n.apiParseErrors}[$__rate_interval]))`,
            legendFormat: "parse error {{endpoint}}",
          },
        ],
        8,
        { unit: "ops" },
      ),
      timeseries(
        "Round progress over time",
        "Customers selected and attempted in the running round.",
        [
          { expr: `sum(${n.roundCustomers})`, legendFormat: "selected" },
          { expr: `sum(${n.roundCustomersDone})`, legendFormat: "attempted" },
        ],
        8,
      ),
      timeseries(
        "Rounds by result and time since the last complete round",
        "Rounds ended per hour by result, and seconds since the last complete round.",
        [
          { expr: `sum by (result) (increase(${n.roundsTotal}[1h]))`, legendFormat: "{{result}} per hour" },
          {
            expr: `time() - max(${n.roundLastEnd})`,
            legendFormat: "since last complete round",
            unit: "s",
          },
        ],
        8,
        { unit: "short" },
      ),
      table("Exporter build", "Version, revision and Node.js of each exporter.", n.buildInfo, 8),
    ],
  },
];

/** The dashboard as Grafana exports it for sharing: an import asks for the Prometheus data source. */
export const fleetDashboard = (rulesFile: string): Record<string, unknown> => ({
  ...importHeader("10.4.0"),
  annotations: {
    list: [
      {
        builtIn: 1,
        datasource: { type: "grafana", uid: "-- Grafana --" },
        enable: true,
        hide: true,
        iconColor: "rgba(0, 211, 255, 1)",
        name: "Annotations & Alerts",
        type: "dashboard",
      },
    ],
  },
  description:
    "Scan status, daily changes and exporter health of all AvePoint Elements customers. Generated by scripts/dashboard (npm run dashboard); do not edit by hand.",
  editable: true,
  fiscalYearStartMonth: 0,
  graphTooltip: 1,
  id: null,
  links: [],
  panels: layout(rows(rulesFile)),
  refresh: "1m",
  schemaVersion: 39,
  tags: ["avepoint", "microsoft-365"],
  templating: { list: [datasourceVariable(), customerVariable(), profileVariable()] },
  time: { from: "now-7d", to: "now" },
  timepicker: {},
  timezone: "browser",
  title: "AvePoint fleet",
  uid: "avepoint-fleet",
  version: 1,
  weekStart: "",
});
