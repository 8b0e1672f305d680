/**
 * The rules and the dashboard only use metrics, labels and label values the exporter exposes
 * (src/metrics/names.ts and the label sets of the design's metric table), every recording rule the
 * dashboard uses is defined, and every alert is documented and unit-tested.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SCAN_STATUS_NAMES } from "../../src/avepoint/types.js";
import { METRICS, type MetricKey } from "../../src/metrics/names.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");

/** Label names of each metric (besides the target labels job and instance). */
const LABELS: Record<MetricKey, readonly string[]> = {
  profileInfo: [
    "customer_id",
    "profile_id",
    "customer_name",
    "profile_name",
    "tenant_id",
    "tenant_domain",
    "scan_mode",
  ],
  profileStatus: ["customer_id", "profile_id"],
  profileState: ["customer_id", "profile_id", "state"],
  profileNew: ["customer_id", "profile_id"],
  profileMoved: ["customer_id", "profile_id"],
  profileRemoved: ["customer_id", "profile_id"],
  profileDailyReport: ["customer_id", "profile_id"],
  profileModified: ["customer_id", "profile_id"],
  customerInfo: ["customer_id", "customer_name", "country", "management_mode"],
  customerJobStatus: ["customer_id"],
  customerProfiles: ["customer_id"],
  customerSuccess: ["customer_id"],
  customerLastSuccess: ["customer_id"],
  customerErrors: ["customer_id", "reason"],
  collectErrors: ["reason"],
  up: [],
  collectDuration: [],
  lastCollect: [],
  roundRunning: [],
  roundCustomers: [],
  roundCustomersDone: [],
  roundCustomersFailed: ["reason"],
  circuitOpen: [],
  roundLastEnd: [],
  roundsTotal: ["result"],
  apiRequests: ["endpoint", "code"],
  apiDuration: ["endpoint"],
  apiRetries: ["endpoint", "reason"],
  apiThrottled: ["endpoint"],
  apiThrottledSeconds: [],
  apiPacingSeconds: [],
  apiRate: [],
  apiRateCeiling: [],
  apiParseErrors: ["endpoint", "reason"],
  apiReportReadBytes: ["endpoint"],
  apiReportSkippedBytes: ["endpoint"],
  tokenRequests: ["result"],
  buildInfo: ["version", "revision", "build_date", "node_version"],
  configReloadSuccess: [],
  configReloadTimestamp: [],
  stateLastSave: [],
  stateSaveDuration: [],
  stateSize: [],
  stateSaveFailures: ["reason"],
  stateRestoredCustomers: [],
  stateRestoreResult: ["result"],
};
const TARGET_LABELS = ["job", "instance"];
const STATES = new Set<string>([...Object.values(SCAN_STATUS_NAMES), "unknown"]);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesOf = (path: string): Rule[] =>
  (parse(read(path)) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);

const allRules = readdirSync(join(root, "prometheus/rules"))
  .filter((name) => name.endsWith(".yml"))
  .flatMap((name) => rulesOf(`prometheus/rules/${name}`));
const alerts = allRules.filter((rule) => rule.alert !== undefined);
const records = allRules.filter((rule) => rule.record !== undefined);

interface Target {
  expr: string;
}
interface Panel {
  title: string;
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  definition?: string;
}
const dashboardFiles = readdirSync(join(root, "grafana/dashboards")).filter((name) => name.endsWith(".json"));
const dashboards = dashboardFiles.map((name) => ({
  name,
  json: JSON.parse(read(`grafana/dashboards/${name}`)) as {
    panels: Panel[];
    templating: { list: Variable[] };
  },
}));
const dashboardExprs = dashboards.flatMap(({ name, json }) => [
  ...json.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `${name}: ${panel.title}`, expr: target.expr })),
  ),
  ...json.templating.list
    .filter((variable) => variable.type === "query" && variable.definition !== undefined)
    .map((variable) => ({ where: `${name}: $${variable.name}`, expr: variable.definition as string })),
]);
const ruleExprs = [...alerts, ...records].map((rule) => ({
  where: `rule ${rule.alert ?? rule.record}`,
  expr: rule.expr,
}));
const allExprs = [...ruleExprs, ...dashboardExprs];

