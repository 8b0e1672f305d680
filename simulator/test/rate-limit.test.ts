import { describe, expect, it } from "vitest";
import { RateLimiter, retryAfterSeconds } from "../src/rate-limit.js";
import type { Simulator } from "../src/server.js";
import { V3, call, start, token } from "./helpers.js";

/** A clock that moves only when told to. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let ms = 1_000_000;
  return { now: () => ms, advance: (by) => void (ms += by) };
}

/** How many of `n` takes from `key` the limiter admits. */
function admitted(limiter: RateLimiter, n: number, key = "client"): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (limiter.take(key).ok) ok += 1;
  return ok;
}

describe("rate limiter (token bucket)", () => {
  it("admits the burst at once, then rate × elapsed time, and refuses the rest", () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock.now);
    limiter.configure({ rate: 10, burst: 10 });
    expect(admitted(limiter, 25)).toBe(10);
    clock.advance(500);
    expect(admitted(limiter, 25)).toBe(5);
    // Refused requests take nothing: 3 s of pressure admit 30 more, whatever was refused in between.
    for (let s = 0; s < 3; s++) {
      clock.advance(1000);
      expect(admitted(limiter, 50)).toBe(10);
    }
  });

  it.each([
    // rate/s, burst, ms in the window (requests arrive all along it), admitted = burst + rate·t
    [10, 10, 2_000, 30],
    [40, 40, 10_000, 440],
    [5, 20, 4_000, 40],
    [0.5, 1, 6_000, 4],
    [100, 1, 1_000, 101],
  ])("rate %s/s, burst %s: %s ms of steady pressure admit %s", (rate, burst, windowMs, expected) => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock.now);
    limiter.configure({ rate, burst });
    let ok = admitted(limiter, 5 * burst);
    for (let t = 0; t < windowMs; t += 10) {
      clock.advance(10);
      ok += admitted(limiter, 3);
    }
    expect(ok).toBe(expected);
  });

  it("says how many whole seconds until the next token, at least 1", () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock.now);
    limiter.configure({ rate: 0.2, burst: 1 });
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 5 });
    clock.advance(2_000);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 3 });
    clock.advance(2_900);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.advance(100);
    expect(limiter.take("a")).toEqual({ ok: true });
  });

  it.each([
    [1, 1000, 1],
    [0.01, 40, 1],
    [0.99, 1, 1],
    [1, 0.5, 2],
    [3, 1, 3],
    [0.6, 0.2, 3],
  ])("missing %s tokens at %s/s → Retry-After %s", (missing, rate, seconds) => {
    expect(retryAfterSeconds(missing, rate)).toBe(seconds);
  });

  it("keeps one bucket per client", () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock.now);
    limiter.configure({ rate: 2, burst: 2 });
    expect(admitted(limiter, 5, "a")).toBe(2);
    expect(admitted(limiter, 5, "b")).toBe(2);
  });

  it("keeps what a bucket holds across a change of rate, and starts full after being switched off", () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock.now);
    limiter.configure({ rate: 10, burst: 10 });
    expect(admitted(limiter, 4)).toBe(4);
    limiter.configure({ rate: 1, burst: 3 });
    expect(admitted(limiter, 10)).toBe(3);
    clock.advance(2_000);
    expect(admitted(limiter, 10)).toBe(2);
    limiter.configure(null);
    expect(admitted(limiter, 100)).toBe(100);
    limiter.configure({ rate: 1, burst: 3 });
    expect(admitted(limiter, 10)).toBe(3);
  });
});

/** Sends `n` GETs of the v3 customer list one after the other; returns their statuses and Retry-Afters. */
async function burst(sim: Simulator, accessToken: string, n: number) {
  const results = [];
  for (let i = 0; i < n; i++) {
    const res = await call(sim, V3, accessToken);
    results.push({ status: res.status, retryAfter: res.headers.get("retry-after") });
  }
  return results;
}

const statuses = (results: { status: number }[]): number[] => results.map((r) => r.status);

