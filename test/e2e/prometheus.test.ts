/**
 * End to end: a real Prometheus scrapes the exporter, which collects from the simulator, and
 * evaluates the shipped rules. Through Prometheus's HTTP API: the metric table of design §2 arrives
 * with the simulator's values, AvePointScanFailed fires for the profile the simulator makes fail
 * (with its names), and every query of the Grafana dashboard returns data.
 *
 * Without `prometheus` on PATH this skips, unless REQUIRE_PROMETHEUS=1 (CI), where it fails.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { METRICS } from "../../src/metrics/names.js";
import {
  startSimulator,
  type SimCustomer,
  type SimProfile,
  type Simulator,
} from "../../src/simulator/server.js";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";
import { onPath, startPrometheus, type PrometheusServer, type VectorSample } from "./prometheus-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const binary = onPath("prometheus");
const required = process.env.REQUIRE_PROMETHEUS === "1";
const missing = binary === undefined;
if (missing && !required)
  console.warn("test/e2e/prometheus.test.ts: prometheus is not on PATH; skipped (install `prometheus`).");

const CUSTOMERS = 8;
const PROFILES = 3;
/** Bound of every wait on Prometheus; a healthy run needs a few seconds for each. */
const WAIT = { timeout: 20_000, interval: 250 };

/** Design §2's metrics that exist before anything goes wrong; the other three need faults. */
const NEED_FAULTS = new Set<string>([
  METRICS.customerErrors.name,
  METRICS.apiRetries.name,
  METRICS.apiParseErrors.name,
  // counted per endpoint once AvePoint refuses a request
  METRICS.apiThrottled.name,
]);
const seriesName = (name: string): string => (name === METRICS.apiDuration.name ? `${name}_bucket` : name);

/**
 * The shipped rules, made fast: every alert's `for:` becomes 2s and the recording groups are
 * evaluated every second instead of every minute. This test proves the expressions and labels
 * against real data; the `for:` durations themselves are proven by the promtool unit tests
 * (prometheus/tests, run by test/ops/promtool.test.ts).
 */
const fastRules = (file: string): string => {
  const doc = parse(readFileSync(file, "utf8")) as {
    groups: { interval?: string; rules: { for?: string }[] }[];
  };
  for (const group of doc.groups) {
    if (group.interval !== undefined) group.interval = "1s";
    for (const rule of group.rules) if (rule.for !== undefined) rule.for = "2s";
  }
  return stringify(doc);
};

interface Target {
  refId: string;
  expr: string;
  range?: boolean;
  instant?: boolean;
}
interface Panel {
  id: number;
  title: string;
  targets?: Target[];
  panels?: Panel[];
}

/** Every query of the dashboard, with Grafana's variables as they are for "All" in a 5m view. */
const dashboardQueries = (): { name: string; expr: string; range: boolean }[] => {
  const dashboard = JSON.parse(
    readFileSync(join(root, "grafana/dashboards/avepoint-fleet.json"), "utf8"),
  ) as {
    panels: Panel[];
  };
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      const expr = target.expr
        .replaceAll(/\$\{(customer|profile)(:[a-z]+)?\}|\$(customer|profile)\b/g, ".*")
        .replaceAll(/\$\{?__rate_interval\}?/g, "1m")
        .replaceAll(/\$\{?__interval\}?/g, "15s")
        .replaceAll(/\$\{?__range\}?/g, "5m");
      // A variable this test does not know would reach Prometheus as text: fail, do not guess.
      expect(expr, `panel ${panel.id} "${panel.title}" ${target.refId}`).not.toMatch(/\$\{?\w/);
      return {
        name: `panel ${panel.id} "${panel.title}" ${target.refId}`,
        expr,
        range: target.range === true && target.instant !== true,
      };
    }),
  );
};

/** Panels that cannot have data in this setup, with the reason. Empty: all of them can. */
const NO_DATA_EXPECTED: Readonly<Record<string, string>> = {};

const byProfile = (samples: readonly VectorSample[]): Map<string, number> =>
  new Map(samples.map((s) => [s.metric.profile_id ?? "", Number(s.value[1])]));

