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

/** A scrape as Prometheus sends it, with its scrape timeout header. */
const promScrape = (exporter: TestExporter, timeoutSeconds: string) =>
  exporter.scrape({ "x-prometheus-scrape-timeout-seconds": timeoutSeconds });

const customerValues = (samples: readonly Sample[], name: string): Map<string, number> =>
  new Map(series(samples, name).map((s) => [s.labels.customer_id!, s.value]));

describe("collection rounds against the simulator", () => {
  it("covers a fleet whose round outlasts the scrape timeout several times, scrape after scrape", async () => {
    const CUSTOMERS = 200;
    const RATE = 50;
    const TIMEOUT_S = "1";
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
    // a customer in the last third of the fleet, whose scan fails once the first round is over
    const late = simulator.customers()[Math.floor(CUSTOMERS * 0.8)]!;
    const lateProfile = simulator.profiles(late.id)[0]!;

    const seen = new Set<string>();
    /** Rounds ended so far, whatever their result. */
    const roundsEnded = (samples: readonly Sample[]): number =>
      series(samples, "avepoint_collect_rounds_total").reduce((sum, s) => sum + s.value, 0);
    /**
     * Scrapes as Prometheus would until the round the first of them joined has ended. A scrape that
     * comes just after a round's end starts the next one, so the end shows as one more round ended,
     * not necessarily as an answer with no round running.
     */
    const scrapeThroughRound = async (): Promise<{ scrapes: number; samples: Sample[] }> => {
      let scrapes = 0;
      let samples: Sample[] = [];
      let endedBefore: number | undefined;
      for (;;) {
        const answer = await exporter.scrape({ "x-prometheus-scrape-timeout-seconds": TIMEOUT_S });
        scrapes++;
        samples = answer.samples;
        expect(answer.status).toBe(200);
        // no customer the simulator did not fail ever shows collect_success 0
        for (const [id, v] of customerValues(samples, "avepoint_customer_collect_success"))
          expect(v, id).toBe(1);
        // nothing vanishes: every profile seen once is in every later answer
        const profiles = new Set(
          series(samples, "avepoint_scan_profile_info").map((s) => s.labels.customer_id!),
        );
        for (const id of seen) expect(profiles.has(id), id).toBe(true);
        for (const id of profiles) seen.add(id);
        endedBefore ??= roundsEnded(samples);
        if (roundsEnded(samples) > endedBefore || value(samples, "avepoint_collect_round_running") === 0)
          return { scrapes, samples };
      }
    };

    // The round is started by the first scrape and outlives it: that scrape (answered by its own
    // deadline, not the round's end) and those after it see a round in progress.
    const first = await scrapeThroughRound();
    expect(first.scrapes).toBeGreaterThan(1);
    expect(seen.size).toBe(CUSTOMERS);

    // a scan failed in the last third of the fleet shows by the end of the next round, and that
    // round refreshes every customer (a round the last scrape may have started ends first)
    await exporter.rounds.idle();
    simulator.updateProfile(late.id, lateProfile.profileId, { lastScanStatus: 3 });
    const secondStarted = Date.now() / 1000;
    const second = await scrapeThroughRound();
    const state = series(second.samples, "avepoint_scan_profile_last_scan_state", { customer_id: late.id });
    expect(state.map((s) => s.labels.state)).toEqual(["failed"]);
    const last = [
      ...customerValues(second.samples, "avepoint_customer_last_success_timestamp_seconds").values(),
    ];
    expect(last).toHaveLength(CUSTOMERS);
    for (const t of last) expect(t).toBeGreaterThanOrEqual(Math.floor(secondStarted));
    expect(series(second.samples, "avepoint_customer_collect_errors_total")).toEqual([]);
    // every round ended complete: two, or three when a scrape started one just after the first ended
    const complete = value(second.samples, "avepoint_collect_rounds_total", { result: "complete" });
    expect(complete).toBeGreaterThanOrEqual(2);
    expect(roundsEnded(second.samples)).toBe(complete);
  }, 60_000);

  it("answers the first scrape after start within its timeout, with what the round has so far", async () => {
    const simulator = await testSimulator({ customers: 200, profilesPerCustomer: 2, flavor: "modern" });
    const exporter = await testExporter(simulator, [
      "--avepoint.api-flavor=modern",
      "--avepoint.rate-limit=20",
      "--collect.timeout-offset=0.2s",
    ]);
    const { status, samples } = await promScrape(exporter, "1");
    expect(status).toBe(200);
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
      const odd = await promScrape(exporter, header);
      expect(odd.status).toBe(200);
      await exporter.rounds.idle();
      const { samples } = await promScrape(exporter, "10");
      const success = [...customerValues(samples, "avepoint_customer_collect_success").values()];
      expect(success).toEqual(Array(60).fill(1));
      expect(series(samples, "avepoint_customer_collect_errors_total")).toEqual([]);
      expect(value(samples, "avepoint_collect_rounds_total", { result: "complete" })).toBe(1);
      expect(value(samples, "avepoint_collect_round_customers_done")).toBe(60);
    },
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
    // Rounds until every customer was refreshed and some refreshed again (a busy machine makes
    // rounds smaller, not wrong); the bound keeps the loop finite.
    const covered = () => {
      const i = batches.findIndex((_, k) => new Set(batches.slice(0, k + 1).flat()).size === CUSTOMERS);
      return i >= 0 && batches.slice(i + 1).some((b) => b.length > 0) ? i : -1;
    };
    while (covered() < 0 && batches.length < 60) {
      exporter.rounds.start();
      await exporter.rounds.idle();
      const { samples } = await promScrape(exporter, "0.5");
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
    // no round covered the whole fleet, yet successive rounds covered it, and again
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThan(CUSTOMERS);
    expect(covered()).toBeGreaterThan(0);
    expect(
      exporter.logs.some((l) => l.includes("collection round cut by --collect.max-round-duration")),
    ).toBe(true);
  }, 90_000);
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