/** Exposed metric name → label names; histogram series get their suffixes. */
const exposed = new Map<string, readonly string[]>();
for (const [key, metric] of Object.entries(METRICS) as [MetricKey, (typeof METRICS)[MetricKey]][]) {
  exposed.set(metric.name, LABELS[key]);
}
exposed.set(`${METRICS.apiDuration.name}_bucket`, [...LABELS.apiDuration, "le"]);
exposed.set(`${METRICS.apiDuration.name}_sum`, LABELS.apiDuration);
exposed.set(`${METRICS.apiDuration.name}_count`, LABELS.apiDuration);

/** A recording rule keeps the labels of its outermost aggregation (`by (...)`), less `le`. */
const recorded = new Map<string, readonly string[]>(
  records.map((rule) => {
    const by = /\bby\s*\(([^)]*)\)/.exec(rule.expr)?.[1] ?? "";
    const labels = by
      .split(",")
      .map((label) => label.trim())
      .filter((label) => label !== "" && label !== "le");
    return [rule.record as string, labels];
  }),
);

const METRIC_TOKEN = /\bavepoint[a-z0-9_:]*/g;
const metricsIn = (expr: string): string[] =>
  [...new Set(expr.match(METRIC_TOKEN) ?? [])].filter((name) => /^avepoint[_:]/.test(name));
const labelsOf = (metric: string): readonly string[] | undefined =>
  exposed.get(metric) ?? recorded.get(metric);

