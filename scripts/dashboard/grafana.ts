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
  /**
   * A unit other than the panel's: the series get it by an override and, in a time series, their own
   * axis on the right, so that one axis never shows two units.
   */
  readonly unit?: string;
}

/** A threshold step: from `value` up (null: from the lowest), the panel takes `color`. */
export interface Step {
  readonly color: string;
  readonly value: number | null;
}

/** Text and colour shown for one exact value (a status: 0 down, 1 up). */
export interface ValueText {
  readonly text: string;
  readonly color: string;
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
  /** Threshold steps in full, instead of `thresholds`. */
  readonly steps?: readonly Step[];
  /** Exact values shown as text with a colour, by value. */
  readonly mappings?: Readonly<Record<string, ValueText>>;
  /** Colours of series by their display name (a state's own colour). */
  readonly colors?: Readonly<Record<string, string>>;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly transformations?: readonly unknown[];
}

export interface RowSpec {
  readonly row: string;
  readonly panels: readonly PanelSpec[];
}

const gridPos = (x: number, y: number, w: number, h: number) => ({ h, w, x, y });

const REF_IDS = "ABCDEFGHIJ";

/** @throws Error when two steps start at the same value (the lower colour could never show). */
const stepsOf = (panel: PanelSpec): Step[] => {
  const [orange, red] = panel.thresholds ?? [];
  const steps: Step[] = panel.steps ? [...panel.steps] : [{ color: "green", value: null }];
  if (!panel.steps && orange !== undefined) steps.push({ color: "orange", value: orange });
  if (!panel.steps && red !== undefined) steps.push({ color: "red", value: red });
  const values = steps.map((step) => step.value);
  if (new Set(values).size !== values.length) throw new Error(`${panel.title}: two thresholds at one value`);
  return steps;
};

const mappingsOf = (panel: PanelSpec): unknown[] =>
  panel.mappings === undefined
    ? []
    : [
        {
          type: "value",
          options: Object.fromEntries(
            Object.entries(panel.mappings).map(([value, { text, color }], index) => [
              value,
              { text, color, index },
            ]),
          ),
        },
      ];

const overridesOf = (panel: PanelSpec): unknown[] => [
  ...panel.targets.flatMap((target, index) =>
    target.unit === undefined || target.unit === panel.unit
      ? []
      : [
          {
            matcher: { id: "byFrameRefID", options: REF_IDS[index] },
            properties: [
              { id: "unit", value: target.unit },
              ...(panel.type === "timeseries" ? [{ id: "custom.axisPlacement", value: "right" }] : []),
            ],
          },
        ],
  ),
  ...Object.entries(panel.colors ?? {}).map(([name, color]) => ({
    matcher: { id: "byName", options: name },
    properties: [{ id: "color", value: { mode: "fixed", fixedColor: color } }],
  })),
];

const fieldConfig = (panel: PanelSpec): Record<string, unknown> => ({
  defaults: {
    ...(panel.unit === undefined ? {} : { unit: panel.unit }),
    ...(panel.decimals === undefined ? {} : { decimals: panel.decimals }),
    ...(panel.min === undefined ? {} : { min: panel.min }),
    ...(panel.max === undefined ? {} : { max: panel.max }),
    ...(panel.mappings === undefined ? {} : { mappings: mappingsOf(panel) }),
    thresholds: { mode: "absolute", steps: stepsOf(panel) },
  },
  overrides: overridesOf(panel),
});

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
