/**
 * Rounds against the simulator over loopback, scaled down from a real fleet: a round that takes
 * several times the scrape timeout, scrapes that keep coming, a scan failing mid-run, nonsense
 * timeout headers, and a fleet larger than the round bound.
 */
import { describe, expect, it } from "vitest";
import type { Sample } from "../helpers/exposition.js";
import { series, value } from "../helpers/exposition.js";
import { MAX_SCRAPE_WAIT_SECONDS, scrapeDeadline } from "../../src/server/scrape-deadline.js";
import { testExporter, testSimulator, type TestExporter } from "../helpers/exporter.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Requests of the v3 plan with one page of profiles per customer, plus the token request. */
const planRequests = (customers: number): number => Math.ceil(customers / 100) + customers + 1;

/** A scrape as Prometheus sends it, with how long its answer took. */
const timedScrape = async (exporter: TestExporter, timeoutSeconds: string) => {
  const started = Date.now();
  const answer = await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": timeoutSeconds });
  return { ...answer, ms: Date.now() - started };
};

const customerValues = (samples: readonly Sample[], name: string): Map<string, number> =>
  new Map(series(samples, name).map((s) => [s.labels.customer_id!, s.value]));

describe("collection rounds against the simulator", () => {
  it("covers a fleet whose round outlasts the scrape timeout several times, scrape after scrape", async () => {
    const CUSTOMERS = 200;
    const RATE = 50;
    const TIMEOUT_S = 1;
    const INTERVAL_MS = 300;
    const simulator = await testSimulator({
      customers: CUSTOMERS,
      profilesPerCustomer: 1,
      faults: { latencyMs: 5 },
    });
    const exporter = await testExporter(simulator, [
      `--avepoint.rate-limit=${RATE}`,
      "--avepoint.adaptive-rate=false",
      "--collect.timeout-offset=0.2s",
    ]);
    const roundSeconds = planRequests(CUSTOMERS) / RATE;
    const ids = simulator.customers().map((c) => c.id);
    // a customer in the last third of the fleet, whose scan fails once the first round is over
    const late = simulator.customers()[Math.floor(CUSTOMERS * 0.8)]!;
    const lateProfile = simulator.profiles(late.id)[0]!;

    const seen = new Set<string>();
    let failedAt: number | null = null;
    let failureShownAt: number | null = null;
    const started = Date.now();
    let scrapes = 0;
    while (Date.now() - started < (2 * roundSeconds + 2) * 1000) {
      const { status, samples, ms } = await timedScrape(exporter, String(TIMEOUT_S));
      scrapes++;
      expect(status).toBe(200);
      // every scrape, the first included, is answered within its timeout
      expect(ms).toBeLessThan(TIMEOUT_S * 1000);
      // no customer the simulator did not fail ever shows collect_success 0
      const success = customerValues(samples, "avepoint_customer_collect_success");
      for (const [id, v] of success) expect(v, id).toBe(1);
      // nothing vanishes: every profile seen once is in every later answer
      const profiles = new Set(
        series(samples, "avepoint_scan_profile_info").map((s) => s.labels.customer_id!),
      );
      for (const id of seen) expect(profiles.has(id), id).toBe(true);
      for (const id of profiles) seen.add(id);

      if (
        failedAt === null &&
        seen.size === CUSTOMERS &&
        value(samples, "avepoint_collect_round_running") === 1
      ) {
        simulator.updateProfile(late.id, lateProfile.profileId, { lastScanStatus: 3 });
        failedAt = Date.now();
      }
      const state = series(samples, "avepoint_scan_profile_last_scan_state", { customer_id: late.id })[0];
      if (failedAt !== null && failureShownAt === null && state?.labels.state === "failed")
        failureShownAt = Date.now();
      await sleep(INTERVAL_MS);
    }
    expect(scrapes).toBeGreaterThan(2 * roundSeconds);
    expect(seen.size).toBe(CUSTOMERS);
    // a scan failed in the last third of the fleet mid-run shows within one round
    expect(failureShownAt).not.toBeNull();
    expect((failureShownAt! - failedAt!) / 1000).toBeLessThanOrEqual(
      roundSeconds * 1.1 + INTERVAL_MS / 1000 + TIMEOUT_S,
    );

    // every customer refreshed within one round time (plan ÷ rate, +10 %) plus one scrape interval
    await exporter.rounds.idle();
    const { samples } = await timedScrape(exporter, "0.5");
    const last = [...customerValues(samples, "avepoint_customer_last_success_timestamp_seconds").values()];
    expect(last).toHaveLength(CUSTOMERS);
    expect(Math.max(...last) - Math.min(...last)).toBeLessThanOrEqual(
      roundSeconds * 1.1 + INTERVAL_MS / 1000,
    );
    expect(value(samples, "avepoint_collect_duration_seconds")).toBeLessThanOrEqual(roundSeconds * 1.1);
    expect(series(samples, "avepoint_customer_collect_errors_total")).toEqual([]);
    expect(ids.every((id) => seen.has(id))).toBe(true);
  }, 30_000);

  it("answers the first scrape after start within its timeout, with what the round has so far", async () => {
    const simulator = await testSimulator({ customers: 200, profilesPerCustomer: 2, flavor: "modern" });
    const exporter = await testExporter(simulator, [
      "--avepoint.api-flavor=modern",
      "--avepoint.rate-limit=20",
      "--collect.timeout-offset=0.2s",
    ]);
    const { status, samples, ms } = await timedScrape(exporter, "1");
    expect(status).toBe(200);
    expect(ms).toBeLessThan(1000);
    expect(value(samples, "avepoint_collect_round_running")).toBe(1);
    // a round in progress is not a failure
    expect(
      [...customerValues(samples, "avepoint_customer_collect_success").values()].every((v) => v === 1),
    ).toBe(true);
    expect(value(samples, "avepoint_collect_round_customers_done")).toBeLessThan(200);
  });

  it.each(["0.01", "0", "-5", "NaN", "abc", "1e308", "Infinity"])(
    "lets no timeout header (%s) change what the next scrape shows",
    async (header) => {
      const simulator = await testSimulator({
        customers: 60,
        profilesPerCustomer: 1,
        faults: { latencyMs: 5 },
      });
      const exporter = await testExporter(simulator, [
        "--avepoint.rate-limit=60",
        "--avepoint.adaptive-rate=false",
        "--collect.min-interval=1m",
      ]);
      const odd = await timedScrape(exporter, header);
      expect(odd.status).toBe(200);
      // a nonsense value falls back to --collect.default-timeout, a huge one is clamped
      expect(odd.ms).toBeLessThan(30_000);
      await exporter.rounds.idle();
      const { samples } = await timedScrape(exporter, "10");
      const success = [...customerValues(samples, "avepoint_customer_collect_success").values()];
      expect(success).toEqual(Array(60).fill(1));
      expect(series(samples, "avepoint_customer_collect_errors_total")).toEqual([]);
      expect(value(samples, "avepoint_collect_rounds_total", { result: "complete" })).toBe(1);
      expect(value(samples, "avepoint_collect_round_customers_done")).toBe(60);
    },
    20_000,
  );

  it("refreshes a fleet larger than the round bound over successive rounds, stalest first", async () => {
    const CUSTOMERS = 120;
    const simulator = await testSimulator({
      customers: CUSTOMERS,
      profilesPerCustomer: 1,
      faults: { latencyMs: 5 },
    });
    // 40 requests/s against a 1 s bound: about a third of the fleet per round
    const exporter = await testExporter(simulator, [
      "--avepoint.rate-limit=40",
      "--avepoint.adaptive-rate=false",
      "--avepoint.concurrency=1",
      "--collect.max-round-duration=1s",
    ]);
    // customers in progress at once: 4 × --avepoint.concurrency
    const IN_PROGRESS = 4;
    const batches: string[][] = [];
    let before = new Map<string, number>();
    for (let round = 0; round < 8; round++) {
      exporter.rounds.start();
      await exporter.rounds.idle();
      const { samples } = await timedScrape(exporter, "0.5");
      for (const v of customerValues(samples, "avepoint_customer_collect_success").values())
        expect(v).toBe(1);
      const after = customerValues(samples, "avepoint_customer_last_success_timestamp_seconds");
      const refreshed = [...after].filter(([id, t]) => before.get(id) !== t).map(([id]) => id);
      // stalest first: what a round refreshed was among the stalest before it (give or take the few
      // customers in progress when the bound cut the round)
      const rank = new Map([...before].sort(([, a], [, b]) => a - b).map(([id], i) => [id, i]));
      for (const id of refreshed) {
        const r = rank.get(id);
        if (r !== undefined) expect(r, id).toBeLessThan(refreshed.length + IN_PROGRESS);
      }
      batches.push(refreshed);
      before = after;
    }
    const rounds = batches.map((b) => b.length);
    expect(Math.max(...rounds)).toBeLessThan(CUSTOMERS);
    // every customer refreshed, and refreshed again, over successive rounds
    const firstCover = batches.findIndex(
      (_, i) => new Set(batches.slice(0, i + 1).flat()).size === CUSTOMERS,
    );
    expect(firstCover).toBeGreaterThan(0);
    const again = new Set(batches.slice(firstCover + 1).flat());
    expect(again.size).toBeGreaterThan(0);
    expect(
      exporter.logs.some((l) => l.includes("collection round cut by --collect.max-round-duration")),
    ).toBe(true);
  }, 30_000);
});

describe("scrapeDeadline", () => {
  const timeouts = { timeoutOffsetSeconds: 0.5, defaultTimeoutSeconds: 30 };
  it.each([
    ["10", 9.5],
    ["0.01", 0],
    ["0.5", 0],
    ["0", 29.5],
    ["-5", 29.5],
    ["NaN", 29.5],
    ["abc", 29.5],
    ["", 29.5],
    [undefined, 29.5],
    ["Infinity", 29.5],
    ["1e308", MAX_SCRAPE_WAIT_SECONDS],
    [["4", "100"], 3.5],
  ])("gives the header %j a wait of %d s", (header, seconds) => {
    expect(scrapeDeadline(header, timeouts, 1000)).toBe(1000 + seconds * 1000);
  });
});
