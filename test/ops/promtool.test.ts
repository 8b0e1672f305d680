/**
 * promtool on the Prometheus files: rules and config are valid, the rule unit tests pass, and every
 * dashboard query compiles. Without promtool on PATH these skip, unless REQUIRE_PROMETHEUS=1 (CI).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  dataPanels,
  interpolate,
  readDashboard,
  variable,
  variableQuery,
  type Selection,
} from "../helpers/grafana.js";
import { HOSTILE_FLEET } from "../hostile/fleet.js";
import { onPath } from "../helpers/tools.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const rulesDir = join(root, "prometheus/rules");
const testsDir = join(root, "prometheus/tests");

const promtool = onPath("promtool");
const required = process.env.REQUIRE_PROMETHEUS === "1";
const missing = promtool === undefined;
const skipNote = missing ? " (skipped: promtool not installed)" : "";
if (missing && !required) {
  console.warn(
    "test/ops/promtool.test.ts: promtool is not on PATH; its checks are skipped (install `prometheus`).",
  );
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".yml"))
    .sort()
    .map((name) => join(dir, name));

/** Runs promtool; on failure the assertion message carries its whole output. */
async function promtoolOk(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(promtool as string, args, { cwd: root });
    return stdout + stderr;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    expect.unreachable(`promtool ${args.join(" ")} failed:\n${stdout}${stderr}`);
    throw error;
  }
}

