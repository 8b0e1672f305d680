import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpstreamBreaker } from "../../src/collect/breaker.js";
import { Rounds, type RoundSummary } from "../../src/collect/rounds.js";
import type { CustomerResult } from "../../src/collect/view.js";
import type { FailureReason } from "../../src/errors.js";
import { createSelfMetrics } from "../../src/metrics/self.js";
import { customer, fakeApi, type FakeApi } from "./fake-api.js";

const failed = (id: string, reason: FailureReason): CustomerResult => ({
  ok: false,
  customer: customer(id),
  reason,
  message: reason,
});
const collected = (id: string): CustomerResult => ({ ok: true, customer: customer(id), profiles: [] });

describe("UpstreamBreaker", () => {
  it("opens after `threshold` consecutive failures for one upstream-wide reason, and only then", () => {
    const changes: (FailureReason | null)[] = [];
    const breaker = new UpstreamBreaker(3, { changed: (open) => changes.push(open) });
    expect(breaker.record(failed("a", "http_5xx"))).toBe(false);
    expect(breaker.record(failed("b", "http_5xx"))).toBe(false);
    // another reason starts a new streak
    expect(breaker.record(failed("c", "timeout"))).toBe(false);
    expect(breaker.record(failed("d", "http_5xx"))).toBe(false);
    expect(breaker.record(failed("e", "http_5xx"))).toBe(false);
    expect(breaker.record(failed("f", "http_5xx"))).toBe(true);
    expect(breaker.open).toBe("http_5xx");
    expect(changes).toEqual(["http_5xx"]);
  });

  it("ignores failures of a single customer (forbidden, not found, parse) and resets on a success", () => {
    const breaker = new UpstreamBreaker(2);
    for (const reason of ["forbidden", "not_found", "parse", "http_4xx"] as const)
      expect(breaker.record(failed(reason, reason))).toBe(false);
    expect(breaker.record(failed("a", "network"))).toBe(false);
    expect(breaker.record(collected("b"))).toBe(false);
    expect(breaker.record(failed("c", "network"))).toBe(false);
    expect(breaker.open).toBeNull();
  });

  it("stays open into the next round, where the first such failure halts it, until a customer is collected", () => {
    const changes: (FailureReason | null)[] = [];
    const halts: FailureReason[] = [];
    const breaker = new UpstreamBreaker(2, {
      changed: (open) => changes.push(open),
      halted: (reason) => halts.push(reason),
    });
    breaker.record(failed("a", "timeout"));
    expect(breaker.record(failed("b", "timeout"))).toBe(true);
    // results of customers still in flight: halted once per round
    expect(breaker.record(failed("c", "timeout"))).toBe(true);
    expect(halts).toEqual(["timeout"]);
    breaker.roundStarted();
    expect(breaker.record(failed("d", "timeout"))).toBe(true);
    expect(halts).toEqual(["timeout", "timeout"]);
    breaker.roundStarted();
    expect(breaker.record(collected("e"))).toBe(false);
    expect(breaker.open).toBeNull();
    expect(changes).toEqual(["timeout", null]);
    expect(() => new UpstreamBreaker(0)).toThrow(RangeError);
  });
});

describe("rounds with a circuit breaker", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const roundsFor = (api: FakeApi, breaker: UpstreamBreaker, ended: RoundSummary[]): Rounds => {
    const self = createSelfMetrics("test", { defaultMetrics: false });
    const rounds = new Rounds(api, {
      minIntervalSeconds: 0,
      maxStaleSeconds: 3600,
      maxRoundSeconds: 600,
      parallelism: 1,
      breaker,
      listeners: [self.rounds, { roundEnded: (summary) => ended.push(summary) }],
    });
    return rounds;
  };

  it("stops a round of an API that is down, keeps the customers not reached as they were, and probes once a round after", async () => {
    const api = fakeApi(100, { latencyMs: 10 });
    const ended: RoundSummary[] = [];
    const breaker = new UpstreamBreaker(5);
    const rounds = roundsFor(api, breaker, ended);
    rounds.start();
    await vi.runAllTimersAsync();
    expect(ended.at(-1)).toMatchObject({ result: "complete", collected: 100 });

    for (const c of api.customers) api.failing.set(c.id, 503);
    api.started.length = 0;
    rounds.start();
    await vi.runAllTimersAsync();
    expect(ended.at(-1)).toMatchObject({
      result: "halted",
      collected: 0,
      failed: { http_5xx: 5 },
      unreached: 95,
    });
    expect(api.started).toHaveLength(5);
    const view = rounds.view();
    expect(view.customers.filter((c) => c.last?.ok === false)).toHaveLength(5);
    // not reached: still the previous, successful result
    expect(view.customers.filter((c) => c.last?.ok === true)).toHaveLength(95);
    expect(breaker.open).toBe("http_5xx");

    // open: the next round stops at its first failure
    api.started.length = 0;
    rounds.start();
    await vi.runAllTimersAsync();
    expect(api.started).toHaveLength(1);
    expect(ended.at(-1)).toMatchObject({ result: "halted", unreached: 99 });

    // AvePoint is back: a whole round again, and the breaker closes
    api.failing.clear();
    rounds.start();
    await vi.runAllTimersAsync();
    expect(ended.at(-1)).toMatchObject({ result: "complete", collected: 100 });
    expect(breaker.open).toBeNull();
  });

  it("exposes the breaker and the round's failures by reason as metrics", async () => {
    const self = createSelfMetrics("test", { defaultMetrics: false });
    self.breaker.changed?.("http_5xx", 10);
    self.rounds.customerDone?.(failed("a", "http_5xx"));
    self.rounds.customerDone?.(failed("b", "http_5xx"));
    self.rounds.customerDone?.(failed("c", "forbidden"));
    let text = await self.registry.metrics();
    expect(text).toContain("avepoint_collect_circuit_open 1");
    expect(text).toContain('avepoint_collect_round_customers_failed{reason="http_5xx"} 2');
    expect(text).toContain('avepoint_collect_round_customers_failed{reason="forbidden"} 1');
    expect(text).toContain('avepoint_collect_rounds_total{result="halted"} 0');
    self.breaker.changed?.(null, 0);
    self.rounds.roundStarted?.(Date.now());
    text = await self.registry.metrics();
    expect(text).toContain("avepoint_collect_circuit_open 0");
    // zeroed, not gone: a vanished series would go stale in Prometheus
    expect(text).toContain('avepoint_collect_round_customers_failed{reason="http_5xx"} 0');
  });
});
