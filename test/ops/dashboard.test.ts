/** The Grafana dashboard and its provisioning: valid, every panel queries Prometheus, variables work. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  datasource?: { type: string; uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const files = readdirSync(join(root, "grafana/dashboards")).filter((name) => name.endsWith(".json"));

describe.each(files)("grafana/dashboards/%s", (name) => {
  const text = read(`grafana/dashboards/${name}`);
  const dashboard = JSON.parse(text) as Dashboard;
  // rows group panels; they hold no query themselves
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const dataPanels = panels.filter((panel) => panel.type !== "row");
  const variables = dashboard.templating.list;

  it("is a Grafana 10+ dashboard with a stable uid and no instance-specific id", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).toBeTruthy();
    expect((dashboard as unknown as { id: unknown }).id).toBeNull();
  });

  it("is indented with 2 spaces (prettier keeps the rest in shape)", () => {
    for (const line of text.split("\n"))
      expect(/^(?: {2})*(?! )/.test(line) && !line.includes("\t"), line).toBe(true);
  });

  it("has unique panel ids and titles", () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    const titles = panels.map((panel) => panel.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("places every panel inside the 24-column grid without overlaps", () => {
    const cells = new Set<string>();
    for (const { title, gridPos } of panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it("has a query in every panel, on the ${datasource} variable", () => {
    expect(dataPanels.length).toBeGreaterThan(10);
    for (const panel of dataPanels) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.expr.trim(), panel.title).not.toBe("");
        expect(target.datasource, panel.title).toEqual(DATASOURCE);
      }
    }
  });

  it("has the datasource, customer and profile variables (multi, All)", () => {
    expect(variables.map((variable) => variable.name)).toEqual(["datasource", "customer", "profile"]);
    expect(variables[0]).toMatchObject({ type: "datasource", query: "prometheus" });
    for (const variable of variables.slice(1)) {
      expect(variable).toMatchObject({
        type: "query",
        multi: true,
        includeAll: true,
        datasource: DATASOURCE,
      });
      expect(variable.definition).toMatch(/^label_values\(avepoint_\w+_info(\{[^}]*\})?, \w+\)$/);
      expect((variable.query as { query: string }).query).toBe(variable.definition);
    }
  });

  it("uses only variables it defines", () => {
    const defined = new Set([
      ...variables.map((variable) => variable.name),
      "__rate_interval",
      "__range",
      "__all",
    ]);
    const used = [...text.matchAll(/\$\{?(\w+)/g)].map((match) => match[1] as string);
    for (const name of used) expect([...defined], `$${name}`).toContain(name);
  });

  it("filters the profile queries by the customer and profile variables", () => {
    const profileQueries = dataPanels
      .flatMap((panel) => panel.targets ?? [])
      .filter((target) => target.expr.includes("avepoint_scan_profile_info"));
    expect(profileQueries.length).toBeGreaterThan(3);
    for (const { expr } of profileQueries) {
      expect(expr).toContain('customer_name=~"$customer"');
      expect(expr).toContain('profile_name=~"$profile"');
    }
  });
});

describe("grafana/provisioning", () => {
  it("provisions a Prometheus data source", () => {
    const config = parse(read("grafana/provisioning/datasources/prometheus.yml")) as {
      apiVersion: number;
      datasources: { type: string; url: string }[];
    };
    expect(config.apiVersion).toBe(1);
    expect(config.datasources).toEqual([
      expect.objectContaining({ type: "prometheus", url: "http://prometheus:9090" }),
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
