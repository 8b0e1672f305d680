import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  Rounds,
  type RoundListener,
  type RoundsOptions,
  type RoundSummary,
} from "../../src/collect/rounds.js";
import type { View } from "../../src/collect/view.js";
import { customer, fakeApi, type FakeApi } from "./fake-api.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const ended: RoundSummary[] = [];
const gone: string[] = [];
const recorder: RoundListener = {
  roundEnded: (summary) => ended.push(summary),
  customersGone: (ids) => gone.push(...ids),
};
beforeEach(() => {
  ended.length = 0;
  gone.length = 0;
});

const roundsFor = (api: FakeApi, options: Partial<RoundsOptions> = {}): Rounds => {
  const rounds = new Rounds(api, {
    minIntervalSeconds: 0,
    maxStaleSeconds: 3600,
    maxRoundSeconds: 600,
    parallelism: 1,
    listeners: [recorder],
    ...options,
  });
  return rounds;
};

/** A scrape at the current fake time that must be answered within `seconds`; resolves with when it was answered. */
const scrape = (rounds: Rounds, seconds: number): Promise<{ view: View; at: number }> =>
  rounds.serve(Date.now() + seconds * 1000).then((view) => ({ view, at: Date.now() }));

const byId = (view: View, id: string) => view.customers.find((c) => c.customer.id === id);

