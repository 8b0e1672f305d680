/**
 * The Grafana dashboard and its provisioning: generated from scripts/dashboard and not stale, valid,
 * every panel queries Prometheus, the variables carry IDs, and every customer or profile query
 * filters by them. The queries themselves run on a real Prometheus in test/e2e/prometheus.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fleetDashboard } from "../../scripts/dashboard/fleet.js";
import { CUSTOMER, PROFILE } from "../../scripts/dashboard/variables.js";
import { METRICS } from "../../src/metrics/names.js";
import {
  type Dashboard,
  dataPanels,
  formatSelection,
  interpolate,
  queryResultText,
  readDashboard,
  variable,
  variableOptions,
} from "../helpers/grafana.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");
const FILE = "grafana/dashboards/avepoint-fleet.json";
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

describe(FILE, () => {
  // What scripts/dashboard makes; the first test proves the committed file is the same.
  const dashboard = fleetDashboard(
    join(root, "prometheus/rules/avepoint-alerts.yml"),
  ) as unknown as Dashboard;
  const text = JSON.stringify(dashboard, null, 2);

  it("is what scripts/dashboard generates (run `npm run dashboard` after changing it)", async () => {
    const path = join(root, FILE);
    const formatted = await format(text, { ...(await resolveConfig(path)), filepath: path });
    await expect(formatted).toMatchFileSnapshot(path);
    expect(readDashboard()).toEqual(dashboard);
  });

  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const queried = dataPanels(dashboard);
  const targets = queried.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, ...target })));

  it("is a Grafana 10+ dashboard with a stable uid and no instance-specific id", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).toBeTruthy();
    expect((dashboard as unknown as { id: unknown }).id).toBeNull();
  });

  it("asks for the Prometheus data source on import and makes it the $datasource default", () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }),
    ]);
    const datasource = variable(dashboard, "datasource");
    expect(datasource).toMatchObject({ type: "datasource", query: "prometheus" });
    expect(datasource.current).toMatchObject({ text: "${DS_PROMETHEUS}", value: "${DS_PROMETHEUS}" });
    // Only the variable names the import input: every panel follows the variable.
    expect(text.split("${DS_PROMETHEUS}")).toHaveLength(3);
  });

  it("has unique panel ids and titles, inside the 24-column grid without overlaps", () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(panels.map((panel) => panel.title)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const { title, gridPos } of panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("has a query in every panel, on the ${datasource} variable, described", () => {
    expect(queried.length).toBeGreaterThan(20);
    for (const panel of queried) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr.trim(), panel.title).not.toBe("");
        expect(target.datasource, panel.title).toEqual(DATASOURCE);
      }
    }
  });

  it("has the datasource, customer and profile variables: IDs as values, names as text, multi, All", () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["datasource", "customer", "profile"]);
    for (const [name, id] of [
      ["customer", "customer_id"],
      ["profile", "profile_id"],
    ] as const) {
      const v = variable(dashboard, name);
      expect(v).toMatchObject({
        type: "query",
        multi: true,
        includeAll: true,
        allValue: ".*",
        datasource: DATASOURCE,
      });
      expect(v.definition).toMatch(/^query_result\(/);
      expect((v.query as { query: string; qryType: number }).query).toBe(v.definition);
      expect(v.regex).toContain(`${id}="(?<value>`);
      expect(v.regex).toContain("(?<text>");
    }
    // the profile list follows the selected customers
    expect(variable(dashboard, "profile").definition).toContain(CUSTOMER);
  });

  it("filters every customer and profile query by the variables; the exporter's own panels by neither", () => {
    const profileValues: string[] = Object.values(METRICS)
      .map((m) => m.name)
      .filter((name) => name.startsWith("avepoint_scan_profile_") && name !== METRICS.profileInfo.name);
    const customerValues: string[] = Object.values(METRICS)
      .map((m) => m.name)
      .filter((name) => name.startsWith("avepoint_customer_") && name !== METRICS.customerInfo.name);
    let filtered = 0;
    for (const { panel, refId, expr } of targets) {
      const where = `${panel.title} ${refId}`;
      for (const match of expr.matchAll(/\b(avepoint_[a-z_]+)(\{[^}]*\})?/g)) {
        const [, metric, selector = ""] = match as unknown as [string, string, string | undefined];
        if (profileValues.includes(metric)) {
          expect(selector, `${where}: ${metric}`).toContain(CUSTOMER);
          expect(selector, `${where}: ${metric}`).toContain(PROFILE);
          filtered++;
        } else if (customerValues.includes(metric)) {
          expect(selector, `${where}: ${metric}`).toContain(CUSTOMER);
          expect(selector, `${where}: ${metric}`).not.toContain(PROFILE);
          filtered++;
        } else if (metric !== METRICS.profileInfo.name && metric !== METRICS.customerInfo.name) {
          expect(selector, `${where}: ${metric} is the exporter's own`).not.toMatch(/\$customer|\$profile/);
        }
      }
      // a panel that filters says so in its row title; the exporter's panels are in a row that says they are not
      const about = /\$customer|\$profile/.test(expr);
      const row = [...dashboard.panels]
        .reverse()
        .find((p) => p.type === "row" && p.gridPos.y < panel.gridPos.y);
      expect(row?.title, where).toMatch(about ? /filter/ : /not filtered/);
    }
    expect(filtered).toBeGreaterThanOrEqual(25);
  });

  it("uses only variables it defines", () => {
    const defined = new Set([
      "datasource",
      "customer",
      "profile",
      "__rate_interval",
      "__all",
      "DS_PROMETHEUS",
    ]);
    for (const match of text.matchAll(/\$\{?(\w+)/g)) expect([...defined], match[0]).toContain(match[1]);
  });

  it("shows the AvePointRemovedObjectsSurge expression, filtered, in the daily changes row", () => {
    const panel = queried.find((p) => p.title.includes("AvePointRemovedObjectsSurge"));
    const rules = parse(read("prometheus/rules/avepoint-alerts.yml")) as {
      groups: { rules: { alert?: string; expr: string }[] }[];
    };
    const alert = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === "AvePointRemovedObjectsSurge");
    const squash = (s: string): string =>
      s
        .replaceAll(/\{[^}]*\}/g, "")
        .replaceAll(/\s+/g, " ")
        .trim();
    expect(squash(panel?.targets?.[0]?.expr ?? "")).toBe(squash(alert?.expr ?? "?"));
  });
});

describe("Grafana's formatting, as the tests emulate it", () => {
  it.each([
    ["plain GUID", ["0f8fad5b-d9cb-469f-a165-70867728950e"], "0f8fad5b-d9cb-469f-a165-70867728950e"],
    [
      "regex metacharacters",
      ["a.*b|c(d)[e]{f}+?^$"],
      "a\\\\.\\\\*b\\\\|c\\\\(d\\\\)\\\\[e\\\\]\\\\{f\\\\}\\\\+\\\\?\\\\^\\\\$",
    ],
    ["backslash", ["back\\slash"], "back\\\\\\\\slash"],
    ["quotes are left alone", [`it's "x"`], `it's "x"`],
    ["two values", ["a", "b.c"], "(a|b\\\\.c)"],
  ])("%s", (_name, values, expected) => {
    expect(formatSelection({ values }, ".*")).toBe(expected);
  });

  it("writes the custom all value for All, and built-in intervals", () => {
    expect(interpolate('x{customer_id=~"$customer"}[$__rate_interval]', { customer: { all: true } })).toBe(
      'x{customer_id=~".*"}[1m]',
    );
  });

  it("reads text and value out of a query_result() series whatever the name holds", () => {
    const regex = variable(readDashboard(), "customer").regex as string;
    const names = [
      'Müller & Söhne "GmbH"',
      "Line\nBreak Inc",
      'x",customer_name="y"} 1 2',
      "",
      "Back\\slash",
    ];
    const texts = names.map((name, i) =>
      queryResultText({ customer_id: `id-${i}`, customer_name: name }, [1700000000, "1"]),
    );
    texts.push(queryResultText({ customer_id: 'q"uote', customer_name: "Q" }, [1700000000, "1"]));
    expect(variableOptions(texts, regex)).toEqual(names.map((name, i) => ({ value: `id-${i}`, text: name })));
  });
});

describe("grafana/provisioning", () => {
  it("provisions a Prometheus data source", () => {
    const config = parse(read("grafana/provisioning/datasources/prometheus.yml")) as {
      apiVersion: number;
      datasources: { type: string; url: string; isDefault: boolean }[];
    };
    expect(config.apiVersion).toBe(1);
    expect(config.datasources).toEqual([
      expect.objectContaining({ type: "prometheus", url: "http://prometheus:9090", isDefault: true }),
    ]);
  });

  it("provisions the dashboards from the directory docker-compose.yml mounts", () => {
    const config = parse(read("grafana/provisioning/dashboards/avepoint.yml")) as {
      apiVersion: number;
      providers: { type: string; options: { path: string } }[];
    };
    const compose = parse(read("docker-compose.yml")) as { services: { grafana: { volumes: string[] } } };
    const mounted = compose.services.grafana.volumes.find((volume) =>
      volume.startsWith("./grafana/dashboards:"),
    );
    expect(config.apiVersion).toBe(1);
    expect(config.providers[0]?.type).toBe("file");
    expect(mounted?.split(":")[1]).toBe(config.providers[0]?.options.path);
  });
});
