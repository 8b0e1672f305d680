import { describe, expect, it } from "vitest";
import { series, value } from "../helpers/exposition.js";
import { shiftedClock, testExporter, testSimulator } from "../helpers/exporter.js";
import { waitFor } from "../helpers/wait.js";

const successes = (samples: ReturnType<typeof series>) =>
  series(samples, "avepoint_customer_collect_success");

describe("against a rate-limited, failing upstream", () => {
  it("collects every customer through a burst of 429s, counting the refusals and the pause", async () => {
    const simulator = await testSimulator({
      customers: 80,
      profilesPerCustomer: 2,
      faults: { latencyMs: 50, retryAfter: "1" },
    });
    // More retries than the burst has 429s: even a request that meets them all gets through.
    const exporter = await testExporter(simulator, ["--avepoint.max-retries=5", "--avepoint.concurrency=8"]);
    const scrape = exporter.scrape({ "x-prometheus-scrape-timeout-seconds": "20" });
    // The burst starts while the fan-out over customers is under way.
    await waitFor(() => simulator.stats().apiRequests >= 10);
    simulator.setFaults({ throttleBurst: 5 });
    expect((await scrape).status).toBe(200);
    // The scrape may be answered before the round ends (on a busy machine the pace of the first
    // customers predicts a round past its deadline); the round goes on, and its end is what counts.
    await exporter.rounds.idle();
    const { samples } = await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": "20" });
    expect(successes(samples).map((s) => s.value)).toEqual(Array(80).fill(1));
    const refused = series(samples, "avepoint_api_throttled_requests_total").reduce((a, s) => a + s.value, 0);
    expect(refused).toBe(5);
    expect(value(samples, "avepoint_api_throttled_seconds_total")).toBeGreaterThanOrEqual(0.9);
    const throttled = series(samples, "avepoint_api_requests_total", { code: "429" }).reduce(
      (a, s) => a + s.value,
      0,
    );
    expect(throttled).toBe(5);
  });

  it("answers within the scrape timeout while hung customers hold the round; they are not failed for it", async () => {
    const simulator = await testSimulator({ customers: 8, profilesPerCustomer: 1 });
    const slow = simulator.customers().slice(0, 3);
    const exporter = await testExporter(simulator, [
      "--collect.timeout-offset=0.2s",
      "--avepoint.max-retries=0",
      "--avepoint.request-timeout=3s",
    ]);
    await exporter.scrape();
    simulator.setFaults({ failCustomers: Object.fromEntries(slow.map((c) => [c.id, "hang" as const])) });
    const { status, samples } = await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": "1.5" });
    expect(status).toBe(200);
    // The round goes on after the answer: the hung customers are in progress, not failed, and keep
    // their previous result and values; nothing was counted as an error.
    expect(value(samples, "avepoint_collect_round_running")).toBe(1);
    for (const c of simulator.customers()) {
      expect(value(samples, "avepoint_customer_collect_success", { customer_id: c.id })).toBe(1);
      expect(series(samples, "avepoint_scan_profile_info", { customer_id: c.id })).toHaveLength(1);
    }
    expect(series(samples, "avepoint_customer_collect_errors_total")).toEqual([]);
    // Once their requests time out (--avepoint.request-timeout), that is a real failure.
    await exporter.rounds.idle();
    const after = (await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": "0.3" })).samples;
    for (const c of slow) {
      expect(value(after, "avepoint_customer_collect_success", { customer_id: c.id })).toBe(0);
      expect(
        value(after, "avepoint_customer_collect_errors_total", { customer_id: c.id, reason: "timeout" }),
      ).toBe(1);
    }
  });

  it("keeps a failing customer's last known values until --collect.max-stale, then drops them", async () => {
    const simulator = await testSimulator({ customers: 3, profilesPerCustomer: 2 });
    const clock = shiftedClock();
    const exporter = await testExporter(
      simulator,
      ["--collect.max-stale=10m", "--avepoint.max-retries=0"],
      {},
      { now: clock.now },
    );
    const bad = simulator.customers()[0]!;
    await exporter.scrape();
    simulator.setFaults({ failCustomers: { [bad.id]: 500 } });
    clock.advance(9 * 60_000);
    const kept = (await exporter.scrape()).samples;
    expect(value(kept, "avepoint_customer_collect_success", { customer_id: bad.id })).toBe(0);
    expect(series(kept, "avepoint_scan_profile_info", { customer_id: bad.id })).toHaveLength(2);
    clock.advance(2 * 60_000);
    const { samples } = await exporter.scrape();
    expect(value(samples, "avepoint_customer_collect_success", { customer_id: bad.id })).toBe(0);
    expect(series(samples, "avepoint_scan_profile_info", { customer_id: bad.id })).toHaveLength(0);
    expect(series(samples, "avepoint_scan_profile_info")).toHaveLength(4);
  });

  it("reports avepoint_up 0 while the token endpoint is down and 1 when it is back, always with HTTP 200", async () => {
    const simulator = await testSimulator({
      customers: 4,
      profilesPerCustomer: 1,
      faults: { tokenStatus: 503 },
    });
    const exporter = await testExporter(simulator, ["--avepoint.max-retries=1"]);
    const down = await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": "5" });
    expect(down.status).toBe(200);
    expect(value(down.samples, "avepoint_up")).toBe(0);
    simulator.setFaults({ tokenStatus: null });
    const back = await exporter.scrape();
    expect(back.status).toBe(200);
    expect(value(back.samples, "avepoint_up")).toBe(1);
    expect(successes(back.samples).every((s) => s.value === 1)).toBe(true);
  });

  it("survives a token expiring in the middle of a collection", async () => {
    const simulator = await testSimulator({
      customers: 60,
      profilesPerCustomer: 2,
      faults: { tokenLifetimeSeconds: 1, latencyMs: 40 },
    });
    const exporter = await testExporter(simulator, ["--avepoint.concurrency=2"]);
    const { samples } = await exporter.scrape();
    expect(successes(samples).map((s) => s.value)).toEqual(Array(60).fill(1));
    expect(simulator.stats().tokenRequests).toBeGreaterThanOrEqual(2);
  });

  it("serves scrapes within --collect.min-interval from the last collection (one fan-out for an HA pair)", async () => {
    const simulator = await testSimulator({ customers: 5, profilesPerCustomer: 1 });
    const clock = shiftedClock();
    const exporter = await testExporter(simulator, ["--collect.min-interval=30s"], {}, { now: clock.now });
    simulator.resetStats();
    const first = await exporter.scrape();
    clock.advance(29_000);
    const second = await exporter.scrape();
    expect(simulator.stats().apiRequests).toBe(1 + 5);
    expect(value(second.samples, "avepoint_last_collect_timestamp_seconds")).toBe(
      value(first.samples, "avepoint_last_collect_timestamp_seconds"),
    );
    clock.advance(2_000);
    const third = await exporter.scrape();
    expect(simulator.stats().apiRequests).toBe(2 * (1 + 5));
    expect(value(third.samples, "avepoint_last_collect_timestamp_seconds")).toBeGreaterThan(
      value(first.samples, "avepoint_last_collect_timestamp_seconds")! + 30,
    );
  });

  it("logs one line per failed customer and collection, not per retry", async () => {
    const simulator = await testSimulator({ customers: 3, profilesPerCustomer: 1 });
    const bad = simulator.customers()[1]!;
    simulator.setFaults({ failCustomers: { [bad.id]: 500 } });
    const exporter = await testExporter(simulator, ["--avepoint.max-retries=2"]);
    await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": "10" });
    const lines = exporter.logs.filter((l) => l.includes("customer collection failed"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ customer_id: bad.id, reason: "http_5xx" });
  });
});