describe("rounds", () => {
  it("answers the first scrape within its timeout while the round it started goes on", async () => {
    // 50 customers × 100 ms one at a time: a 5 s round against a 1 s scrape timeout
    const api = fakeApi(50, { latencyMs: 100 });
    const rounds = roundsFor(api);
    const started = Date.now();
    const first = scrape(rounds, 1);
    await vi.advanceTimersByTimeAsync(1000);
    const { view, at } = await first;
    expect(at - started).toBeLessThanOrEqual(1000);
    expect(view.round.running).toBe(true);
    expect(view.customers.filter((c) => c.last?.ok).length).toBeGreaterThan(0);
    expect(view.customers.filter((c) => c.last?.ok).length).toBeLessThan(50);
    // not reached yet is not failed
    expect(view.customers.some((c) => c.last?.ok === false)).toBe(false);

    await vi.runAllTimersAsync();
    const after = rounds.view();
    expect(after.round).toMatchObject({ running: false, customers: 50, done: 50 });
    expect(after.customers.every((c) => c.last?.ok)).toBe(true);
    expect(api.listings).toBe(1);
    expect(ended).toMatchObject([{ result: "complete", customers: 50, collected: 50, unreached: 0 }]);
  });

  it("lets later scrapes join the running round, each answered by its own deadline", async () => {
    const api = fakeApi(50, { latencyMs: 100 });
    const rounds = roundsFor(api);
    void scrape(rounds, 1);
    await vi.advanceTimersByTimeAsync(1500);
    const t0 = Date.now();
    const joined = scrape(rounds, 0.5);
    await vi.advanceTimersByTimeAsync(500);
    const { at, view } = await joined;
    expect(at - t0).toBeLessThanOrEqual(500);
    expect(view.round.running).toBe(true);
    expect(api.listings).toBe(1);
  });

  it("answers at once a scrape whose deadline has passed, and the round goes on unharmed", async () => {
    const api = fakeApi(20, { latencyMs: 100 });
    const rounds = roundsFor(api);
    const { view } = await scrape(rounds, 0);
    expect(view.round.running).toBe(true);
    await vi.runAllTimersAsync();
    expect(rounds.view().customers.every((c) => c.last?.ok)).toBe(true);
    expect(ended).toMatchObject([{ result: "complete" }]);
  });

  it("waits for a round that ends before the scrape's deadline and serves its data", async () => {
    const api = fakeApi(5, { latencyMs: 10 });
    const rounds = roundsFor(api);
    const answer = scrape(rounds, 10);
    await vi.advanceTimersByTimeAsync(200);
    const { view, at } = await answer;
    expect(at).toBeLessThan(1_000_000 + 10_000);
    expect(view.round.running).toBe(false);
    expect(view.customers.every((c) => c.last?.ok)).toBe(true);
  });

  it("answers a waiting scrape early once the round's pace shows it will not end in time", async () => {
    // 5,000 customers, 10 at a time × 100 ms: a 50 s round against a 30 s scrape timeout
    const api = fakeApi(5000, { latencyMs: 100, pageSize: 5000 });
    const rounds = roundsFor(api, { parallelism: 10 });
    const started = Date.now();
    const answer = scrape(rounds, 30);
    await vi.advanceTimersByTimeAsync(5000);
    const { at, view } = await answer;
    // the pace is judged after a twentieth of the customers (2.5 s here)
    expect(at - started).toBeLessThanOrEqual(5000);
    expect(view.round.running).toBe(true);
    rounds.stop();
    await vi.runAllTimersAsync();
  });

  it("starts no round within --collect.min-interval of the last one's end", async () => {
    const api = fakeApi(2, { latencyMs: 10 });
    const rounds = roundsFor(api, { minIntervalSeconds: 60 });
    const first = scrape(rounds, 10);
    await vi.advanceTimersByTimeAsync(100);
    await first;
    await scrape(rounds, 10);
    expect(api.listings).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    void scrape(rounds, 10);
    expect(api.listings).toBe(2);
    await vi.runAllTimersAsync();
  });

  it("keeps the previous result of customers the running round has not reached", async () => {
    const api = fakeApi(20, { latencyMs: 100 });
    const rounds = roundsFor(api);
    rounds.start();
    await vi.runAllTimersAsync();
    const firstSuccess = byId(rounds.view(), "c019")!.lastSuccess;
    api.failing.set("c000", 500);
    await vi.advanceTimersByTimeAsync(1000);
    rounds.start();
    await vi.advanceTimersByTimeAsync(350);
    const view = rounds.view();
    expect(view.round).toMatchObject({ running: true, customers: 20 });
    expect(byId(view, "c000")!.last).toMatchObject({ ok: false, reason: "http_5xx" });
    // c000 failed and kept its profiles; c019 is not reached yet and keeps its result and data
    expect(byId(view, "c000")!.profiles).toHaveLength(1);
    expect(byId(view, "c019")).toMatchObject({ last: { ok: true }, lastSuccess: firstSuccess });
    await vi.runAllTimersAsync();
  });

  it("cuts a round at its bound, then starts the next with the customers not reached", async () => {
    // 30 customers × 1 s one at a time against a 10 s bound: three rounds to cover the fleet
    const api = fakeApi(30, { latencyMs: 1000 });
    const rounds = roundsFor(api, { maxRoundSeconds: 10, closingSeconds: 1 });
    const order: string[][] = [];
    for (let round = 0; round < 4; round++) {
      const before = api.started.length;
      rounds.start();
      await vi.runAllTimersAsync();
      order.push(api.started.slice(before));
    }
    expect(ended.slice(0, 3).map((s) => s.result)).toEqual(["cut", "cut", "cut"]);
    expect(ended[0]!.unreached).toBeGreaterThan(0);
    // every customer attempted once over the first rounds, in the listing's order, none twice
    const firstPass = order.slice(0, 4).flat().slice(0, 30);
    expect(firstPass).toEqual(api.customers.map((c) => c.id));
    // then the stalest again: the customers collected first
    expect(order.flat()[30]).toBe("c000");
    const view = rounds.view();
    expect(view.customers.every((c) => c.last?.ok)).toBe(true);
    // the bound cut nobody into a failure
    expect(view.customers.some((c) => c.last?.ok === false)).toBe(false);
    expect(view.round.lastComplete).toBeNull();
  });

  it("drops customers a complete listing no longer names, from the view and for listeners", async () => {
    const api = fakeApi(3, { latencyMs: 10 });
    const rounds = roundsFor(api);
    rounds.start();
    await vi.runAllTimersAsync();
    api.customers.splice(1, 1);
    rounds.start();
    await vi.runAllTimersAsync();
    expect(rounds.view().customers.map((c) => c.customer.id)).toEqual(["c000", "c002"]);
    expect(gone).toEqual(["c001"]);
  });

  it("drops nobody after a listing that succeeded but was not complete (rows skipped, fewer than promised)", async () => {
    const api = fakeApi(3, { latencyMs: 10 });
    const rounds = roundsFor(api);
    rounds.start();
    await vi.runAllTimersAsync();
    api.customers.splice(1, 1);
    const list = api.listCustomers.bind(api);
    api.listCustomers = async (ctx, onPage) => {
      await list(ctx, onPage);
      return { complete: false };
    };
    rounds.start();
    await vi.runAllTimersAsync();
    expect(rounds.view().listing).toEqual({ ok: true });
    expect(rounds.view().customers.map((c) => c.customer.id)).toEqual(["c000", "c001", "c002"]);
    expect(gone).toEqual([]);
  });

  it("serves no profiles older than max-stale, whether the customer failed or was not attempted since", async () => {
    const api = fakeApi(2, { latencyMs: 10 });
    const rounds = roundsFor(api, { maxStaleSeconds: 60 });
    rounds.start();
    await vi.runAllTimersAsync();
    expect(rounds.view().customers.every((c) => c.profiles.length === 1)).toBe(true);
    // The listing fails from now on: nobody is attempted, and the data ages.
    api.listingFailsAfter = 0;
    await vi.advanceTimersByTimeAsync(61_000);
    expect(rounds.view().customers.map((c) => c.profiles.length)).toEqual([0, 0]);
    expect(rounds.view().customers.every((c) => c.lastSuccess !== null)).toBe(true);
  });

  it("keeps every known customer when a listing fails or ends early, and says so in `listing`", async () => {
    const api = fakeApi(250, { latencyMs: 10 });
    const rounds = roundsFor(api, { parallelism: 16 });
    rounds.start();
    await vi.runAllTimersAsync();
    api.listingFailsAfter = 1;
    rounds.start();
    await vi.runAllTimersAsync();
    const view = rounds.view();
    expect(view.listing).toMatchObject({ ok: false, reason: "http_5xx" });
    expect(view.customers).toHaveLength(250);
    expect(view.customers.every((c) => c.last?.ok)).toBe(true);
    expect(gone).toEqual([]);
    expect(ended.at(-1)).toMatchObject({ result: "listing_failed", customers: 100 });
  });

  it("is ready once a listing succeeded, even while its round still runs", async () => {
    const api = fakeApi(10, { latencyMs: 100, listingFailsAfter: 0 });
    const rounds = roundsFor(api);
    rounds.start();
    await vi.runAllTimersAsync();
    expect(rounds.ready).toBe(false);
    api.listingFailsAfter = null;
    rounds.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(rounds.view().round.running).toBe(true);
    expect(rounds.ready).toBe(true);
    await vi.runAllTimersAsync();
  });

  it("records when the last complete round ended and how long it took", async () => {
    const api = fakeApi(4, { latencyMs: 250 });
    const rounds = roundsFor(api);
    rounds.start();
    await vi.runAllTimersAsync();
    expect(rounds.view().round.lastComplete).toEqual({ endedAt: 1001.25, durationSeconds: 1.25 });
    expect(rounds.view().updatedAt).toBe(1001.25);
  });

  it("drops a failing customer's last known profiles once they are older than max-stale", async () => {
    const api = fakeApi(1, { latencyMs: 10 });
    const rounds = roundsFor(api, { maxStaleSeconds: 60 });
    rounds.start();
    await vi.runAllTimersAsync();
    api.failing.set("c000", 503);
    await vi.advanceTimersByTimeAsync(30_000);
    rounds.start();
    await vi.runAllTimersAsync();
    expect(byId(rounds.view(), "c000")!.profiles).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(31_000);
    rounds.start();
    await vi.runAllTimersAsync();
    expect(byId(rounds.view(), "c000")).toMatchObject({ profiles: [], last: { ok: false } });
  });

  it("shows a customer listed but not yet reached without a result", async () => {
    const api = fakeApi(2, { latencyMs: 100 });
    api.customers[1] = customer("late");
    const rounds = roundsFor(api);
    rounds.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(byId(rounds.view(), "late")).toMatchObject({ last: null, lastSuccess: null, profiles: [] });
    await vi.runAllTimersAsync();
  });

  it("stops a running round at shutdown and starts none after", async () => {
    const api = fakeApi(50, { latencyMs: 100 });
    const rounds = roundsFor(api);
    rounds.start();
    await vi.advanceTimersByTimeAsync(500);
    rounds.stop();
    await vi.runAllTimersAsync();
    await rounds.idle();
    expect(rounds.view().round.running).toBe(false);
    expect(rounds.start()).toBe(false);
    expect(ended).toEqual([]);
  });
});