describe("rate limit over HTTP", () => {
  it("is off by default", async () => {
    const sim = await start();
    const t = await token(sim);
    const results = await Promise.all(Array.from({ length: 200 }, () => call(sim, V3, t)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sim.faults()).toMatchObject({ rateLimit: null, rateLimitBurst: null });
    expect(sim.stats()).toMatchObject({ served: 200, throttled: 0, rateLimited: 0 });
  });

  it("admits rate·t + burst requests and refuses the rest with 429 and a computed Retry-After", async () => {
    const clock = fakeClock();
    const sim = await start({ clock: clock.now, faults: { rateLimit: 4 } });
    const t = await token(sim);
    const first = await burst(sim, t, 10);
    expect(statuses(first)).toEqual([200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
    expect(first.slice(0, 4).every((r) => r.retryAfter === null)).toBe(true);
    // One token every 250 ms: the wait is under a second, so the header says 1.
    expect(first.slice(4).every((r) => r.retryAfter === "1")).toBe(true);
    clock.advance(1_500);
    expect(statuses(await burst(sim, t, 10)).filter((s) => s === 200)).toHaveLength(4);
    clock.advance(250);
    expect(statuses(await burst(sim, t, 3))).toEqual([200, 429, 429]);

    // 4 + 4 + 1 served, 6 + 6 + 2 refused; token requests never count against the limit.
    const stats = sim.stats();
    expect(stats).toMatchObject({
      apiRequests: 23,
      tokenRequests: 1,
      served: 9,
      throttled: 14,
      rateLimited: 14,
      byStatus: { "200": 9, "429": 14 },
      servedByEndpoint: { [`GET ${V3}`]: 9 },
      throttledByEndpoint: { [`GET ${V3}`]: 14 },
    });
    await expect(token(sim)).resolves.toEqual(expect.any(String));
  });

  it("gives Retry-After in whole seconds when the next token is further away", async () => {
    const clock = fakeClock();
    const sim = await start({ clock: clock.now, faults: { rateLimit: 0.25, rateLimitBurst: 2 } });
    const t = await token(sim);
    const results = await burst(sim, t, 3);
    expect(statuses(results)).toEqual([200, 200, 429]);
    expect(results[2]!.retryAfter).toBe("4");
    clock.advance(1_500);
    expect((await call(sim, V3, t)).headers.get("retry-after")).toBe("3");
  });

  it("counts every authenticated request of the client, whatever the route, but not unauthenticated ones", async () => {
    const clock = fakeClock();
    const sim = await start({ clock: clock.now, faults: { rateLimit: 2 } });
    const t = await token(sim);
    const customer = sim.customers()[0]!;
    expect((await call(sim, `${V3}/${customer.id}/scan-profiles`, t)).status).toBe(200);
    expect((await call(sim, "/partner/nowhere", t)).status).toBe(404);
    expect((await call(sim, V3, null)).status).toBe(401);
    expect((await call(sim, V3, t)).status).toBe(429);
    expect(sim.stats()).toMatchObject({
      apiRequests: 4,
      served: 1,
      rateLimited: 1,
      byStatus: { "200": 1, "404": 1, "401": 1, "429": 1 },
    });
  });

  it("changes at run time through setFaults", async () => {
    const clock = fakeClock();
    const sim = await start({ clock: clock.now });
    const t = await token(sim);
    expect(statuses(await burst(sim, t, 5))).toEqual([200, 200, 200, 200, 200]);
    sim.setFaults({ rateLimit: 2 });
    expect(statuses(await burst(sim, t, 4))).toEqual([200, 200, 429, 429]);
    // A bigger bucket is not a fuller one: after a second at 2/s it holds two tokens.
    sim.setFaults({ rateLimitBurst: 5 });
    clock.advance(1_000);
    expect(statuses(await burst(sim, t, 3))).toEqual([200, 200, 429]);
    sim.setFaults({ rateLimit: null });
    expect(statuses(await burst(sim, t, 5))).toEqual([200, 200, 200, 200, 200]);
    expect(sim.stats()).toMatchObject({ served: 14, rateLimited: 3 });
  });

  it("changes at run time through POST /_sim/faults, and refuses bad values", async () => {
    const clock = fakeClock();
    const sim = await start({ clock: clock.now });
    const t = await token(sim);
    const set = await call(sim, "/_sim/faults", null, {
      method: "POST",
      body: JSON.stringify({ rateLimit: 3, rateLimitBurst: 1 }),
    });
    expect(set.status).toBe(200);
    expect(set.json()).toMatchObject({ rateLimit: 3, rateLimitBurst: 1 });
    expect(statuses(await burst(sim, t, 3))).toEqual([200, 429, 429]);
    for (const bad of [{ rateLimit: 0 }, { rateLimit: -1 }, { rateLimit: "fast" }, { rateLimitBurst: 0.5 }]) {
      const res = await call(sim, "/_sim/faults", null, { method: "POST", body: JSON.stringify(bad) });
      expect(res.status).toBe(400);
    }
    await call(sim, "/_sim/faults", null, { method: "POST", body: JSON.stringify({ rateLimit: null }) });
    expect(statuses(await burst(sim, t, 3))).toEqual([200, 200, 200]);
    const stats = (await call(sim, "/_sim/stats", null)).json();
    expect(stats).toMatchObject({ served: 4, throttled: 2, rateLimited: 2 });
  });

  it("zeroes the served and refused counts on reset", async () => {
    const clock = fakeClock();
    const sim = await start({ clock: clock.now, faults: { rateLimit: 1 } });
    const t = await token(sim);
    await burst(sim, t, 3);
    sim.resetStats();
    expect(sim.stats()).toMatchObject({
      served: 0,
      throttled: 0,
      rateLimited: 0,
      byStatus: {},
      servedByEndpoint: {},
      throttledByEndpoint: {},
    });
  });
});
