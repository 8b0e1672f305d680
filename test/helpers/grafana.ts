/**
 * What Grafana does with the dashboard's variables, for tests: its default formatting of a
 * Prometheus variable in a query, the text it builds from a `query_result()` series and the options
 * a variable's regex makes of it. Written after Grafana's Prometheus data source (interpolateQueryExpr,
 * prometheusSpecialRegexEscape, queryResultQuery) and template variable code (metricNamesToVariableValues),
 * without the opt-in feature toggle prometheusSpecialCharsInLabelValues.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: string;
  readonly legendFormat?: string;
  readonly datasource?: { type: string; uid: string };
}
export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource?: { type: string; uid: string };
  readonly targets?: readonly DashboardTarget[];
  readonly panels?: readonly DashboardPanel[];
}
export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query: unknown;
  readonly definition?: string;
  readonly regex?: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly current?: { text?: unknown; value?: unknown };
  readonly datasource?: { type: string; uid: string };
}
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { list: readonly DashboardVariable[] };
  readonly __inputs?: readonly { name: string; type: string; pluginId: string }[];
}

export const readDashboard = (name = "avepoint-fleet.json"): Dashboard =>
  JSON.parse(readFileSync(join(root, "grafana/dashboards", name), "utf8")) as Dashboard;

/** Rows hold no query; the panels in them (and beside them) do. */
export const dataPanels = (dashboard: Dashboard): DashboardPanel[] =>
  dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .filter((panel) => panel.type !== "row");

export const variable = (dashboard: Dashboard, name: string): DashboardVariable => {
  const found = dashboard.templating.list.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no variable ${name}`);
  return found;
};

/** Grafana's escaping of one value of a multi-value or "All" Prometheus variable. */
export const regexEscape = (value: string): string =>
  value.replaceAll("\\", "\\\\\\\\").replaceAll(/[$^*{}[\]+?.()|]/g, "\\\\$&");

/** A variable's state: "All" (Grafana then writes the custom all value) or the selected values. */
export type Selection = { readonly all: true } | { readonly all?: false; readonly values: readonly string[] };

/** Grafana's default formatting of a multi-value variable with "All" in a Prometheus query. */
export const formatSelection = (selection: Selection, allValue: string): string => {
  if (selection.all === true) return allValue;
  const escaped = selection.values.map(regexEscape);
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join("|")})`;
};

/** Interval variables as Grafana fills them for a 1 s scrape interval. */
const BUILTINS: Readonly<Record<string, string>> = {
  __rate_interval: "1m",
  __interval: "15s",
  __range: "5m",
};

/**
 * `expr` with `$name` and `${name}` replaced as Grafana would (or as `format` says, for a test's own
 * reference). @throws Error for a variable that is
 * neither given nor built in, or a `${name:format}` (none is used; its formatting is not this one).
 */
export const interpolate = (
  expr: string,
  selections: Readonly<Record<string, Selection>>,
  allValue = ".*",
  formatter: (selection: Selection, allValue: string) => string = formatSelection,
): string =>
  expr.replaceAll(
    /\$\{(\w+)(:[^}]*)?\}|\$(\w+)/g,
    (whole, braced?: string, format?: string, plain?: string) => {
      const name = (braced ?? plain) as string;
      if (format !== undefined) throw new Error(`${whole}: formats are not emulated`);
      const builtin = BUILTINS[name];
      if (builtin !== undefined) return builtin;
      const selection = selections[name];
      if (selection === undefined) throw new Error(`${whole}: no selection given`);
      return formatter(selection, allValue);
    },
  );

/** Grafana's text of one series of a `query_result()`: `{a="x",b="y"} value timestamp-ms`, values as they are. */
export const queryResultText = (
  metric: Readonly<Record<string, string>>,
  value: readonly [number, string],
): string => {
  const { __name__: name = "", ...labels } = metric;
  const pairs = Object.entries(labels).map(([key, v]) => `${key}="${v}"`);
  return `${name}{${pairs.join(",")}} ${value[1]} ${value[0] * 1000}`;
};

/** Grafana's stringToJsRegex. */
const jsRegex = (text: string): RegExp => {
  if (!text.startsWith("/")) return new RegExp(`^${text}$`);
  const match = /^\/(.*?)\/(g?i?m?s?y?)$/.exec(text);
  if (match === null) throw new Error(`${text} is not a regular expression`);
  return new RegExp(match[1] as string, match[2]);
};

export interface VariableOption {
  readonly text: string;
  readonly value: string;
}

/** The options a variable's regex makes of the texts: the `value` and `text` groups, unique by value. */
export const variableOptions = (texts: readonly string[], regex: string): VariableOption[] => {
  const re = jsRegex(regex);
  const options: VariableOption[] = [];
  for (const text of texts) {
    re.lastIndex = 0;
    const groups = re.exec(text)?.groups;
    if (groups === undefined) continue;
    const value = groups.value ?? groups.text;
    if (value === undefined) continue;
    options.push({ value, text: groups.text ?? value });
  }
  const seen = new Set<string>();
  return options.filter((option) => !seen.has(option.value) && seen.add(option.value));
};

/** The query inside a variable's `query_result(...)`. @throws Error when it is not one. */
export const variableQuery = (v: DashboardVariable): string => {
  const definition = v.definition ?? "";
  const match = /^query_result\(([\s\S]*)\)$/.exec(definition);
  if (match === null) throw new Error(`$${v.name}: not a query_result(): ${definition}`);
  return match[1] as string;
};
