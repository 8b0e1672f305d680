import { setMaxListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collect, type CollectOptions } from "../../src/collect/collect.js";
import { DeadlineError, UpstreamError } from "../../src/errors.js";
import type { CustomerResult } from "../../src/collect/view.js";
import { fakeApi, type FakeApi } from "./fake-api.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs collect to its end under fake timers; returns its summary and results in arrival order. */
const run = async (api: FakeApi, options: Partial<CollectOptions> = {}) => {
  const results: CustomerResult[] = [];
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const done = collect(api, {
    ctx: { signal: controller.signal, deadline: Date.now() + 3_600_000 },
    onResult: (result) => results.push(result),
    ...options,
  });
  await vi.runAllTimersAsync();
  return { summary: await done, results };
};

describe("collect", () => {
  it("attempts every listed customer and hands out one result each", async () => {
    const api = fakeApi(250);
    const { summary, results } = await run(api, { parallelism: 8 });
    expect(summary).toMatchObject({ listing: { ok: true }, attempted: 250, unreached: 0 });
    expect(summary.listed).toHaveLength(250);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.customer.id)).size).toBe(250);
  });

  it("keeps a customer's failure to that customer", async () => {
    const api = fakeApi(3);
    api.failing.set("c001", 403);
    const { results } = await run(api);
    const failed = results.find((r) => r.customer.id === "c001");
    expect(failed).toMatchObject({ ok: false, reason: "forbidden" });
    expect(results.filter((r) => r.ok)).toHaveLength(2);
  });

  it("still collects the customers listed before the listing failed", async () => {
    const api = fakeApi(250, { listingFailsAfter: 1 });
    const { summary, results } = await run(api);
    expect(summary.listing).toMatchObject({ ok: false, reason: "http_5xx" });
    expect(results).toHaveLength(100);
  });

  it("skips customers it does not accept", async () => {
    const api = fakeApi(4);
    const { summary } = await run(api, { accept: (c) => c.id !== "c002" });
    expect(summary.listed.map((c) => c.id)).toEqual(["c000", "c001", "c003"]);
    expect(api.started.sort()).toEqual(["c000", "c001", "c003"]);
  });

  it("starts the stalest customers first, never collected before all others", async () => {
    const api = fakeApi(5);
    const age: Record<string, number> = { c000: 500, c001: 100, c002: 300, c004: 200 };
    await run(api, { parallelism: 1, priority: (c) => age[c.id] ?? -Infinity });
    expect(api.started).toEqual(["c003", "c001", "c004", "c002", "c000"]);
  });

  it("keeps the listing's order among equally stale customers, across pages", async () => {
    const api = fakeApi(250);
    await run(api, { parallelism: 2 });
    expect(api.started).toEqual(api.customers.map((c) => c.id));
  });

  it("starts no customer after closingAt; those count as not reached", async () => {
    const api = fakeApi(100, { latencyMs: 100 });
    // listing 100 ms, then one customer per 100 ms: about four attempted before closing at 500 ms
    const { summary, results } = await run(api, { parallelism: 1, closingAt: Date.now() + 500 });
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.length).toBeLessThanOrEqual(5);
    expect(summary.unreached).toBe(100 - results.length);
    expect(summary.attempted).toBe(results.length);
  });

  it("counts customers cut by the round's abort as not reached, not failed", async () => {
    const api = fakeApi(10, { latencyMs: 100 });
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const results: CustomerResult[] = [];
    const done = collect(api, {
      ctx: { signal: controller.signal, deadline: Date.now() + 250 },
      parallelism: 10,
      onResult: (r) => results.push(r),
    });
    setTimeout(() => controller.abort(), 150);
    await vi.runAllTimersAsync();
    const summary = await done;
    expect(results).toEqual([]);
    expect(summary.unreached).toBe(10);
  });
});

describe("collect near the round's bound", () => {
  it("counts a customer the client would not wait for past the deadline as not reached", async () => {
    const api = fakeApi(3);
    const slowed = api.profiles;
    api.profiles = async (id, ctx) => {
      if (id === "c001") throw new DeadlineError("/scan-profiles: rate limit wait would pass the deadline");
      return slowed(id, ctx);
    };
    const { summary, results } = await run(api, { parallelism: 1 });
    expect(results.map((r) => r.customer.id)).toEqual(["c000"]);
    expect(summary.unreached).toBe(2);
  });

  it("keeps a request timeout a real failure", async () => {
    const api = fakeApi(2);
    api.profiles = async () => {
      throw new UpstreamError("/scan-profiles: no answer within 15s", "timeout", "x");
    };
    const { results } = await run(api);
    expect(results).toHaveLength(2);
    expect(results.every((r) => !r.ok && r.reason === "timeout")).toBe(true);
  });
});
