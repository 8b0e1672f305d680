/**
 * A restart notifies nobody: with a real Prometheus evaluating the shipped rules, a graceful restart
 * of the exporter with 20 s of downtime in the middle of an incident leaves every firing alert about
 * a customer or a profile firing, and none pending, from the stop until well after the start.
 *
 * Timings are scaled so that the check means what it says. `for:` becomes 2 s and `keep_firing_for`
 * 30 s: longer than the downtime (the series are stale from the first failed scrape on, so without
 * keep_firing_for every alert would resolve), shorter than what the restarted exporter needs to
 * reach the failing customers by collecting (it restarts at 5 requests/s; the failing customers sit
 * after the 120th of 200 in the listing, 24 s or more in). Only the restored state keeps them firing
 * once keep_firing_for has run out, and the checks go on past that point.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { STATE_FILE } from "../../src/state/file.js";
import { SECRET } from "../helpers/exporter.js";
import { startProcess, type RunningExporter } from "../helpers/process.js";
import {
  freePort,
  onPath,
  startPrometheus,
  type ActiveAlert,
  type PrometheusServer,
} from "./prometheus-server.js";

const binary = onPath("prometheus");
const missing = binary === undefined;
const root = fileURLToPath(new URL("../../", import.meta.url));

const CUSTOMERS = 200;
const DOWNTIME_MS = 20_000;
const KEEP_FIRING_FOR = "30s";
/** Alerts about a customer or a profile carry its ID. */
const aboutACustomer = (alert: ActiveAlert): boolean => alert.labels.customer_id !== undefined;
const keyOf = (alert: ActiveAlert): string =>
  `${alert.labels.alertname} ${alert.labels.customer_id} ${alert.labels.profile_id ?? ""}`;

/**
 * The shipped rules with `for:` at 2 s and `keep_firing_for` at 30 s (every alert but
 * AvePointExporterDown carries it): this test proves the exporter's part, promtool the rules' values.
 */
const scaledRules = (file: string): string => {
  const doc = parse(readFileSync(file, "utf8")) as {
    groups: { interval?: string; rules: { alert?: string; for?: string; keep_firing_for?: string }[] }[];
  };
  for (const group of doc.groups) {
    if (group.interval !== undefined) group.interval = "1s";
    for (const rule of group.rules) {
      if (rule.for !== undefined) rule.for = "2s";
      if (rule.keep_firing_for !== undefined) rule.keep_firing_for = KEEP_FIRING_FOR;
      else if (rule.alert !== undefined && rule.alert !== "AvePointExporterDown")
        throw new Error(`${rule.alert} has no keep_firing_for: a restart would resolve it`);
    }
  }
  return stringify(doc);
};