/** `metric{a="x", b=~"y"}` → [metric, [[a, "=", x], [b, "=~", y]]] */
function selectors(expr: string): [string, [string, string, string][]][] {
  const result: [string, [string, string, string][]][] = [];
  for (const match of expr.matchAll(/\b(avepoint[a-z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const matchers = [
      ...(match[2] ?? "").matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g),
    ].map((m) => [m[1], m[2], m[3]] as [string, string, string]);
    result.push([match[1] as string, matchers]);
  }
  return result;
}

describe("metric names", () => {
  it("the rules and dashboards have expressions to check", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    expect(records.length).toBeGreaterThan(0);
    expect(dashboardExprs.length).toBeGreaterThan(10);
  });

  it.each(allExprs)("$where uses only exposed metrics and defined recording rules", ({ expr }) => {
    // (AvePointExporterDown uses only Prometheus's own `up`)
    for (const name of metricsIn(expr)) {
      if (name.includes(":")) expect([...recorded.keys()], `recording rule ${name}`).toContain(name);
      else expect([...exposed.keys()], `metric ${name}`).toContain(name);
    }
  });

  it.each(allExprs)("$where uses only label names its metrics carry", ({ expr }) => {
    const names = metricsIn(expr);
    // label_join and label_replace make labels of their own (the dashboard's display texts)
    const made = [...expr.matchAll(/\blabel_(?:join|replace)\([\s\S]*?,\s*"(\w+)"/g)].map(
      (m) => m[1] as string,
    );
    const known = new Set([...TARGET_LABELS, ...names.flatMap((name) => labelsOf(name) ?? []), ...made]);
    for (const [metric, matchers] of selectors(expr)) {
      const own = [...TARGET_LABELS, ...(labelsOf(metric) ?? [])];
      for (const [label] of matchers) expect(own, `${metric}{${label}}`).toContain(label);
    }
    // by (...), on (...), group_left (...) and label_values(..., label) name labels of these metrics
    const grouped = [
      ...expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g),
    ].flatMap((m) => (m[1] ?? "").split(","));
    const valuesOf = /label_values\([^,]+,\s*(\w+)\s*\)/.exec(expr)?.[1];
    for (const label of [...grouped, ...(valuesOf ? [valuesOf] : [])].map((l) => l.trim()).filter(Boolean)) {
      expect([...known], `label ${label}`).toContain(label);
    }
  });

  it.each(allExprs)("$where matches only existing scan states", ({ expr }) => {
    for (const [, matchers] of selectors(expr)) {
      for (const [label, op, value] of matchers) {
        if (label !== "state") continue;
        const values = op.endsWith("~") ? value.split("|") : [value];
        for (const state of values) expect([...STATES], `state ${state}`).toContain(state);
      }
    }
  });

  it("every recording rule is used by a dashboard or an alert", () => {
    const used = new Set([...dashboardExprs, ...ruleExprs].flatMap(({ expr }) => metricsIn(expr)));
    for (const name of recorded.keys()) expect([...used], name).toContain(name);
  });
});

describe("alerts", () => {
  const runbook = read("prometheus/RUNBOOK.md");
  const squash = (text: string): string => text.replaceAll(/\s+/g, " ").trim();
  const sectionOf = (name: string): string =>
    squash(runbook.split(/^## /m).find((section) => section.startsWith(`${name}\n`)) ?? "");
  const unitTests = readdirSync(join(root, "prometheus/tests"))
    .filter((name) => name.endsWith(".yml"))
    .flatMap(
      (name) =>
        (
          parse(read(`prometheus/tests/${name}`)) as {
            tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
          }
        ).tests,
    )
    .flatMap((test) => test.alert_rule_test ?? []);

  it.each(alerts)("$alert has severity, for, summary, description, runbook and runbook_url", (rule) => {
    expect(["critical", "warning", "info"]).toContain(rule.labels?.severity);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    expect(rule.annotations?.runbook).toBeTruthy();
    // the placeholder base (scripts/prometheus-rule.js --runbook-url replaces it) and the section's anchor
    expect(rule.annotations?.runbook_url).toBe(
      `https://runbooks.example.invalid/avepoint-exporter/RUNBOOK.md#${(rule.alert as string).toLowerCase()}`,
    );
  });

  it.each(alerts)("$alert rides out gaps with keep_firing_for, except AvePointExporterDown", (rule) => {
    const kept = (rule as { keep_firing_for?: string }).keep_firing_for;
    if (rule.alert === "AvePointExporterDown") expect(kept).toBeUndefined();
    else expect(kept).toBe("15m");
  });

  it.each(alerts)("$alert names the customer and profile it is about", (rule) => {
    const summary = rule.annotations?.summary ?? "";
    if (rule.expr.includes("avepoint_scan_profile_")) {
      expect(rule.expr).toMatch(
        /group_left \([^)]*customer_name[^)]*profile_name[^)]*\)\s+avepoint_scan_profile_info/,
      );
      expect(summary).toContain("{{ $labels.customer_name }}");
      expect(summary).toContain("{{ $labels.profile_name }}");
    } else if (rule.expr.includes("avepoint_customer_")) {
      expect(rule.expr).toMatch(/group_left \(customer_name\)\s+avepoint_customer_info/);
      expect(summary).toContain("{{ $labels.customer_name }}");
    }
  });

  it.each(alerts)("$alert has its runbook text in prometheus/RUNBOOK.md", (rule) => {
    const section = sectionOf(rule.alert as string);
    expect(section, `## ${rule.alert}`).not.toBe("");
    expect(section).toContain(`**Runbook:** ${squash(rule.annotations?.runbook ?? "")}`);
  });

  it.each(alerts)("$alert has unit tests where it fires and where it does not", (rule) => {
    const cases = unitTests.filter((test) => test.alertname === rule.alert);
    expect(cases.some((test) => (test.exp_alerts ?? []).length > 0)).toBe(true);
    expect(cases.some((test) => (test.exp_alerts ?? []).length === 0)).toBe(true);
  });
});
