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
import { stringify } from "yaml";
import { onPath } from "../helpers/tools.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const rulesDir = join(root, "prometheus/rules");
const testsDir = join(root, "prometheus/tests");
const dashboardsDir = join(root, "grafana/dashboards");

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

describe("promtool", () => {
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

  describe("dashboard queries compile", () => {
    const scratch = mkdtempSync(join(tmpdir(), "avepoint-dashboard-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    for (const name of readdirSync(dashboardsDir).filter((n) => n.endsWith(".json"))) {
      it.skipIf(missing)(`every query of ${name}${skipNote}`, async () => {
        const dashboard = JSON.parse(readFileSync(join(dashboardsDir, name), "utf8")) as {
          panels: { id: number; targets?: { refId: string; expr: string }[] }[];
        };
        // Grafana's variables replaced by what they become for "All" and a 1m scrape interval.
        const rules = dashboard.panels.flatMap((panel) =>
          (panel.targets ?? []).map((target) => ({
            record: `dashboard:panel_${panel.id}:${target.refId.toLowerCase()}`,
            expr: target.expr
              .replaceAll(/\$(customer|profile)\b/g, ".*")
              .replaceAll("$__rate_interval", "4m")
              .replaceAll("$__range", "1d"),
          })),
        );
        expect(rules.length).toBeGreaterThan(0);
        const file = join(scratch, `${name}.rules.yml`);
        writeFileSync(file, stringify({ groups: [{ name: "dashboard", rules }] }));
        expect(await promtoolOk("check", "rules", file)).toContain(`SUCCESS: ${rules.length} rules found`);
      });
    }
  });
});