describe.skipIf(missing)(
  `Prometheus scrapes the exporter${missing ? " (skipped: prometheus not installed)" : ""}`,
  () => {
    let sim: Simulator;
    let exporter: TestExporter;
    let prometheus: PrometheusServer | undefined;
    let dir: string;
    let customers: SimCustomer[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "avepoint-e2e-"));
      sim = await startSimulator({ customers: CUSTOMERS, profilesPerCustomer: PROFILES, seed: 7 });
      customers = [...sim.customers()];
      // No scan may be failed before the test fails one, and every daily report is fresh; the other
      // states of the generated data stay, so that the status values differ between profiles.
      const fresh = new Date(Math.floor(Date.now() / 1000 - 600) * 1000).toISOString().replace(".000Z", "Z");
      for (const customer of customers)
        for (const profile of sim.profiles(customer.id))
          sim.updateProfile(customer.id, profile.profileId, {
            lastUpdateTime: fresh,
            ...([3, 7].includes(profile.lastScanStatus) ? { lastScanStatus: 2 } : {}),
          });

      exporter = await exporterFor(sim, ["--collect.timeout-offset=0.3s"]);
      await exporter.app.listen({ host: "127.0.0.1", port: 0 });
      const { port } = exporter.app.server.address() as AddressInfo;

      mkdirSync(join(dir, "rules"));
      const ruleDir = join(root, "prometheus/rules");
      const ruleFiles = readdirSync(ruleDir).filter((name) => name.endsWith(".yml"));
      for (const name of ruleFiles) writeFileSync(join(dir, "rules", name), fastRules(join(ruleDir, name)));
      const config = stringify({
        // scrape_timeout may not exceed the interval; the exporter keeps 0.3 s of it back.
        global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
        rule_files: ruleFiles.map((name) => `rules/${name}`),
        scrape_configs: [
          {
            job_name: "avepoint", // AvePointExporterDown expects this job name
            metrics_path: exporter.config.web.telemetryPath,
            static_configs: [{ targets: [`127.0.0.1:${port}`] }],
          },
        ],
      });
      prometheus = await startPrometheus(binary as string, dir, config);
    }, 30_000);

    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.close();
      await sim?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 20_000);

    const prom = (): PrometheusServer => prometheus as PrometheusServer;
    const withLog = (message: string): string => `${message}\n--- prometheus log ---\n${prom().log()}`;

    it("scrapes the target and stores the series of design §2 with the simulator's values", async () => {
      await vi.waitFor(async () => {
        const targets = await prom().targets();
        expect(targets, withLog("targets")).toHaveLength(1);
        expect(targets[0]?.labels.job).toBe("avepoint");
        expect(targets[0]?.health, targets[0]?.lastError).toBe("up");
        expect(await prom().query("avepoint_up")).toMatchObject([{ value: [expect.any(Number), "1"] }]);
      }, WAIT);

      for (const { name } of Object.values(METRICS)) {
        if (NEED_FAULTS.has(name)) continue;
        expect(await prom().query(`count(${seriesName(name)})`), name).toHaveLength(1);
      }
      const count = async (expr: string): Promise<number> => Number((await prom().query(expr))[0]?.value[1]);
      expect(await count("count(avepoint_scan_profile_info)")).toBe(CUSTOMERS * PROFILES);
      expect(await count("count(avepoint_scan_profile_last_scan_state)")).toBe(CUSTOMERS * PROFILES);
      expect(await count("count(avepoint_customer_info)")).toBe(CUSTOMERS);
      expect(await count("sum(avepoint_customer_collect_success)")).toBe(CUSTOMERS);
      expect(await count(`count(avepoint_exporter_build_info{version="test"})`)).toBe(1);

      const info = await prom().query("avepoint_scan_profile_info");
      const status = byProfile(await prom().query("avepoint_scan_profile_last_scan_status"));
      const added = byProfile(await prom().query("avepoint_scan_profile_new_registered_objects"));
      const moved = byProfile(await prom().query("avepoint_scan_profile_moved_objects"));
      const removed = byProfile(await prom().query("avepoint_scan_profile_removed_objects"));
      const report = byProfile(await prom().query("avepoint_scan_profile_daily_report_timestamp_seconds"));
      const profileCounts = await prom().query("avepoint_customer_scan_profiles");
      const customerInfo = await prom().query("avepoint_customer_info");
      const statuses = new Set<number>();
      for (const customer of customers) {
        expect(customerInfo.find((s) => s.metric.customer_id === customer.id)?.metric.customer_name).toBe(
          customer.organization,
        );
        expect(profileCounts.find((s) => s.metric.customer_id === customer.id)?.value[1]).toBe(
          String(PROFILES),
        );
        for (const p of sim.profiles(customer.id)) {
          const labels = info.find((s) => s.metric.profile_id === p.profileId)?.metric;
          expect(labels, p.profileId).toMatchObject({
            job: "avepoint",
            customer_id: customer.id,
            customer_name: customer.organization,
            profile_name: p.profileName,
            tenant_id: p.tenantId,
            tenant_domain: p.tenantDomain,
          });
          expect(status.get(p.profileId), p.profileId).toBe(p.lastScanStatus);
          expect(added.get(p.profileId)).toBe(p.newRegisteredContentCount);
          expect(moved.get(p.profileId)).toBe(p.movedToAnotherContainer);
          expect(removed.get(p.profileId)).toBe(p.removedFromMicrosoft365OrOutofPolicy);
          expect(report.get(p.profileId)).toBe(Date.parse(p.lastUpdateTime) / 1000);
          statuses.add(p.lastScanStatus);
        }
      }
      // The comparison means something only if the profiles differ.
      expect(statuses.size).toBeGreaterThan(2);
    }, 30_000);

    it("fires AvePointScanFailed with the profile's names when the simulator fails its scan", async () => {
      const customer = customers[2] as SimCustomer;
      const profile = sim.profiles(customer.id)[1] as SimProfile;
      expect(profile.lastScanStatus).not.toBe(3);
      expect(await prom().query(`ALERTS{alertname="AvePointScanFailed"}`)).toEqual([]);

      sim.updateProfile(customer.id, profile.profileId, { lastScanStatus: 3 });

      await vi.waitFor(async () => {
        const alerts = (await prom().alerts()).filter((a) => a.labels.alertname === "AvePointScanFailed");
        expect(alerts, withLog("AvePointScanFailed")).toHaveLength(1);
        expect(alerts[0]).toMatchObject({
          state: "firing",
          labels: {
            alertname: "AvePointScanFailed",
            severity: "critical",
            job: "avepoint",
            state: "failed",
            customer_id: customer.id,
            profile_id: profile.profileId,
            customer_name: customer.organization,
            profile_name: profile.profileName,
            tenant_domain: profile.tenantDomain,
          },
          annotations: {
            summary: `AvePoint scan failed: ${customer.organization} / ${profile.profileName}`,
          },
        });
      }, WAIT);
    }, 30_000);

    it("answers every dashboard query with data once faults have produced retries and errors", async () => {
      // Retries (a burst of 429s with a short Retry-After), a customer whose answers are not JSON
      // (parse errors, collection errors, collect_success 0), on top of the failed scan above.
      const broken = customers[5] as SimCustomer;
      sim.setFaults({ throttleBurst: 3, retryAfter: "0.05", failCustomers: { [broken.id]: "badjson" } });

      await vi.waitFor(async () => {
        for (const name of NEED_FAULTS) expect(await prom().query(`count(${name})`), name).toHaveLength(1);
        // The failing customer keeps its last known profiles, marked as not collected.
        expect(
          await prom().query(`avepoint_customer_collect_success{customer_id="${broken.id}"} == 0`),
        ).toHaveLength(1);
        expect(await prom().query(`avepoint_scan_profile_info{customer_id="${broken.id}"}`)).toHaveLength(
          PROFILES,
        );
      }, WAIT);

      const queries = dashboardQueries();
      expect(queries.length).toBeGreaterThanOrEqual(25);
      const empty = async (): Promise<string[]> => {
        const names: string[] = [];
        for (const { name, expr, range } of queries) {
          if (name in NO_DATA_EXPECTED) continue;
          const hasData = range
            ? (await prom().queryRange(expr, 60)).some((series) => series.values.length > 0)
            : (await prom().query(expr)).length > 0;
          if (!hasData) names.push(`${name}: ${expr}`);
        }
        return names;
      };
      await vi.waitFor(async () => expect(await empty()).toEqual([]), WAIT);

      await vi.waitFor(async () => {
        const failing = (await prom().alerts()).filter(
          (a) => a.labels.alertname === "AvePointCustomerCollectFailing",
        );
        expect(failing).toMatchObject([
          { state: "firing", labels: { customer_id: broken.id, customer_name: broken.organization } },
        ]);
      }, WAIT);
    }, 45_000);
  },
);

describe("Prometheus end to end", () => {
  it("prometheus is on PATH wherever REQUIRE_PROMETHEUS=1 asks for it", () => {
    if (required)
      expect(missing, "REQUIRE_PROMETHEUS=1 but prometheus is not on PATH (apt-get install prometheus)").toBe(
        false,
      );
  });
});
