/**
 * Builders of the fleet dashboard's panels and PromQL: metric names from src/metrics/names.ts, the
 * variables' filters on every customer and profile selector, names joined from the _info series.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { METRICS } from "../../src/metrics/names.js";
import type { PanelSpec } from "./grafana.js";
import { CUSTOMER, PROFILE } from "./variables.js";

export const n = Object.fromEntries(Object.entries(METRICS).map(([key, metric]) => [key, metric.name])) as {
  readonly [K in keyof typeof METRICS]: (typeof METRICS)[K]["name"];
};

/** Filters of profile series (both variables) and of customer series (the customer variable). */
export const p = (name: string, ...matchers: string[]): string =>
  `${name}{${[...matchers, CUSTOMER, PROFILE].join(", ")}}`;
export const c = (name: string, ...matchers: string[]): string =>
  `${name}{${[...matchers, CUSTOMER].join(", ")}}`;

/** Profile series with the names of `avepoint_scan_profile_info` (same target, same IDs). */
export const withProfileNames = (expr: string, labels = "customer_name, profile_name"): string =>
  `${expr} * on (job, instance, customer_id, profile_id) group_left (${labels}) ${n.profileInfo}`;
/** A per-customer result (any target) with the customer's name. */
export const withCustomerName = (expr: string): string =>
  `${expr} * on (customer_id) group_left (customer_name) max by (customer_id, customer_name) (${n.customerInfo})`;

export const FAILED = 'state=~"failed|error_start"';
export const SURGE_ALERT = "AvePointRemovedObjectsSurge";

/**
 * The expression of alert `name` in `rulesFile`, with the dashboard's filters on every selector of
 * the given metrics. @throws Error when the alert is missing or a selector already has matchers.
 */
export const alertExpr = (rulesFile: string, name: string, filtered: readonly string[]): string => {
  const doc = parse(readFileSync(rulesFile, "utf8")) as {
    groups: { rules: { alert?: string; expr: string }[] }[];
  };
  const rule = doc.groups.flatMap((group) => group.rules).find((r) => r.alert === name);
  if (rule === undefined) throw new Error(`${rulesFile}: no alert ${name}`);
  let expr = rule.expr.trim().replaceAll(/\s+/g, " ");
  for (const metric of filtered) {
    if (new RegExp(`\\b${metric}\\{`).test(expr)) throw new Error(`${name}: ${metric} already has matchers`);
    expr = expr.replaceAll(new RegExp(`\\b${metric}\\b`, "g"), p(metric));
  }
  return expr;
};

export const stat = (
  title: string,
  description: string,
  expr: string,
  extra: Partial<PanelSpec> = {},
  legendFormat = "__auto",
): PanelSpec => ({
  type: "stat",
  title,
  description,
  w: 4,
  h: 5,
  instant: true,
  targets: [{ expr, legendFormat }],
  options: { colorMode: "background", graphMode: "none", reduceOptions: { calcs: ["lastNotNull"] } },
  ...extra,
});

export const table = (title: string, description: string, expr: string, w: number, h = 8): PanelSpec => ({
  type: "table",
  title,
  description,
  w,
  h,
  instant: true,
  targets: [{ expr, format: "table" }],
  transformations: [{ id: "organize", options: { excludeByName: { Time: true, __name__: true } } }],
});

export const timeseries = (
  title: string,
  description: string,
  targets: PanelSpec["targets"],
  w: number,
  extra: Partial<PanelSpec> = {},
): PanelSpec => ({ type: "timeseries", title, description, w, h: 8, instant: false, targets, ...extra });

export const topCustomers = (
  title: string,
  description: string,
  expr: string,
  extra: Partial<PanelSpec> = {},
): PanelSpec => ({
  type: "bargauge",
  title,
  description,
  w: 8,
  h: 9,
  instant: true,
  targets: [{ expr, legendFormat: "{{customer_name}}" }],
  options: { displayMode: "gradient", orientation: "horizontal", reduceOptions: { calcs: ["lastNotNull"] } },
  ...extra,
});

export const topCustomersBySum = (title: string, metric: string): PanelSpec =>
  topCustomers(
    title,
    `Sum over the selected profiles of each customer's latest daily reports (${metric}).`,
    `topk(10, ${withCustomerName(`sum by (customer_id) (${p(metric)})`)})`,
  );
