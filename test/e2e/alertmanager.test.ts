/**
 * What the people on call receive: a real Prometheus evaluates the shipped rules on the exporter's
 * series and sends to a real Alertmanager running the shipped routing, grouping and inhibition;
 * a webhook receiver inside the test records every notification.
 *
 * (a) failed scans: every firing AvePointScanFailed is notified, named, in one notification per customer;
 * (c) a fleet-wide scan failure: at most two pages (firing and resolved), none per profile;
 * inhibition: an outage-level alert mutes the collection alerts of the same exporter;
 * (b) an AvePoint outage: the outage is notified, nothing about single customers or profiles;
 * (d) a restart of the exporter with its state kept, during an incident: nothing notified.
 *
 * Without prometheus and prometheus-alertmanager on PATH this skips, unless REQUIRE_PROMETHEUS=1 (CI).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSimulator, type SimCustomer, type Simulator } from "avepoint-simulator";
import { alertmanagerBinary, type Notification } from "./alertmanager-server.js";
import { startAlertingStack, type AlertingStack } from "./alerting-stack.js";
import { onPath } from "./prometheus-server.js";

const prometheus = onPath("prometheus");
const alertmanager = alertmanagerBinary();
const required = process.env.REQUIRE_PROMETHEUS === "1";
const missing = prometheus === undefined || alertmanager === undefined;
if (missing && !required)
  console.warn(
    "test/e2e/alertmanager.test.ts: prometheus or prometheus-alertmanager is not on PATH; skipped.",
  );

/** 20 customers: more than the circuit breaker's 10 consecutive failures. */
const CUSTOMERS = 20;
const PROFILES = 2;
/** Bound of every wait; a healthy run needs a few seconds for each. */
const WAIT = { timeout: 45_000, interval: 250 };
const FAILED = 3;
const FINISHED = 2;