describe.skipIf(missing)(
  `a restart of the exporter${missing ? " (skipped: prometheus not installed)" : ""}`,
  () => {
    let sim: Simulator;
    let dir: string;
    let port: number;
    let prometheus: PrometheusServer | undefined;
    let exporter: RunningExporter | undefined;
    const failing: string[] = [];

    const exporterArgs = (rate: number): string[] => [
      `--web.listen-address=127.0.0.1:${port}`,
      `--avepoint.api-url=${sim.apiUrl}`,
      `--avepoint.token-url=${sim.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      "--avepoint.adaptive-rate=false",
      `--avepoint.rate-limit=${rate}`,
      "--avepoint.concurrency=2",
      "--collect.timeout-offset=0.3s",
      `--storage.path=${join(dir, "state")}`,
    ];

    beforeAll(async () => {
      sim = await startSimulator({ customers: CUSTOMERS, profilesPerCustomer: 2, seed: 11 });
      const fresh = new Date(Math.floor(Date.now() / 1000 - 600) * 1000).toISOString().replace(".000Z", "Z");
      const customers = sim.customers();
      // Only the incident fails: eight scans, of customers far down the listing.
      for (const [index, customer] of customers.entries())
        for (const profile of sim.profiles(customer.id)) {
          const fails = index >= 120 && index % 10 === 0 && profile === sim.profiles(customer.id)[0];
          if (fails) failing.push(`${customer.id} ${profile.profileId}`);
          sim.updateProfile(customer.id, profile.profileId, {
            lastUpdateTime: fresh,
            lastScanStatus: fails ? 3 : 2,
          });
        }
      dir = mkdtempSync(join(tmpdir(), "avepoint-restart-"));
      port = await freePort();
      mkdirSync(join(dir, "rules"));
      const ruleDir = join(root, "prometheus/rules");
      const ruleFiles = readdirSync(ruleDir).filter((name) => name.endsWith(".yml"));
      for (const name of ruleFiles) writeFileSync(join(dir, "rules", name), scaledRules(join(ruleDir, name)));
      // The first exporter collects fast: the whole fleet before the incident is looked at.
      exporter = await startProcess(exporterArgs(200), { AVEPOINT_CLIENT_SECRET: SECRET });
      prometheus = await startPrometheus(
        binary as string,
        dir,
        stringify({
          global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
          rule_files: ruleFiles.map((name) => `rules/${name}`),
          scrape_configs: [{ job_name: "avepoint", static_configs: [{ targets: [`127.0.0.1:${port}`] }] }],
        }),
      );
    }, 60_000);

    afterAll(async () => {
      await exporter?.stop();
      await prometheus?.stop();
      await sim?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it("keeps every firing customer and profile alert firing, none pending, across 20 s of downtime", async () => {
      const prom = prometheus as PrometheusServer;
      const withLog = (message: string): string =>
        `${message}\n--- exporter ---\n${exporter?.output().slice(-3000)}`;
      // The incident: every failed scan's alert firing.
      let firing: ActiveAlert[] = [];
      for (let i = 0; i < 60; i++) {
        firing = (await prom.alerts()).filter((a) => aboutACustomer(a) && a.state === "firing");
        const failed = new Set(
          firing
            .filter((a) => a.labels.alertname === "AvePointScanFailed")
            .map((a) => `${a.labels.customer_id} ${a.labels.profile_id}`),
        );
        if (failing.every((key) => failed.has(key))) break;
        await sleep(1000);
      }
      expect(failing).toHaveLength(8);
      const before = new Set(firing.map(keyOf));
      expect(before.size, withLog("the incident's alerts did not fire")).toBeGreaterThanOrEqual(
        failing.length,
      );

      // A graceful restart: SIGTERM (the state is saved), 20 s down, started again at 5 requests/s.
      expect(await exporter!.stop()).toBe(0);
      const problems: string[] = [];
      const check = async (phase: string): Promise<void> => {
        const alerts = (await prom.alerts()).filter(aboutACustomer);
        const now = new Map(alerts.map((a) => [keyOf(a), a.state]));
        for (const key of before)
          if (now.get(key) !== "firing") problems.push(`${phase}: ${key} ${now.get(key) ?? "resolved"}`);
        for (const a of alerts) if (a.state === "pending") problems.push(`${phase}: ${keyOf(a)} pending`);
      };
      const downUntil = Date.now() + DOWNTIME_MS;
      while (Date.now() < downUntil) {
        await check("down");
        await sleep(1000);
      }
      exporter = await startProcess(exporterArgs(5), { AVEPOINT_CLIENT_SECRET: SECRET });
      expect(exporter.output()).toMatch(/state restored/);
      // On past the end of keep_firing_for (30 s after the stop): only the served data holds them now.
      const watchUntil = Date.now() + 20_000;
      while (Date.now() < watchUntil) {
        await check("after the start");
        await sleep(1000);
      }
      expect(problems, withLog("alerts changed state across the restart")).toEqual([]);
    }, 180_000);

    /** Waits until Prometheus has scraped the exporter successfully since `since` (epoch ms). */
    const scrapedSince = async (since: number): Promise<void> => {
      const prom = prometheus as PrometheusServer;
      for (let i = 0; i < 60; i++) {
        const [target] = await prom.targets();
        if (
          target?.health === "up" &&
          Date.parse((target as unknown as { lastScrape: string }).lastScrape) > since
        )
          return;
        await sleep(500);
      }
      throw new Error("no successful scrape");
    };

    it("after a SIGKILL in the middle of a round, serves the whole fleet at the first scrape", async () => {
      const prom = prometheus as PrometheusServer;
      // The running exporter restarted at 5 requests/s: its round is under way.
      const running = exporter!;
      running.child.kill("SIGKILL");
      await running.stop();
      const started = Date.now();
      exporter = await startProcess(exporterArgs(5), { AVEPOINT_CLIENT_SECRET: SECRET });
      await scrapedSince(started);
      const [profiles] = await prom.query('count(avepoint_scan_profile_last_scan_status{job="avepoint"})');
      expect(Number(profiles?.value[1])).toBe(CUSTOMERS * 2);
      const [restored] = await prom.query('avepoint_state_restore_result{result="restored"}');
      expect(restored?.value[1]).toBe("1");
    }, 120_000);

    it("survives a corrupt state file, says so in one log line and a metric, and starts clean", async () => {
      const prom = prometheus as PrometheusServer;
      expect(await exporter!.stop()).toBe(0);
      const file = join(dir, "state", STATE_FILE);
      writeFileSync(file, readFileSync(file, "utf8").replace('"profiles":[', '"profiles": ['));
      const started = Date.now();
      exporter = await startProcess(exporterArgs(200), { AVEPOINT_CLIENT_SECRET: SECRET });
      await scrapedSince(started);
      const lines = exporter
        .output()
        .split("\n")
        .filter((line) => line.includes("state not restored"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toContain("reason=corrupt");
      const [corrupt] = await prom.query('avepoint_state_restore_result{result="corrupt"}');
      expect(corrupt?.value[1]).toBe("1");
    }, 120_000);
  },
);
