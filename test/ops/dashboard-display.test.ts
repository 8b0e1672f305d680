/**
 * How the committed dashboard shows its values: status stats read as words with colours (0 → red
 * "down"), every age and duration has a unit, no axis carries two units, and thresholds mean something
 * (no two colours at one value; ages turn colour where an alert's bound lies).
 */
import { describe, expect, it } from "vitest";
import { METRICS } from "../../src/metrics/names.js";
import { dataPanels, readDashboard } from "../helpers/grafana.js";

interface Step {
  color: string;
  value: number | null;
}
interface Override {
  matcher: { id: string; options: string };
  properties: { id: string; value: unknown }[];
}
interface Shown {
  title: string;
  type: string;
  targets: { refId: string; expr: string }[];
  fieldConfig: {
    defaults: {
      unit?: string;
      mappings?: { type: string; options: Record<string, { text: string; color: string }> }[];
      thresholds: { steps: Step[] };
    };
    overrides: Override[];
  };
}

const panels = dataPanels(readDashboard()) as unknown as Shown[];
const panel = (title: string): Shown => {
  const found = panels.find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel ${title}`);
  return found;
};
/** The unit a query's series get: its override's, else the panel's. */
const unitOf = (shown: Shown, refId: string): string | undefined =>
  (shown.fieldConfig.overrides
    .find((o) => o.matcher.id === "byFrameRefID" && o.matcher.options === refId)
    ?.properties.find((property) => property.id === "unit")?.value as string | undefined) ??
  shown.fieldConfig.defaults.unit;
/** The colour a stat shows for a value, by its thresholds. */
const colorAt = (shown: Shown, value: number): string =>
  shown.fieldConfig.defaults.thresholds.steps
    .filter((step) => step.value === null || step.value <= value)
    .at(-1)!.color;

/** A query whose value is an age or a duration in seconds (not a count of things that are old). */
const isSeconds = (expr: string): boolean =>
  !/^(count|sum by \(result\))/.test(expr) &&
  (/time\(\) -/.test(expr) || new RegExp(`\\b${METRICS.collectDuration.name}\\b`).test(expr));

describe("grafana/dashboards/avepoint-fleet.json, as shown", () => {
  it("shows AvePoint API up as words: 0 a red down, 1 a green up", () => {
    const up = panel("AvePoint API up");
    const [mapping] = up.fieldConfig.defaults.mappings ?? [];
    expect(mapping?.type).toBe("value");
    expect(mapping?.options["0"]).toMatchObject({ text: "down", color: "red" });
    expect(mapping?.options["1"]).toMatchObject({ text: "up", color: "green" });
    expect(colorAt(up, 0)).toBe("red");
    expect(colorAt(up, 1)).toBe("green");
  });

  it("shows whether a round runs as words, neither red", () => {
    const running = panel("Round running");
    const options = running.fieldConfig.defaults.mappings?.[0]?.options ?? {};
    expect(Object.keys(options).sort()).toEqual(["0", "1"]);
    expect(Object.values(options).map((o) => o.color)).not.toContain("red");
  });

  const ages = panels.flatMap((shown) =>
    shown.targets
      .filter(({ expr }) => isSeconds(expr))
      .map((target) => [shown.title, shown, target] as const),
  );

  it("has ages and durations to check", () => {
    expect(ages.length).toBeGreaterThanOrEqual(8);
  });

  it.each(ages)("%s: shows its age or duration in seconds", (_title, shown, target) => {
    expect(unitOf(shown, target.refId)).toBe("s");
  });

  it.each(panels.filter((p) => p.type === "timeseries").map((p) => [p.title, p] as const))(
    "%s: puts one unit on each axis",
    (_title, shown) => {
      const units = new Set(shown.targets.map((target) => unitOf(shown, target.refId) ?? "none"));
      expect(units.size).toBeLessThanOrEqual(2);
      for (const override of shown.fieldConfig.overrides.filter((o) =>
        o.properties.some((p) => p.id === "unit"),
      ))
        expect(override.properties).toContainEqual({ id: "custom.axisPlacement", value: "right" });
    },
  );

  it.each(panels.map((p) => [p.title, p] as const))(
    "%s: has no two thresholds at one value",
    (_title, shown) => {
      const values = shown.fieldConfig.defaults.thresholds.steps.map((step) => step.value);
      expect(new Set(values).size).toBe(values.length);
    },
  );

  it("turns the served data's age orange past a round's bound and red at the stale-data alert's hour", () => {
    const age = panel("Age of served data");
    expect(colorAt(age, 60)).toBe("green");
    expect(colorAt(age, 16 * 60)).toBe("orange");
    expect(colorAt(age, 3600)).toBe("red");
  });

  it("turns one failed scan red and one failing customer orange (critical and warning alerts)", () => {
    expect([colorAt(panel("Failed scans"), 0), colorAt(panel("Failed scans"), 1)]).toEqual(["green", "red"]);
    const customers = panel("Customers failing collection");
    expect([colorAt(customers, 0), colorAt(customers, 1)]).toEqual(["green", "orange"]);
  });

  it("colours the alerting scan states by severity", () => {
    const colors = Object.fromEntries(
      panel("Profiles by last scan state").fieldConfig.overrides.map((o) => [
        o.matcher.options,
        (o.properties[0]?.value as { fixedColor: string }).fixedColor,
      ]),
    );
    expect(colors).toMatchObject({ failed: "red", error_start: "red", finished_with_exception: "orange" });
  });
});
