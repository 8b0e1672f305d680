/**
 * End to end, the day of a big clean-up: a real Prometheus with eight days of history backfilled
 * (`promtool tsdb create-blocks-from openmetrics`) scrapes an exporter of flavor v3-batch whose
 * simulator lists a million removed objects in one profile's daily report, as long as the count.
 * AvePointRemovedObjectsSurge fires for that profile — and not for a profile whose count rose
 * less than twofold over the same history.
 *
 * Without `prometheus` and `promtool` on PATH this skips, unless REQUIRE_PROMETHEUS=1 (CI), where it fails.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSimulator, type SimProfile, type Simulator } from "avepoint-simulator";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";
import { onPath, startPrometheus, type PrometheusServer } from "./prometheus-server.js";
import { fastRules } from "./stack.js";

const prometheusBinary = onPath("prometheus");
const promtool = onPath("promtool");
const required = process.env.REQUIRE_PROMETHEUS === "1";
const missing = prometheusBinary === undefined || promtool === undefined;
if (missing && !required)
  console.warn("test/e2e/surge.test.ts: prometheus or promtool is not on PATH; skipped.");

const root = fileURLToPath(new URL("../../", import.meta.url));
const DAY = 86_400;
/** The everyday count of both profiles over the backfilled week. */
const USUAL = 500;
const CLEAN_UP = 1_000_000;
/** Below twice the usual count: no surge. */
const MILD = 900;
const WAIT = { timeout: 150_000, interval: 500 };

/**
 * Eight days of `avepoint_scan_profile_removed_objects` for `profiles`, one sample every six hours,
 * ending more than a day ago (the alert's baseline is `[7d] offset 1d`), in OpenMetrics.
 */
const history = (profiles: readonly { customerId: string; profileId: string }[], now: number): string => {
  const lines = [
    "# HELP avepoint_scan_profile_removed_objects Objects removed from Microsoft 365 or out of policy in the latest daily report.",
    "# TYPE avepoint_scan_profile_removed_objects gauge",
  ];
  for (const { customerId, profileId } of profiles)
    for (let t = now - 8 * DAY; t < now - DAY - 3600; t += 6 * 3600)
      lines.push(
        `avepoint_scan_profile_removed_objects{job="avepoint",instance="history:9000",customer_id="${customerId}",profile_id="${profileId}"} ${USUAL} ${t}`,
      );
  lines.push("# EOF", "");
  return lines.join("\n");
};

const run = (file: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(" ")}: ${String(err)}\n${stderr}`)) : resolve(stdout),
    ),
  );

describe.skipIf(missing)(
  `AvePointRemovedObjectsSurge on a big clean-up day${missing ? " (skipped: prometheus not installed)" : ""}`,
  () => {
    let sim: Simulator;
    let exporter: TestExporter | undefined;
    let prometheus: PrometheusServer | undefined;
    let dir: string;
    let surging: SimProfile;
    let mild: SimProfile;
    let surgingCustomer: string;

    beforeAll(async () => {
      sim = await startSimulator({ flavor: "v3-batch", customers: 2, profilesPerCustomer: 1, seed: 24 });
      const [first, second] = sim.customers();
      const fresh = new Date(Math.floor(Date.now() / 1000 - 600) * 1000).toISOString().replace(".000Z", "Z");
      // A big clean-up day for the first customer's profile (its list as long as the count), a
      // modest rise for the second's.
      surgingCustomer = first!.id;
      surging = sim.stageCleanupDay(CLEAN_UP, first!.id);
      mild = sim.stageCleanupDay(MILD, second!.id);
      for (const customer of [first!, second!])
        for (const p of sim.profiles(customer.id))
          sim.updateProfile(customer.id, p.profileId, { lastUpdateTime: fresh });

      dir = mkdtempSync(join(tmpdir(), "avepoint-surge-"));
      const now = Math.floor(Date.now() / 1000);
      const input = join(dir, "history.om");
      writeFileSync(
        input,
        history(
          [
            { customerId: first!.id, profileId: surging.profileId },
            { customerId: second!.id, profileId: mild.profileId },
          ],
          now,
        ),
      );
      mkdirSync(join(dir, "data"));
      await run(promtool as string, [
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        "--quiet",
        input,
        join(dir, "data"),
      ]);

      // One round reads the report; later scrapes are served from it (a busy machine must not time
      // them out while a next round reads 100 MB again, or the series would go stale between them).
      exporter = await exporterFor(sim, [
        "--avepoint.api-flavor=v3-batch",
        "--collect.timeout-offset=0.3s",
        "--collect.min-interval=1h",
      ]);
      await exporter.app.listen({ host: "127.0.0.1", port: 0 });
      const target = `127.0.0.1:${(exporter.app.server.address() as AddressInfo).port}`;
      mkdirSync(join(dir, "rules"));
      const ruleDir = join(root, "prometheus/rules");
      const ruleFiles = readdirSync(ruleDir).filter((name) => name.endsWith(".yml"));
      for (const name of ruleFiles) writeFileSync(join(dir, "rules", name), fastRules(join(ruleDir, name)));
      const config = stringify({
        global: { scrape_interval: "2s", scrape_timeout: "2s", evaluation_interval: "1s" },
        rule_files: ruleFiles.map((name) => `rules/${name}`),
        scrape_configs: [{ job_name: "avepoint", static_configs: [{ targets: [target] }] }],
      });
      prometheus = await startPrometheus(prometheusBinary as string, dir, config);
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.close();
      await sim?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    const prom = (): PrometheusServer => prometheus as PrometheusServer;

    it("the backfilled week is the baseline the rule sees", async () => {
      const baseline = await prom().query(
        "max by (customer_id, profile_id) (max_over_time(avepoint_scan_profile_removed_objects[7d] offset 1d))",
      );
      expect(baseline.map((s) => Number(s.value[1]))).toEqual([USUAL, USUAL]);
    });

    it("the million removed objects arrive as the exact count, and the surge fires for that profile only", async () => {
      await vi.waitFor(async () => {
        const now = await prom().query(`avepoint_scan_profile_removed_objects{job="avepoint"}`);
        const byProfile = new Map(now.map((s) => [s.metric.profile_id, Number(s.value[1])]));
        expect(byProfile.get(surging.profileId), prom().log()).toBe(CLEAN_UP);
        expect(byProfile.get(mild.profileId)).toBe(MILD);
      }, WAIT);
      await vi.waitFor(async () => {
        const firing = (await prom().alerts()).filter(
          (a) => a.labels.alertname === "AvePointRemovedObjectsSurge" && a.state === "firing",
        );
        expect(firing.map((a) => [a.labels.customer_id, a.labels.profile_id])).toEqual([
          [surgingCustomer, surging.profileId],
        ]);
      }, WAIT);
      // The customer was collected, and the report read whole (about 100 bytes an object).
      const success = await prom().query(
        `avepoint_customer_collect_success{customer_id="${surgingCustomer}"}`,
      );
      expect(success.map((s) => s.value[1])).toEqual(["1"]);
      const read = await prom().query(`sum(avepoint_api_report_read_bytes_total{job="avepoint"})`);
      expect(Number(read[0]?.value[1])).toBeGreaterThan(CLEAN_UP * 90);
    }, 330_000);
  },
);
