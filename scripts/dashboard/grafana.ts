/**
 * The few Grafana dashboard shapes the fleet dashboard needs, typed: panels with Prometheus targets,
 * rows, a data source variable bound to an import input, and query variables whose options come from
 * a `query_result()` and a regex with `text` and `value` groups. Layout is computed: panels flow left
 * to right in 24 columns and a row starts below the tallest panel above it.
 */

export const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

/** The import input: Grafana's import dialog asks for it and writes the choice into the variable. */
export const DS_INPUT = "DS_PROMETHEUS";

export type PanelType = "stat" | "table" | "timeseries" | "bargauge" | "gauge" | "histogram";

export interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  /** Table panels want one row per series: instant queries in table format. */
  readonly format?: "table";
}

export interface PanelSpec {
  readonly type: PanelType;
  readonly title: string;
  readonly description: string;
  /** Columns of 24. */
  readonly w: number;
  readonly h: number;
  /** Instant query (the latest value) or range query (history). */
  readonly instant: boolean;
  readonly targets: readonly Omit<Target, "refId">[];
  readonly unit?: string;
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  /** Above these values the panel turns orange, then red. */
  readonly thresholds?: readonly [number, number];
  readonly options?: Readonly<Record<string, unknown>>;
  readonly transformations?: readonly unknown[];
}

export interface RowSpec {
  readonly row: string;
  readonly panels: readonly PanelSpec[];
}

const gridPos = (x: number, y: number, w: number, h: number) => ({ h, w, x, y });

const fieldConfig = (panel: PanelSpec): Record<string, unknown> => {
  const [orange, red] = panel.thresholds ?? [];
  const steps: { color: string; value: number | null }[] = [{ color: "green", value: null }];
  if (orange !== undefined) steps.push({ color: "orange", value: orange });
  if (red !== undefined) steps.push({ color: "red", value: red });
  return {
    defaults: {
      ...(panel.unit === undefined ? {} : { unit: panel.unit }),
      ...(panel.decimals === undefined ? {} : { decimals: panel.decimals }),
      ...(panel.min === undefined ? {} : { min: panel.min }),
      ...(panel.max === undefined ? {} : { max: panel.max }),
      thresholds: { mode: "absolute", steps },
    },
    overrides: [],
  };
};

const REF_IDS = "ABCDEFGHIJ";

/** Panels in rows, with ids from 1 and positions on the 24-column grid. @throws Error on a panel wider than 24. */
export const layout = (rows: readonly RowSpec[]): unknown[] => {
  const out: unknown[] = [];
  let id = 0;
  let y = 0;
  for (const { row, panels } of rows) {
    out.push({
      collapsed: false,
      gridPos: gridPos(0, y, 24, 1),
      id: ++id,
      panels: [],
      title: row,
      type: "row",
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const panel of panels) {
      if (panel.w > 24) throw new Error(`${panel.title}: wider than 24 columns`);
      if (x + panel.w > 24) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push({
        datasource: DATASOURCE,
        description: panel.description,
        fieldConfig: fieldConfig(panel),
        gridPos: gridPos(x, y, panel.w, panel.h),
        id: ++id,
        options: panel.options ?? {},
        targets: panel.targets.map((target, index) => ({
          datasource: DATASOURCE,
          editorMode: "code",
          expr: target.expr,
          instant: panel.instant,
          range: !panel.instant,
          refId: REF_IDS[index],
          ...(target.legendFormat === undefined ? {} : { legendFormat: target.legendFormat }),
          ...(target.format === undefined ? {} : { format: target.format }),
        })),
        title: panel.title,
        ...(panel.transformations === undefined ? {} : { transformations: panel.transformations }),
        type: panel.type,
      });
      x += panel.w;
      lineHeight = Math.max(lineHeight, panel.h);
    }
    y += lineHeight;
  }
  return out;
};

/** The data source variable: the import input's choice by default, any Prometheus data source by hand. */
export const datasourceVariable = () => ({
  // After an import both name the chosen data source (Grafana matches the current value by text or value).
  current: { selected: false, text: `\${${DS_INPUT}}`, value: `\${${DS_INPUT}}` },
  hide: 0,
  includeAll: false,
  label: "Data source",
  multi: false,
  name: "datasource",
  options: [],
  query: "prometheus",
  refresh: 1,
  regex: "",
  type: "datasource",
});

export interface QueryVariableSpec {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** An instant PromQL query; every series it returns becomes one option. */
  readonly query: string;
  /** JavaScript regex (`/.../`) over Grafana's text of a series, with `value` and `text` groups. */
  readonly regex: string;
}

/**
 * A multi-value query variable with "All" (as `.*`) whose options come from `query_result()`:
 * Grafana renders each series as `{a="x",b="y"} value timestamp` (label values as they are, not
 * escaped) and `regex` picks the option's value and display text out of it.
 */
export const queryVariable = (spec: QueryVariableSpec) => {
  const definition = `query_result(${spec.query})`;
  return {
    allValue: ".*",
    current: { selected: true, text: ["All"], value: ["$__all"] },
    datasource: DATASOURCE,
    definition,
    description: spec.description,
    hide: 0,
    includeAll: true,
    label: spec.label,
    multi: true,
    name: spec.name,
    options: [],
    query: { qryType: 3, query: definition, refId: "PrometheusVariableQueryEditor-VariableQuery" },
    refresh: 2,
    regex: spec.regex,
    skipUrlSync: false,
    // alphabetical, case-insensitive, on the display text
    sort: 5,
    type: "query",
  };
};

/** What an exported dashboard carries so that Grafana's import asks for the Prometheus data source. */
export const importHeader = (grafanaVersion: string) => ({
  __inputs: [
    {
      description: "Prometheus that scrapes the AvePoint exporter",
      label: "Prometheus",
      name: DS_INPUT,
      pluginId: "prometheus",
      pluginName: "Prometheus",
      type: "datasource",
    },
  ],
  __requires: [
    { id: "grafana", name: "Grafana", type: "grafana", version: grafanaVersion },
    { id: "prometheus", name: "Prometheus", type: "datasource", version: "1.0.0" },
    ...(["bargauge", "gauge", "histogram", "stat", "table", "timeseries"] as const).map((id) => ({
      id,
      name: id,
      type: "panel",
      version: "",
    })),
  ],
});