describe.skipIf(missing && !required)(
  `Alertmanager delivers what the routing promises${missing ? " (skipped: not installed)" : ""}`,
  () => {
    let sim: Simulator;
    let stack: AlertingStack | undefined;
    let customers: SimCustomer[];

    beforeAll(async () => {
      expect(missing, "REQUIRE_PROMETHEUS=1 but prometheus or prometheus-alertmanager is missing").toBe(
        false,
      );
      sim = await startSimulator({ customers: CUSTOMERS, profilesPerCustomer: PROFILES, seed: 11 });
      customers = [...sim.customers()];
      const fresh = new Date(Math.floor(Date.now() / 1000 - 600) * 1000).toISOString().replace(".000Z", "Z");
      for (const customer of customers)
        for (const profile of sim.profiles(customer.id))
          sim.updateProfile(customer.id, profile.profileId, {
            lastUpdateTime: fresh,
            lastScanStatus: FINISHED,
          });
      stack = await startAlertingStack(sim, {
        prometheus: prometheus as string,
        alertmanager: alertmanager as string,
      });
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      await sim?.close();
    }, 30_000);

    const s = (): AlertingStack => stack as AlertingStack;
    const withLogs = (message: string): string =>
      `${message}\n--- notifications ---\n${JSON.stringify(s().receiver.received, null, 1)}` +
      `\n--- alertmanager log ---\n${s().alertmanager.log().split("\n").slice(-40).join("\n")}`;
    /**
     * Notifications received from index `from` on, less AvePointExporterDown: on a busy machine a
     * 1-second scrape of the test's own exporter may time out, and that alert (about the harness, not
     * about AvePoint or a customer) may come and go; every other alert counts.
     */
    const since = (from: number): Notification[] =>
      s()
        .receiver.received.slice(from)
        .map((n) => ({ ...n, alerts: n.alerts.filter((a) => a.labels.alertname !== "AvePointExporterDown") }))
        .filter((n) => n.alerts.length > 0);
    const alertsIn = (notes: readonly Notification[]) => notes.flatMap((n) => n.alerts);
    const setStatus = (pairs: readonly (readonly [string, string])[], status: number): void => {
      for (const [customerId, profileId] of pairs)
        sim.updateProfile(customerId, profileId, { lastScanStatus: status });
    };
    const profilePairs = (customer: SimCustomer): (readonly [string, string])[] =>
      sim.profiles(customer.id).map((p) => [customer.id, p.profileId] as const);

    it("the exporter is scraped and no alert fires on a healthy fleet", async () => {
      await vi.waitFor(async () => {
        const up = await s().prometheus.query("sum(avepoint_customer_collect_success)");
        expect(up[0]?.value[1]).toBe(String(CUSTOMERS));
      }, WAIT);
      expect(since(0)).toEqual([]);
    });

    it("(a) notifies every failed scan, named, in one notification per customer", async () => {
      const from = s().receiver.received.length;
      // four customers: two with both profiles failed, two with one (6 of 40 profiles: not fleet-wide)
      const hit = customers.slice(0, 4);
      const failed = [
        ...profilePairs(hit[0] as SimCustomer),
        ...profilePairs(hit[1] as SimCustomer),
        (profilePairs(hit[2] as SimCustomer)[0] as readonly [string, string]) ?? [],
        (profilePairs(hit[3] as SimCustomer)[1] as readonly [string, string]) ?? [],
      ] as (readonly [string, string])[];
      setStatus(failed, FAILED);

      await vi.waitFor(() => {
        const firing = alertsIn(since(from)).filter(
          (a) => a.status === "firing" && a.labels.alertname === "AvePointScanFailed",
        );
        expect(
          new Set(firing.map((a) => a.labels.profile_id)),
          withLogs("every failed scan notified"),
        ).toEqual(new Set(failed.map(([, profileId]) => profileId)));
      }, WAIT);
      const firingNotes = since(from).filter((n) => n.status === "firing");
      for (const note of firingNotes) {
        expect(note.path).toBe("/avepoint-pager");
        // one customer per notification, its alerts named
        expect(new Set(note.alerts.map((a) => a.labels.customer_id)).size).toBe(1);
        for (const alert of note.alerts) {
          const customer = customers.find((c) => c.id === alert.labels.customer_id);
          const profile = sim
            .profiles(alert.labels.customer_id ?? "")
            .find((p) => p.profileId === alert.labels.profile_id);
          expect(alert.labels.customer_name).toBe(customer?.organization);
          expect(alert.labels.profile_name).toBe(profile?.profileName);
          expect(alert.annotations.runbook_url).toMatch(/RUNBOOK\.md#avepointscanfailed$/);
          expect(alert.annotations.last_report).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
        }
      }

      // The scans run again and finish: once every customer's resolved notification has come, the
      // wave is over; each customer was notified once firing and once resolved.
      setStatus(failed, FINISHED);
      await vi.waitFor(() => {
        const resolved = alertsIn(since(from)).filter(
          (a) => a.status === "resolved" && a.labels.alertname === "AvePointScanFailed",
        );
        expect(new Set(resolved.map((a) => a.labels.profile_id)), withLogs("resolved")).toEqual(
          new Set(failed.map(([, profileId]) => profileId)),
        );
      }, WAIT);
      const perCustomer = new Map<string, number>();
      for (const note of since(from).filter((n) => n.status === "firing"))
        for (const id of new Set(note.alerts.map((a) => a.labels.customer_id ?? "")))
          perCustomer.set(id, (perCustomer.get(id) ?? 0) + 1);
      expect(Object.fromEntries(perCustomer), withLogs("firing notifications per customer")).toEqual(
        Object.fromEntries(hit.map((c) => [c.id, 1])),
      );
      // nothing else was notified
      expect(alertsIn(since(from)).filter((a) => a.labels.alertname !== "AvePointScanFailed")).toEqual([]);
    }, 120_000);

    it("(c) pages a fleet-wide scan failure at most twice, and never per profile", async () => {
      const from = s().receiver.received.length;
      // 26 of 40 profiles fail at once: AvePoint's incident
      const failed = customers.slice(0, 13).flatMap(profilePairs);
      setStatus(failed, FAILED);
      await vi.waitFor(() => {
        expect(
          alertsIn(since(from)).some(
            (a) => a.status === "firing" && a.labels.alertname === "AvePointScanFailedFleetWide",
          ),
          withLogs("fleet-wide page"),
        ).toBe(true);
      }, WAIT);
      setStatus(failed, FINISHED);
      await vi.waitFor(() => {
        expect(
          alertsIn(since(from)).some(
            (a) => a.status === "resolved" && a.labels.alertname === "AvePointScanFailedFleetWide",
          ),
          withLogs("fleet-wide resolved"),
        ).toBe(true);
      }, WAIT);
      const pages = since(from).filter((n) => n.path === "/avepoint-pager");
      expect(pages.length, withLogs("pages")).toBeLessThanOrEqual(2);
      expect(
        alertsIn(since(from)).filter((a) => a.labels.alertname !== "AvePointScanFailedFleetWide"),
      ).toEqual([]);
    }, 120_000);

    it("inhibits the collection alerts of an exporter whose outage alert fires", async () => {
      const from = s().receiver.received.length;
      const target = { job: "inhibition-check", instance: "exporter-x:10123" };
      const startsAt = new Date().toISOString();
      const alert = (labels: Record<string, string>) => ({
        labels: { ...labels },
        annotations: { summary: labels.alertname ?? "" },
        startsAt,
      });
      await s().alertmanager.post([
        alert({ alertname: "AvePointApiUnreachable", severity: "critical", ...target }),
        alert({
          alertname: "AvePointCustomerCollectFailing",
          severity: "warning",
          ...target,
          customer_id: "muted",
        }),
        // the same alert of another exporter: not muted, and it says when the muted one would have come
        alert({
          alertname: "AvePointCustomerCollectFailing",
          severity: "warning",
          job: "inhibition-check",
          instance: "exporter-y:10123",
          customer_id: "control",
        }),
      ]);
      await vi.waitFor(() => {
        const names = alertsIn(since(from)).map((a) => `${a.labels.alertname}/${a.labels.customer_id ?? ""}`);
        expect(names, withLogs("outage and control notified")).toEqual(
          expect.arrayContaining(["AvePointApiUnreachable/", "AvePointCustomerCollectFailing/control"]),
        );
      }, WAIT);
      const muted = (await s().alertmanager.alerts()).find((a) => a.labels.customer_id === "muted");
      expect(muted?.status.state).toBe("suppressed");
      expect(muted?.status.inhibitedBy.length).toBe(1);
      expect(alertsIn(since(from)).filter((a) => a.labels.customer_id === "muted")).toEqual([]);
      // resolve them again, so that they leave the last test alone
      const endsAt = new Date().toISOString();
      await s().alertmanager.post(
        [
          { alertname: "AvePointApiUnreachable", severity: "critical", ...target },
          {
            alertname: "AvePointCustomerCollectFailing",
            severity: "warning",
            ...target,
            customer_id: "muted",
          },
        ].map((labels) => ({ labels, startsAt, endsAt })),
      );
    }, 120_000);

    it("(b) notifies an AvePoint outage once, and nothing about single customers or profiles", async () => {
      const inhibitionDone = s().receiver.received.length;
      const phaseStart = Date.now();
      // every customer's profile calls fail with 503; the listing still works
      sim.setFaults({ failCustomers: Object.fromEntries(customers.map((c) => [c.id, 503])) });
      await vi.waitFor(() => {
        expect(
          since(inhibitionDone).some(
            (n) =>
              n.status === "firing" &&
              n.alerts.some(
                (a) => a.labels.alertname === "AvePointApiUnreachable" && a.labels.job === "avepoint",
              ),
          ),
          withLogs("outage notified"),
        ).toBe(true);
      }, WAIT);
      // the rounds stopped early: the breaker is open, and the customers not attempted kept their result
      expect((await s().prometheus.query("avepoint_collect_circuit_open"))[0]?.value[1]).toBe("1");
      expect(
        Number((await s().prometheus.query("sum(avepoint_customer_collect_success)"))[0]?.value[1]),
      ).toBeGreaterThan(0);
      expect(
        Number((await s().prometheus.query('avepoint_collect_rounds_total{result="halted"}'))[0]?.value[1]),
      ).toBeGreaterThan(0);

      sim.setFaults({ failCustomers: {} });
      await vi.waitFor(async () => {
        expect(
          since(inhibitionDone).some((n) =>
            n.alerts.some(
              (a) =>
                a.status === "resolved" &&
                a.labels.alertname === "AvePointApiUnreachable" &&
                a.labels.job === "avepoint",
            ),
          ),
          withLogs("outage resolved"),
        ).toBe(true);
        const collected = await s().prometheus.query("sum(avepoint_customer_collect_success)");
        expect(collected[0]?.value[1]).toBe(String(CUSTOMERS));
      }, WAIT);
      const aboutCustomers = alertsIn(since(inhibitionDone)).filter(
        (a) => a.labels.customer_id !== undefined || a.labels.profile_id !== undefined,
      );
      expect(aboutCustomers, withLogs("nothing about single customers")).toEqual([]);
      // Prometheus never fired a per-customer alert: the rules knew it was an outage. (The first
      // failures of a round, before five have failed, may be pending for a scrape or two: `for:` is
      // far longer than that, 30 minutes as shipped.)
      const window = Math.ceil((Date.now() - phaseStart) / 1000) + 1;
      const fired = await s().prometheus.query(
        `count_over_time(ALERTS{alertstate="firing",alertname=~"AvePointCustomer.*|AvePointDailyReportStale|AvePointScanFailed"}[${window}s])`,
      );
      expect(fired).toEqual([]);
    }, 120_000);
  },
);

/**
 * (d) A restart during an incident notifies nobody. Timings, scaled from test/e2e/restart.test.ts
 * (20 s down against keep_firing_for 30 s) to this stack: keep_firing_for 10 s, 4 s down. The
 * series go stale at the first failed scrape, so keep_firing_for alone holds the alerts over the
 * downtime; after it has run out only what the restarted exporter serves holds them. The restarted
 * exporter collects at 0.5 requests/s and the failing scans are the last three customers of the
 * listing: a clean start would reach them 40 s or more in, long after the check has ended, so the
 * alerts stay firing only through the restored state. Alertmanager notifies within group_interval
 * (2 s) of a change; the check runs keep_firing_for + group_interval + 4 s past the first scrape
 * of the restarted exporter: about 10 s past the moment keep_firing_for runs out (11 s after the stop).
 */
const RESTART = {
  keepFiringFor: 10_000,
  downtime: 4_000,
  groupInterval: 2_000,
  margin: 4_000,
  rate: "0.5",
} as const;

describe.skipIf(missing && !required)(
  `a restart of the exporter with its state kept notifies nobody${missing ? " (skipped: not installed)" : ""}`,
  () => {
    let sim: Simulator;
    let stack: AlertingStack | undefined;
    let dir: string;
    const failing: (readonly [string, string])[] = [];

    beforeAll(async () => {
      expect(missing, "REQUIRE_PROMETHEUS=1 but prometheus or prometheus-alertmanager is missing").toBe(
        false,
      );
      expect(RESTART.downtime).toBeLessThan(RESTART.keepFiringFor);
      sim = await startSimulator({ customers: CUSTOMERS, profilesPerCustomer: PROFILES, seed: 11 });
      const customers = [...sim.customers()];
      const fresh = new Date(Math.floor(Date.now() / 1000 - 600) * 1000).toISOString().replace(".000Z", "Z");
      // The incident: the first scan profile of each of the last three customers of the listing failed
      // (3 of 40 profiles: customers' problems, not a fleet-wide failure).
      for (const [index, customer] of customers.entries())
        for (const [n, profile] of sim.profiles(customer.id).entries()) {
          const fails = index >= CUSTOMERS - 3 && n === 0;
          if (fails) failing.push([customer.id, profile.profileId]);
          sim.updateProfile(customer.id, profile.profileId, {
            lastUpdateTime: fresh,
            lastScanStatus: fails ? FAILED : FINISHED,
          });
        }
      dir = mkdtempSync(join(tmpdir(), "avepoint-alerting-restart-"));
      stack = await startAlertingStack(
        sim,
        { prometheus: prometheus as string, alertmanager: alertmanager as string },
        {
          exporterArgs: [`--storage.path=${join(dir, "state")}`],
          keepFiringFor: `${RESTART.keepFiringFor / 1000}s`,
        },
      );
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      await sim?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    const s = (): AlertingStack => stack as AlertingStack;
    const withLogs = (message: string): string =>
      `${message}\n--- notifications ---\n${JSON.stringify(s().receiver.received, null, 1)}` +
      `\n--- alertmanager log ---\n${s().alertmanager.log().split("\n").slice(-40).join("\n")}` +
      `\n--- exporter log ---\n${s().exporter.logs.slice(-20).join("\n")}`;
    /** As in the cases above: AvePointExporterDown of the test's own scrape does not count. */
    const since = (from: number): Notification[] =>
      s()
        .receiver.received.slice(from)
        .map((n) => ({ ...n, alerts: n.alerts.filter((a) => a.labels.alertname !== "AvePointExporterDown") }))
        .filter((n) => n.alerts.length > 0);
    const failingKeys = (): string[] => failing.map(([c, p]) => `${c} ${p}`).sort();
    /** The failed scans whose AvePointScanFailed is firing in Prometheus now. */
    const firingInPrometheus = async (): Promise<string[]> =>
      (await s().prometheus.alerts())
        .filter((a) => a.labels.alertname === "AvePointScanFailed" && a.state === "firing")
        .map((a) => `${a.labels.customer_id} ${a.labels.profile_id}`)
        .sort();

    it("(d) notifies nothing, firing or resolved, across a graceful restart during an incident", async () => {
      // The incident is under way: every failed scan firing in Prometheus and notified.
      await vi.waitFor(async () => {
        const notified = since(0)
          .flatMap((n) => n.alerts)
          .filter((a) => a.status === "firing" && a.labels.alertname === "AvePointScanFailed")
          .map((a) => `${a.labels.customer_id} ${a.labels.profile_id}`);
        expect([...new Set(notified)].sort(), withLogs("the incident notified")).toEqual(failingKeys());
        expect(await firingInPrometheus()).toEqual(failingKeys());
      }, WAIT);
      // Anything still on its way from the incident's start has arrived: nothing new for a group_interval.
      let from = -1;
      for (let i = 0; i < 20 && from !== s().receiver.received.length; i++) {
        from = s().receiver.received.length;
        await sleep(RESTART.groupInterval + 500);
      }
      expect(s().receiver.received.length, withLogs("notifications settled")).toBe(from);
      expect(
        since(0).filter((n) => n.status === "resolved"),
        withLogs("nothing resolved yet"),
      ).toEqual([]);

      // The restart: stopped as on SIGTERM (the state is saved), down for a while, started again on the
      // same address and state directory, collecting slowly.
      const stopped = Date.now();
      await s().restartExporter(
        [`--storage.path=${join(dir, "state")}`, `--avepoint.rate-limit=${RESTART.rate}`],
        RESTART.downtime,
      );
      const started = Date.now();
      // Served again: Prometheus has scraped the restarted exporter.
      await vi.waitFor(async () => {
        const [target] = await s().prometheus.targets();
        expect(target?.health).toBe("up");
        expect(Date.parse((target as unknown as { lastScrape: string }).lastScrape)).toBeGreaterThan(started);
      }, WAIT);
      const watchUntil = Date.now() + RESTART.keepFiringFor + RESTART.groupInterval + RESTART.margin;
      // Nothing arrives, and Prometheus keeps every failed scan firing, until well past keep_firing_for.
      const problems: string[] = [];
      while (Date.now() < watchUntil) {
        const firing = await firingInPrometheus();
        if (firing.join() !== failingKeys().join())
          problems.push(
            `${Math.round((Date.now() - stopped) / 1000)} s after the stop: firing ${firing.join(", ")}`,
          );
        await sleep(1000);
      }
      expect(since(from), withLogs("notified across the restart")).toEqual([]);
      expect(problems, withLogs("AvePointScanFailed left the firing state")).toEqual([]);
      expect(await firingInPrometheus()).toEqual(failingKeys());
      // ... and it is the restored state that held them: the restarted exporter has not reached them.
      const [restored] = await s().prometheus.query('avepoint_state_restore_result{result="restored"}');
      expect(restored?.value[1], withLogs("state restored")).toBe("1");
    }, 180_000);
  },
);
