/**
 * End to end: a real Prometheus scrapes two exporters — one collecting from the simulator as the
 * static `job_name: avepoint`, one collecting from a fleet with hostile IDs and names the way the
 * Prometheus Operator scrapes a ServiceMonitor (job = Service name, namespace, service, pod) — and
 * evaluates the shipped rules. Through Prometheus's HTTP API: the metric table of design §2 arrives
 * with the simulator's values, the alerts fire with their names under both job namings
 * (AvePointExporterDown when each exporter stops), and every query of the Grafana dashboard returns
 * data, and, with hostile customers and profiles selected as Grafana formats them, the selected
 * customers' data only.
 *
 * Without `prometheus` on PATH this skips, unless REQUIRE_PROMETHEUS=1 (CI), where it fails.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { METRICS } from "../../src/metrics/names.js";
import { startSimulator, type SimCustomer, type SimProfile, type Simulator } from "avepoint-simulator";
import { optionsOf, panelQueries, runSelection } from "./dashboard-queries.js";
import type { Selection } from "../helpers/grafana.js";
import { interpolate } from "../helpers/grafana.js";
import { HOSTILE_FLEET } from "../hostile/fleet.js";
import { onPath, type ActiveAlert, type PrometheusServer, type VectorSample } from "./prometheus-server.js";
import { OPERATOR_TARGET, startStack, type Stack } from "./stack.js";

const binary = onPath("prometheus");
const required = process.env.REQUIRE_PROMETHEUS === "1";
const missing = binary === undefined;
if (missing && !required)
  console.warn("test/e2e/prometheus.test.ts: prometheus is not on PATH; skipped (install `prometheus`).");

const CUSTOMERS = 8;
const PROFILES = 3;
const FLEET_PROFILES = HOSTILE_FLEET.reduce((sum, customer) => sum + customer.profiles.length, 0);
/** Bound of every wait on Prometheus; a healthy run needs a few seconds for each. */
const WAIT = { timeout: 60_000, interval: 250 };

/** Design §2's metrics that exist before anything goes wrong; the other three need faults. */
const NEED_FAULTS = new Set<string>([
  METRICS.customerErrors.name,
  METRICS.apiRetries.name,
  METRICS.apiParseErrors.name,
  // counted per endpoint once AvePoint refuses a request
  METRICS.apiThrottled.name,
]);
/** Counted once a daily report is read as a stream: flavor v3-batch only (test/e2e/surge.test.ts). */
const OTHER_FLAVOR = new Set<string>([METRICS.apiReportReadBytes.name, METRICS.apiReportSkippedBytes.name]);
const seriesName = (name: string): string => (name === METRICS.apiDuration.name ? `${name}_bucket` : name);

/** Panels that cannot have data in this set-up, with the reason. */
const NO_DATA_EXPECTED: Readonly<Record<string, string>> = {
  "Sudden rises in removed objects (AvePointRemovedObjectsSurge)":
    "needs eight days of history (offset 1d, 7d); prometheus/tests/avepoint-changes.test.yml proves the expression",
};

const byProfile = (samples: readonly VectorSample[]): Map<string, number> =>
  new Map(samples.map((s) => [s.metric.profile_id ?? "", Number(s.value[1])]));

const ALL: Selection = { all: true };
const pick = (...values: string[]): Selection => ({ values });

