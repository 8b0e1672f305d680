/**
 * The dashboard's queries on a real Prometheus under a variable selection: each query as Grafana
 * would send it, beside the same query with a reference formatting of the selection that does not
 * share Grafana's escaping (every ASCII punctuation character escaped, then quoted as a JSON string).
 * Equal answers at the same instant mean the query returns the selected customers' data and no other.
 */
import {
  dataPanels,
  interpolate,
  queryResultText,
  readDashboard,
  variable,
  variableOptions,
  variableQuery,
  type Selection,
  type VariableOption,
} from "../helpers/grafana.js";
import type { PrometheusServer, VectorSample } from "./prometheus-server.js";

export interface PanelQuery {
  readonly name: string;
  readonly expr: string;
  /** A time series panel: Grafana sends a range query. */
  readonly range: boolean;
}

export const panelQueries = (): PanelQuery[] =>
  dataPanels(readDashboard()).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      name: `panel ${panel.id} "${panel.title}" ${target.refId}`,
      expr: target.expr,
      range: target.range === true && target.instant !== true,
    })),
  );

/** Every ASCII punctuation character: escaped with a backslash, it stands for itself in RE2. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** The reference: `(v1|v2)` with each value's ASCII punctuation escaped, as the inside of a PromQL string. */
export const referenceFormat = (selection: Selection, allValue: string): string => {
  if (selection.all === true) return allValue;
  const literals = selection.values.map((value) => value.replaceAll(PUNCTUATION, "\\$&"));
  return JSON.stringify("(" + literals.join("|") + ")").slice(1, -1);
};

const key = (sample: VectorSample): string =>
  JSON.stringify([Object.entries(sample.metric).sort(([a], [b]) => a.localeCompare(b)), sample.value[1]]);

export interface SelectionResult {
  /** Queries whose answer differs from the reference's, with both. */
  readonly differences: string[];
  /** customer_id and profile_id labels seen in any answer. */
  readonly customers: Set<string>;
  readonly profiles: Set<string>;
}

/**
 * Runs every dashboard query with `customer` and `profile` selected, as Grafana formats them and as
 * the reference does, at one instant, and range queries for the time series panels.
 * @throws Error from Prometheus when a query does not parse or fails.
 */
export async function runSelection(
  prom: PrometheusServer,
  customer: Selection,
  profile: Selection,
): Promise<SelectionResult> {
  const time = Math.floor(Date.now() / 1000);
  const result: SelectionResult = { differences: [], customers: new Set(), profiles: new Set() };
  for (const { name, expr, range } of panelQueries()) {
    const grafana = interpolate(expr, { customer, profile });
    const reference = interpolate(expr, { customer, profile }, ".*", referenceFormat);
    const [got, want] = [await prom.query(grafana, time), await prom.query(reference, time)];
    if (range) await prom.queryRange(grafana, 10);
    const [gotKeys, wantKeys] = [got.map(key).sort(), want.map(key).sort()];
    if (JSON.stringify(gotKeys) !== JSON.stringify(wantKeys))
      result.differences.push(
        `${name}\n  ${grafana}\n  got ${gotKeys.join(" ")}\n  want ${wantKeys.join(" ")}`,
      );
    for (const sample of got) {
      if (sample.metric.customer_id !== undefined) result.customers.add(sample.metric.customer_id);
      if (sample.metric.profile_id !== undefined) result.profiles.add(sample.metric.profile_id);
    }
  }
  return result;
}

/** The options Grafana shows for variable `name` with the other variables selected as given. */
export async function optionsOf(
  prom: PrometheusServer,
  name: "customer" | "profile",
  selections: Readonly<Record<string, Selection>>,
): Promise<VariableOption[]> {
  const v = variable(readDashboard(), name);
  const samples = await prom.query(interpolate(variableQuery(v), selections));
  return variableOptions(
    samples.map((sample) => queryResultText(sample.metric, sample.value)),
    v.regex ?? "",
  );
}
