import { describe, expect, it } from "vitest";
import { AdaptiveRate, START_RATE } from "../../src/avepoint/adaptive-rate.js";

/** Rate-bound sending for `seconds`, one paced request every 10 ms from `from` (epoch ms). */
const pace = (rate: AdaptiveRate, from: number, seconds: number): number => {
  for (let t = from; t <= from + seconds * 1000; t += 10) rate.paced(t);
  return from + seconds * 1000;
};

describe("adaptive rate", () => {
  it("starts low, below the ceiling", () => {
    expect(new AdaptiveRate(200, true).current).toBe(START_RATE);
    expect(new AdaptiveRate(8, true).current).toBe(4);
    expect(new AdaptiveRate(0.5, true).current).toBe(0.5);
  });

  it("is the ceiling, always, when adaptation is off", () => {
    const rate = new AdaptiveRate(40, false);
    pace(rate, 0, 10);
    rate.refusedAt(0, 1);
    expect(rate.current).toBe(40);
  });

  it("doubles every two seconds of rate-bound sending until the first refusal, never past the ceiling", () => {
    const rate = new AdaptiveRate(1000, true);
    pace(rate, 0, 4);
    expect(rate.current).toBeCloseTo(START_RATE * 4, 0);
    pace(rate, 10_000, 100);
    expect(rate.current).toBe(1000);
  });

  it("does not rise while idle: gaps between rate-bound requests do not count", () => {
    const rate = new AdaptiveRate(1000, true);
    for (let t = 0; t < 60_000; t += 5_000) rate.paced(t);
    expect(rate.current).toBe(START_RATE);
  });

  it("halves on the first refusal, takes 10 % off later ones, and climbs by 1 % a second in between", () => {
    const rate = new AdaptiveRate(1000, true);
    let now = pace(rate, 0, 6);
    const peak = rate.current;
    rate.refusedAt(now - 50, now);
    expect(rate.current).toBeCloseTo(peak / 2, 6);
    now = pace(rate, now + 1000, 10);
    expect(rate.current).toBeCloseTo((peak / 2) * 1.01 ** 10, 0);
    const before = rate.current;
    rate.refusedAt(now - 50, now);
    expect(rate.current).toBeCloseTo(before * 0.9, 6);
  });

  it("does not decrease again for refusals of requests sent before the last decrease", () => {
    const rate = new AdaptiveRate(100, true);
    const now = pace(rate, 0, 2);
    rate.refusedAt(now - 100, now);
    const after = rate.current;
    rate.refusedAt(now - 50, now + 10);
    rate.refusedAt(now - 20, now + 20);
    expect(rate.current).toBe(after);
    rate.refusedAt(now + 30, now + 60);
    expect(rate.current).toBeCloseTo(after * 0.9, 6);
  });

  it("climbs back from below one request a second, when rate-bound requests are more than a second apart", () => {
    const rate = new AdaptiveRate(100, true);
    for (let i = 0; i < 30; i++) rate.refusedAt(i * 10, i * 10 + 1);
    const low = rate.current;
    expect(low).toBeLessThan(1);
    // rate-bound: one request every 1/rate seconds
    let t = 1_000;
    for (let i = 0; i < 200; i++) {
      rate.paced(t);
      t += 1000 / rate.current;
    }
    expect(rate.current).toBeGreaterThan(low * 1.5);
  });

  it("keeps a floor above zero", () => {
    const rate = new AdaptiveRate(10, true);
    for (let i = 0; i < 200; i++) rate.refusedAt(i * 10, i * 10 + 1);
    expect(rate.current).toBeGreaterThan(0);
  });
});