// Each promtool run is a process of its own, independent of the others: they run side by side.
describe.concurrent("promtool", () => {
  it("promtool is on PATH wherever REQUIRE_PROMETHEUS=1 asks for it", () => {
    if (required)
      expect(missing, "REQUIRE_PROMETHEUS=1 but promtool is not on PATH (apt-get install prometheus)").toBe(
        false,
      );
  });

  it("there are rule files and rule test files", () => {
    expect(yamlFiles(rulesDir).length).toBeGreaterThanOrEqual(2);
    expect(yamlFiles(testsDir).length).toBeGreaterThanOrEqual(2);
  });

  for (const file of yamlFiles(rulesDir)) {
    it.skipIf(missing)(`promtool check rules ${file.slice(root.length)}${skipNote}`, async () => {
      expect(await promtoolOk("check", "rules", file)).toContain("SUCCESS");
    });
  }

  for (const file of yamlFiles(testsDir)) {
    it.skipIf(missing)(`promtool test rules ${file.slice(root.length)}${skipNote}`, async () => {
      expect(await promtoolOk("test", "rules", file)).toContain("SUCCESS");
    });
  }

  it.skipIf(missing)(`promtool check config prometheus/prometheus.yml${skipNote}`, async () => {
    const output = await promtoolOk("check", "config", join(root, "prometheus/prometheus.yml"));
    expect(output).toContain("SUCCESS: 2 rule files found");
  });

  describe("under the Prometheus Operator's job and target labels", () => {
    const scratch = mkdtempSync(join(tmpdir(), "avepoint-operator-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    // the alerts are what is scoped by target; recording rules aggregate the target away
    const alertTests = yamlFiles(testsDir).filter((file) =>
      readFileSync(file, "utf8").includes("alert_rule_test:"),
    );
    it("there are alert unit tests to relabel", () => expect(alertTests.length).toBeGreaterThanOrEqual(2));

    for (const file of alertTests) {
      it.skipIf(missing)(
        `promtool test rules ${file.slice(root.length)}, relabelled${skipNote}`,
        async () => {
          const { text, rewritten } = asOperator(readFileSync(file, "utf8"));
          expect(rewritten, "alerts with the exporter's job whose labels were rewritten").toBeGreaterThan(0);
          const copy = join(scratch, file.slice(testsDir.length + 1));
          writeFileSync(copy, text);
          expect(await promtoolOk("test", "rules", copy)).toContain("SUCCESS");
        },
      );
    }
  });

  describe("dashboard queries compile with hostile IDs selected", () => {
    const scratch = mkdtempSync(join(tmpdir(), "avepoint-dashboard-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    const dashboard = readDashboard();
    const ids = HOSTILE_FLEET.map((customer) => customer.id).filter((id) => !id.includes('"'));
    const profiles = HOSTILE_FLEET.flatMap((customer) =>
      customer.profiles.map((profile) => profile.id),
    ).filter((id) => !id.includes('"'));
    const selections: [string, Selection, Selection][] = [
      ["All", { all: true }, { all: true }],
      ...ids.map((id): [string, Selection, Selection] => [
        `customer ${JSON.stringify(id)}`,
        { values: [id] },
        { all: true },
      ]),
      ["every customer, one by one", { values: ids }, { values: profiles }],
    ];

    it.skipIf(missing)(`every query and variable of avepoint-fleet.json${skipNote}`, async () => {
      const exprs = [
        ...dataPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
        ...["customer", "profile"].map((name) => variableQuery(variable(dashboard, name))),
      ];
      const rules = selections.flatMap(([, customer, profile], s) =>
        exprs.map((expr, e) => ({
          record: `dashboard:s${s}:e${e}`,
          expr: interpolate(expr, { customer, profile }),
        })),
      );
      const file = join(scratch, "dashboard.rules.yml");
      writeFileSync(file, stringify({ groups: [{ name: "dashboard", rules }] }));
      expect(await promtoolOk("check", "rules", file)).toContain(`SUCCESS: ${rules.length} rules found`);
    });
  });
});

/** The Operator's target labels for the n-th target of a unit test (a pod of a StatefulSet). */
const operatorLabels = (n: number): Record<string, string> => ({
  job: "avepoint-exporter",
  instance: `10.0.0.${n + 1}:10123`,
  namespace: "monitoring",
  service: "avepoint-exporter",
  pod: `avepoint-exporter-${n}`,
  container: "exporter",
});

interface UnitTests {
  rule_files: string[];
  tests: {
    input_series?: { series: string }[];
    alert_rule_test?: {
      exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
    }[];
  }[];
}

/**
 * A unit test file as it would read if a ServiceMonitor scraped the exporter: every series of job
 * "avepoint" gets the Operator's job (the Service name) and target labels, and so does every alert
 * expected from it; annotations name the new instance and job. Rule files become absolute paths.
 */
function asOperator(text: string): { text: string; rewritten: number } {
  const doc = parse(text) as UnitTests;
  doc.rule_files = doc.rule_files.map((file) => join(testsDir, file));
  let rewritten = 0;
  for (const test of doc.tests) {
    const targets = new Map<string, Record<string, string>>();
    const labelsOf = (instance: string): Record<string, string> => {
      if (!targets.has(instance)) targets.set(instance, operatorLabels(targets.size));
      return targets.get(instance) as Record<string, string>;
    };
    for (const input of test.input_series ?? []) {
      input.series = input.series.replace(/job="avepoint",instance="([^"]+)"/, (_all, instance: string) =>
        Object.entries(labelsOf(instance))
          .map(([key, value]) => `${key}="${value}"`)
          .join(","),
      );
      expect(input.series).not.toMatch(/job="avepoint"/);
    }
    for (const check of test.alert_rule_test ?? [])
      for (const alert of check.exp_alerts ?? []) {
        if (alert.exp_labels?.job !== "avepoint") continue;
        const instance = alert.exp_labels.instance as string;
        const labels = labelsOf(instance);
        Object.assign(alert.exp_labels, labels);
        for (const [key, value] of Object.entries(alert.exp_annotations ?? {}))
          (alert.exp_annotations as Record<string, string>)[key] = value
            .replaceAll(instance, labels.instance as string)
            .replaceAll("(job avepoint)", `(job ${labels.job})`);
        rewritten++;
      }
  }
  return { text: stringify(doc), rewritten };
}
