import { describe, expect, it } from "vitest";
import { series, value } from "../helpers/exposition.js";
import { SECRET, testExporter, testSimulator } from "../helpers/exporter.js";

const STATUS_NAMES = [
  "none",
  "running",
  "finished",
  "failed",
  "finished_with_exception",
  "skipped",
  "pending",
  "error_start",
  "canceled",
  "rejected",
  "stopped",
  "not_scan",
  "disabled",
  "not_start",
  "wait_for_the_configuration",
];

describe("exporter against the v3 simulator", () => {
  it("shows every profile with its exact status, counts and names", async () => {
    const simulator = await testSimulator({ customers: 30, profilesPerCustomer: 4, seed: 7 });
    const exporter = await testExporter(simulator);
    const { status, samples } = await exporter.scrape();
    expect(status).toBe(200);
    expect(value(samples, "avepoint_up")).toBe(1);
    let profiles = 0;
    for (const customer of simulator.customers()) {
      const ids = { customer_id: customer.id };
      expect(value(samples, "avepoint_customer_collect_success", ids)).toBe(1);
      expect(series(samples, "avepoint_customer_info", ids)[0]?.labels.customer_name).toBe(
        customer.organization,
      );
      expect(value(samples, "avepoint_customer_job_status", ids)).toBe(customer.jobStatus);
      expect(value(samples, "avepoint_customer_scan_profiles", ids)).toBe(
        simulator.profiles(customer.id).length,
      );
      for (const p of simulator.profiles(customer.id)) {
        profiles++;
        const pid = { ...ids, profile_id: p.profileId };
        const info = series(samples, "avepoint_scan_profile_info", pid);
        expect(info).toHaveLength(1);
        expect(info[0]?.labels.profile_name).toBe(p.profileName);
        expect(info[0]?.labels.tenant_domain).toBe(p.tenantDomain);
        expect(value(samples, "avepoint_scan_profile_last_scan_status", pid)).toBe(p.lastScanStatus);
        const state = series(samples, "avepoint_scan_profile_last_scan_state", pid);
        expect(state.map((s) => s.labels.state)).toEqual([STATUS_NAMES[p.lastScanStatus] ?? "unknown"]);
        expect(value(samples, "avepoint_scan_profile_new_registered_objects", pid)).toBe(
          p.newRegisteredContentCount,
        );
        expect(value(samples, "avepoint_scan_profile_moved_objects", pid)).toBe(p.movedToAnotherContainer);
        expect(value(samples, "avepoint_scan_profile_removed_objects", pid)).toBe(
          p.removedFromMicrosoft365OrOutofPolicy,
        );
        expect(value(samples, "avepoint_scan_profile_daily_report_timestamp_seconds", pid)).toBe(
          Date.parse(p.lastUpdateTime) / 1000,
        );
        expect(value(samples, "avepoint_scan_profile_modified_timestamp_seconds", pid)).toBe(
          Date.parse(p.modifiedTime) / 1000,
        );
      }
    }
    expect(series(samples, "avepoint_scan_profile_info")).toHaveLength(profiles);
  });

  it("round-trips awkward names (quotes, backslashes, newlines, emoji, 300 characters) exactly", async () => {
    const simulator = await testSimulator({ customers: 60, profilesPerCustomer: 2, seed: 3 });
    const names = simulator.customers().map((c) => c.organization);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => n.includes("\\"))).toBe(true);
    expect(names.some((n) => n.includes("\n"))).toBe(true);
    expect(names.some((n) => /\p{Extended_Pictographic}/u.test(n))).toBe(true);
    expect(names.some((n) => n.length >= 300)).toBe(true);
    const exporter = await testExporter(simulator);
    const { samples } = await exporter.scrape();
    const exposed = new Set(series(samples, "avepoint_customer_info").map((s) => s.labels.customer_name));
    for (const name of names) expect(exposed.has(name)).toBe(true);
  });

  it("makes exactly the requests of the v3 plan: ⌈C/100⌉ + C·⌈P/100⌉", async () => {
    const simulator = await testSimulator({ customers: 250, profilesPerCustomer: 3 });
    const exporter = await testExporter(simulator);
    simulator.resetStats();
    await exporter.scrape();
    const stats = simulator.stats();
    expect(stats.apiRequests).toBe(3 + 250);
    expect(stats.tokenRequests).toBe(1);
    await exporter.scrape();
    expect(simulator.stats().apiRequests).toBe(2 * 253);
    expect(simulator.stats().tokenRequests).toBe(1);
  });

  it("calls the per-profile endpoint only for list rows without status", async () => {
    const simulator = await testSimulator({ customers: 20, profilesPerCustomer: 5, incompleteRowRate: 0.3 });
    const exporter = await testExporter(simulator);
    simulator.resetStats();
    const { samples } = await exporter.scrape();
    const detail =
      simulator.stats().byEndpoint[
        "GET /partner/external/v3/general/customers/{customerId}/scan-profiles-v2/{scanProfileId}"
      ] ?? 0;
    expect(detail).toBeGreaterThan(0);
    expect(detail).toBeLessThan(100);
    expect(simulator.stats().apiRequests).toBe(1 + 20 + detail);
    for (const c of simulator.customers())
      for (const p of simulator.profiles(c.id))
        expect(value(samples, "avepoint_scan_profile_last_scan_status", { profile_id: p.profileId })).toBe(
          p.lastScanStatus,
        );
  });

  it("isolates a customer answering 500 or 403; avepoint_up stays 1", async () => {
    const simulator = await testSimulator({ customers: 10, profilesPerCustomer: 2 });
    const [a, b] = simulator.customers();
    simulator.setFaults({ failCustomers: { [a!.id]: 500, [b!.id]: 403 } });
    const exporter = await testExporter(simulator, ["--avepoint.max-retries=1"]);
    const { status, samples } = await exporter.scrape();
    expect(status).toBe(200);
    expect(value(samples, "avepoint_up")).toBe(1);
    for (const c of simulator.customers()) {
      const failing = c.id === a!.id || c.id === b!.id;
      expect(value(samples, "avepoint_customer_collect_success", { customer_id: c.id })).toBe(
        failing ? 0 : 1,
      );
    }
    expect(series(samples, "avepoint_scan_profile_info")).toHaveLength(16);
  });

  it("reports avepoint_up 0 with HTTP 200 when the identity service refuses the credentials", async () => {
    const simulator = await testSimulator({ customers: 3, faults: { tokenStatus: 400 } });
    const exporter = await testExporter(simulator);
    const { status, samples } = await exporter.scrape();
    expect(status).toBe(200);
    expect(value(samples, "avepoint_up")).toBe(0);
    expect(value(samples, "avepoint_token_requests_total", { result: "failure" })).toBeGreaterThanOrEqual(1);
    expect(exporter.logs.join("\n")).toMatch(/cannot list customers/);
  });

  it("shares one collection between five simultaneous scrapes", async () => {
    const simulator = await testSimulator({
      customers: 12,
      profilesPerCustomer: 2,
      faults: { latencyMs: 30 },
    });
    const exporter = await testExporter(simulator);
    simulator.resetStats();
    const results = await Promise.all(Array.from({ length: 5 }, () => exporter.scrape()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(simulator.stats().apiRequests).toBe(1 + 12);
  });

  it("drops a deleted profile and shows a changed status at the next scrape", async () => {
    const simulator = await testSimulator({ customers: 4, profilesPerCustomer: 3 });
    const exporter = await testExporter(simulator);
    const customer = simulator.customers()[0]!;
    const [gone, changed] = simulator.profiles(customer.id);
    expect(
      series((await exporter.scrape()).samples, "avepoint_scan_profile_info", {
        profile_id: gone!.profileId,
      }),
    ).toHaveLength(1);
    simulator.deleteProfile(customer.id, gone!.profileId);
    simulator.updateProfile(customer.id, changed!.profileId, { lastScanStatus: 3 });
    const { samples } = await exporter.scrape();
    expect(series(samples, "avepoint_scan_profile_info", { profile_id: gone!.profileId })).toHaveLength(0);
    expect(
      series(samples, "avepoint_scan_profile_last_scan_status", { profile_id: gone!.profileId }),
    ).toHaveLength(0);
    expect(value(samples, "avepoint_scan_profile_last_scan_status", { profile_id: changed!.profileId })).toBe(
      3,
    );
    expect(
      series(samples, "avepoint_scan_profile_last_scan_state", { profile_id: changed!.profileId }).map(
        (s) => s.labels.state,
      ),
    ).toEqual(["failed"]);
  });

  it("never has more than --avepoint.concurrency requests in flight", async () => {
    const simulator = await testSimulator({
      customers: 120,
      profilesPerCustomer: 2,
      faults: { latencyMs: 5, latencyJitterMs: 10 },
    });
    const exporter = await testExporter(simulator, [
      "--avepoint.concurrency=4",
      "--avepoint.rate-limit=10000",
    ]);
    simulator.resetStats();
    await exporter.scrape();
    expect(simulator.stats().maxInFlight).toBe(4);
  });

  it("keeps a failing customer's last known values with success 0", async () => {
    const simulator = await testSimulator({ customers: 5, profilesPerCustomer: 2 });
    const exporter = await testExporter(simulator, ["--avepoint.max-retries=0"]);
    const customer = simulator.customers()[0]!;
    const first = await exporter.scrape();
    const before = series(first.samples, "avepoint_scan_profile_last_scan_status", {
      customer_id: customer.id,
    });
    simulator.setFaults({ failCustomers: { [customer.id]: 500 } });
    const { samples } = await exporter.scrape();
    expect(value(samples, "avepoint_customer_collect_success", { customer_id: customer.id })).toBe(0);
    expect(series(samples, "avepoint_scan_profile_last_scan_status", { customer_id: customer.id })).toEqual(
      before,
    );
    expect(
      value(samples, "avepoint_customer_collect_errors_total", {
        customer_id: customer.id,
        reason: "http_5xx",
      }),
    ).toBe(1);
  });

  it("never shows the client secret in /metrics, the landing page or logs", async () => {
    const simulator = await testSimulator({ customers: 3, clientSecret: SECRET });
    const exporter = await testExporter(simulator);
    const metrics = await exporter.scrape();
    const landing = await exporter.app.inject({ method: "GET", url: "/" });
    simulator.setFaults({ tokenStatus: 401 });
    expect(landing.body).toContain("AvePoint Exporter");
    for (const text of [metrics.text, landing.body, exporter.logs.join("\n")])
      expect(text).not.toContain(SECRET);
  });
});