describe.skipIf(missing)(
  `Prometheus scrapes the exporter${missing ? " (skipped: prometheus not installed)" : ""}`,
  () => {
    let sim: Simulator;
    let stack: Stack | undefined;
    let customers: SimCustomer[];

    beforeAll(async () => {
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
      stack = await startStack(sim, fresh, binary as string);
    }, 120_000);

    afterAll(async () => {
      await stack?.close();
      await sim?.close();
    }, 120_000);

    const prom = (): PrometheusServer => (stack as Stack).prometheus;
    const withLog = (message: string): string => `${message}\n--- prometheus log ---\n${prom().log()}`;
    const count = async (expr: string): Promise<number> => Number((await prom().query(expr))[0]?.value[1]);
    const alertsNamed = async (name: string): Promise<ActiveAlert[]> =>
      (await prom().alerts()).filter((a) => a.labels.alertname === name);

    it("scrapes both targets and stores the series of design §2 with the simulator's values", async () => {
      await vi.waitFor(async () => {
        const targets = await prom().targets();
        expect(targets, withLog("targets")).toHaveLength(2);
        for (const target of targets) expect(target.health, target.lastError).toBe("up");
        expect(targets.map((t) => t.labels.job).sort()).toEqual(["avepoint", "avepoint-exporter"]);
        expect(await prom().query("avepoint_up")).toMatchObject([
          { value: [expect.any(Number), "1"] },
          { value: [expect.any(Number), "1"] },
        ]);
        expect(await count(`count(avepoint_scan_profile_info{job="avepoint-exporter"})`)).toBe(
          FLEET_PROFILES,
        );
      }, WAIT);

      for (const { name } of Object.values(METRICS)) {
        if (NEED_FAULTS.has(name) || OTHER_FLAVOR.has(name)) continue;
        expect(await prom().query(`count(${seriesName(name)}{job="avepoint"})`), name).toHaveLength(1);
      }
      expect(await count(`count(avepoint_scan_profile_info{job="avepoint"})`)).toBe(CUSTOMERS * PROFILES);
      expect(await count(`count(avepoint_scan_profile_last_scan_state{job="avepoint"})`)).toBe(
        CUSTOMERS * PROFILES,
      );
      expect(await count(`count(avepoint_customer_info{job="avepoint"})`)).toBe(CUSTOMERS);
      expect(await count(`sum(avepoint_customer_collect_success{job="avepoint"})`)).toBe(CUSTOMERS);
      expect(await count(`count(avepoint_exporter_build_info{version="test"})`)).toBe(2);

      const info = await prom().query(`avepoint_scan_profile_info{job="avepoint"}`);
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
    }, 120_000);

    it("keeps the Operator's target labels and the exporter's own endpoint label (the target label dropped)", async () => {
      const info = await prom().query(`avepoint_scan_profile_info{job="avepoint-exporter"}`);
      expect(info).toHaveLength(FLEET_PROFILES);
      for (const sample of info) expect(sample.metric).toMatchObject(OPERATOR_TARGET);
      const endpoints = await prom().query(
        `count by (endpoint, exported_endpoint) (avepoint_api_requests_total{job="avepoint-exporter"})`,
      );
      expect(endpoints.length).toBeGreaterThan(0);
      for (const { metric } of endpoints) {
        expect(metric.endpoint).not.toBe("metrics");
        expect(metric.exported_endpoint).toBeUndefined();
      }
      expect(endpoints.map(({ metric }) => metric.endpoint)).toContain(
        "GET /partner/external/v3/general/customers/{customerId}/scan-profiles",
      );
    });

    it("fires AvePointScanFailed with the profile's names under both job namings", async () => {
      const customer = customers[2] as SimCustomer;
      const profile = sim.profiles(customer.id)[1] as SimProfile;
      expect(profile.lastScanStatus).not.toBe(3);
      expect(await prom().query(`ALERTS{alertname="AvePointScanFailed", job="avepoint"}`)).toEqual([]);

      sim.updateProfile(customer.id, profile.profileId, { lastScanStatus: 3 });

      await vi.waitFor(async () => {
        const alerts = (await alertsNamed("AvePointScanFailed")).filter((a) => a.labels.job === "avepoint");
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
          annotations: { summary: `AvePoint scan failed: ${customer.organization} / ${profile.profileName}` },
        });
      }, WAIT);

      // the hostile fleet's failed profiles, under the Operator's job and target labels
      const failed = HOSTILE_FLEET.flatMap((c) =>
        c.profiles.filter((p) => p.status === 3).map((p) => ({ c, p })),
      );
      expect(failed.length).toBeGreaterThan(1);
      await vi.waitFor(async () => {
        const alerts = (await alertsNamed("AvePointScanFailed")).filter(
          (a) => a.labels.job === OPERATOR_TARGET.job,
        );
        expect(alerts.filter((a) => a.state === "firing")).toHaveLength(failed.length);
        for (const { c, p } of failed)
          expect(alerts.find((a) => a.labels.profile_id === p.id)?.labels).toMatchObject({
            ...OPERATOR_TARGET,
            customer_id: c.id,
            customer_name: c.name,
            profile_name: p.name,
          });
      }, WAIT);
    }, 120_000);

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

      const queries = panelQueries();
      expect(queries.length).toBeGreaterThanOrEqual(25);
      const empty = async (): Promise<string[]> => {
        const names: string[] = [];
        for (const { name, expr, range } of queries) {
          if (Object.keys(NO_DATA_EXPECTED).some((title) => name.includes(`"${title}"`))) continue;
          const all = interpolate(expr, { customer: ALL, profile: ALL });
          const hasData = range
            ? (await prom().queryRange(all, 60)).some((series) => series.values.length > 0)
            : (await prom().query(all)).length > 0;
          if (!hasData) names.push(`${name}: ${all}`);
        }
        return names;
      };
      await vi.waitFor(async () => expect(await empty()).toEqual([]), WAIT);

      await vi.waitFor(async () => {
        expect(await alertsNamed("AvePointCustomerCollectFailing")).toMatchObject([
          { state: "firing", labels: { customer_id: broken.id, customer_name: broken.organization } },
        ]);
      }, WAIT);
    }, 120_000);

    it("offers every customer by name with its ID as value; namesakes apart; profiles of the selected customers", async () => {
      const everyone = [
        ...customers.map((c) => ({ id: c.id, name: c.organization })),
        ...HOSTILE_FLEET.map((c) => ({ id: c.id, name: c.name })),
      ];
      const shared = (name: string): boolean => everyone.filter((c) => c.name === name).length > 1;
      expect(everyone.some((c) => shared(c.name))).toBe(true);
      const expected = everyone
        .filter((c) => !c.id.includes('"'))
        .map((c) => ({ value: c.id, text: shared(c.name) ? `${c.name} · ${c.id}` : c.name }));
      const byValue = (a: { value: string }, b: { value: string }): number => a.value.localeCompare(b.value);
      expect((await optionsOf(prom(), "customer", {})).sort(byValue)).toEqual(expected.sort(byValue));

      // "Contoso" twice, each with its own two profiles; "a" has two profiles called "Teams"
      const contoso = HOSTILE_FLEET.filter((c) => c.name === "Contoso");
      const profiles = await optionsOf(prom(), "profile", { customer: pick(...contoso.map((c) => c.id)) });
      const texts = contoso.flatMap((c) =>
        c.profiles.map((p) => {
          const text = `${c.name} / ${p.name}`;
          const twice =
            contoso.flatMap((o) => o.profiles).filter((q) => `${c.name} / ${q.name}` === text).length > 1;
          return { value: p.id, text: twice ? `${text} · ${p.id}` : text };
        }),
      );
      expect(profiles.sort(byValue)).toEqual(texts.sort(byValue));
    });

    it("returns exactly the selected customers' and profiles' data for every query and hostile selection", async () => {
      await vi.waitFor(async () => {
        expect(await count(`count(avepoint_scan_profile_info{job="avepoint-exporter"})`)).toBe(
          FLEET_PROFILES,
        );
        expect(await count(`count(avepoint_scan_profile_info{job="avepoint"})`)).toBe(CUSTOMERS * PROFILES);
      }, WAIT);
      const selectable = HOSTILE_FLEET.filter((c) => !c.id.includes('"'));
      const hostileNames = customers.filter((c) => /["\n\\]/.test(c.organization));
      expect(hostileNames.length).toBeGreaterThan(0);
      // name, customers, profiles, the customer IDs and profile IDs the answers must show (null: not checked)
      const cases: [string, Selection, Selection, string[] | null, string[] | null][] = [
        ...[...selectable.map((c) => c.id), ...hostileNames.map((c) => c.id)].map(
          (id): [string, Selection, Selection, string[], null] => [
            `customer ${JSON.stringify(id)}`,
            pick(id),
            ALL,
            [id],
            null,
          ],
        ),
        ["customers .* and a|b", pick(".*", "a|b"), ALL, [".*", "a|b"], null],
        [
          "three customers, one with a hostile name",
          pick(hostileNames[0]?.id as string, "back\\slash", "x(1)[2]{3}+?^$"),
          ALL,
          [hostileNames[0]?.id as string, "back\\slash", "x(1)[2]{3}+?^$"],
          null,
        ],
        // the customer panels show every customer; the profile panels two profiles
        ["profiles .*#2 and a|b#1 of all customers", ALL, pick(".*#2", "a|b#1"), null, [".*#2", "a|b#1"]],
        ["profile a#1 of customer a", pick("a"), pick("a#1"), ["a"], ["a#1"]],
      ];
      const failures: string[] = [];
      for (const [name, customer, profile, wantCustomers, wantProfiles] of cases) {
        const result = await runSelection(prom(), customer, profile);
        failures.push(...result.differences.map((d) => `${name}: ${d}`));
        // not vacuous: the selected customers (and profiles) show up, and nobody else
        if (wantCustomers !== null)
          expect([...result.customers].sort(), name).toEqual([...wantCustomers].sort());
        if (wantProfiles !== null)
          expect([...result.profiles].sort(), name).toEqual([...wantProfiles].sort());
      }
      expect(failures).toEqual([]);

      // "All" is everyone, the unselectable customer included
      const all = await runSelection(prom(), ALL, ALL);
      expect(all.differences).toEqual([]);
      expect(all.customers).toContain('q"uote');
    }, 120_000);

    it("fires AvePointExporterDown for each stopped exporter, under its job name, and not before", async () => {
      const down = async (): Promise<ActiveAlert[]> => alertsNamed("AvePointExporterDown");
      // both targets have been up for many evaluations by now
      expect((await down()).filter((a) => a.state === "firing")).toEqual([]);

      await (stack as Stack).stop("fleetExporter");
      await vi.waitFor(async () => {
        const alerts = await down();
        expect(alerts, withLog("AvePointExporterDown")).toHaveLength(1);
        expect(alerts[0]).toMatchObject({
          state: "firing",
          labels: { ...OPERATOR_TARGET, severity: "critical" },
        });
      }, WAIT);

      await (stack as Stack).stop("exporter");
      await vi.waitFor(async () => {
        const alerts = await down();
        expect(alerts.map((a) => [a.state, a.labels.job]).sort()).toEqual([
          ["firing", "avepoint"],
          ["firing", "avepoint-exporter"],
        ]);
      }, WAIT);
    }, 120_000);
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
