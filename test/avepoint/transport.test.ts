import type { AxiosAdapter, InternalAxiosRequestConfig } from "axios";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Transport } from "../../src/avepoint/transport.js";
import { type ApiObserver } from "../../src/avepoint/observer.js";
import { RateLimiter } from "../../src/avepoint/rate-limiter.js";
import { AdaptiveRate } from "../../src/avepoint/adaptive-rate.js";
import { backoffDelayMs, parseRetryAfterMs } from "../../src/avepoint/retry.js";
import type { CallContext } from "../../src/avepoint/call-context.js";
import { DeadlineError, isUpstreamError } from "../../src/errors.js";

type Answer = { status: number; headers?: Record<string, string>; body?: string } | "network";

/** A fake network: answers from a script per URL and records when each attempt happened. */
const fakeNetwork = (script: (url: string, attempt: number) => Answer) => {
  const attempts: { url: string; at: number }[] = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const url = config.url ?? "";
    const n = attempts.filter((a) => a.url === url).length;
    attempts.push({ url, at: Date.now() });
    const answer = script(url, n);
    if (answer === "network")
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", isAxiosError: true });
    return {
      data: answer.body ?? "{}",
      status: answer.status,
      statusText: "",
      headers: answer.headers ?? {},
      config,
    };
  };
  return { adapter, attempts };
};

const observer = () => {
  const o = { retries: [] as string[], throttled: 0, capped: [] as number[] };
  const api: ApiObserver = {
    request: () => {},
    retry: (_e, reason) => o.retries.push(reason),
    throttled: () => o.throttled++,
    retryAfterCapped: (_e, asked) => o.capped.push(asked),
    parseError: () => {},
    tokenRequest: () => {},
    bodyRead: () => {},
  };
  return { o, api };
};

const transport = (
  adapter: AxiosAdapter,
  obs: ApiObserver,
  extra: Partial<ConstructorParameters<typeof Transport>[0]> = {},
) =>
  new Transport({
    concurrency: 4,
    rateLimit: 1000,
    requestTimeoutSeconds: 60,
    maxRetries: 3,
    maxResponseBytes: 1 << 20,
    userAgent: "t",
    observer: obs,
    random: () => 1,
    adapter,
    ...extra,
  });

const ctx = (deadlineInMs = 60_000): CallContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + deadlineInMs,
});
const get = (url: string) => ({ method: "GET" as const, url, endpoint: "GET /x" });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("retry policy", () => {
  it("backs off exponentially with full jitter, capped", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, () => 1))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(backoffDelayMs(3, () => 0)).toBe(0);
    expect(backoffDelayMs(2, () => 0.5)).toBe(500);
  });

  it("reads Retry-After as seconds and as an HTTP date", () => {
    const clock = { now: () => Date.parse("2026-01-01T00:00:00Z") };
    expect(parseRetryAfterMs("7", clock)).toBe(7000);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", clock)).toBe(30_000);
    expect(parseRetryAfterMs("Wed, 31 Dec 2025 23:59:00 GMT", clock)).toBe(0);
    expect(parseRetryAfterMs("soon", clock)).toBeNull();
    expect(parseRetryAfterMs(undefined, clock)).toBeNull();
  });

  it("retries 5xx on the backoff schedule and succeeds", async () => {
    const net = fakeNetwork((_u, n) => (n < 3 ? { status: 500 } : { status: 200 }));
    const { o, api } = observer();
    const t0 = Date.now();
    const done = transport(net.adapter, api).send(get("http://h/a"), ctx());
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(net.attempts.map((a) => a.at - t0)).toEqual([0, 250, 750, 1750]);
    expect(o.retries).toEqual(["5xx", "5xx", "5xx"]);
  });

  it("gives up after --avepoint.max-retries", async () => {
    const net = fakeNetwork(() => ({ status: 503 }));
    const done = transport(net.adapter, observer().api, { maxRetries: 2 }).send(get("http://h/a"), ctx());
    const result = expect(done).rejects.toMatchObject({ reason: "http_5xx" });
    await vi.runAllTimersAsync();
    await result;
    expect(net.attempts).toHaveLength(3);
  });

  it.each([400, 403, 404])("does not retry %i", async (status) => {
    const net = fakeNetwork(() => ({ status }));
    const response = await transport(net.adapter, observer().api).send(get("http://h/a"), ctx());
    expect(response.status).toBe(status);
    expect(net.attempts).toHaveLength(1);
  });

  it("retries connection errors", async () => {
    const net = fakeNetwork((_u, n) => (n === 0 ? "network" : { status: 200 }));
    const { o, api } = observer();
    const done = transport(net.adapter, api).send(get("http://h/a"), ctx());
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(o.retries).toEqual(["network"]);
  });

  it.each([
    ["seconds", "2", 2000],
    ["an HTTP date", "Thu, 01 Jan 2026 00:00:03 GMT", 3000],
  ])("honours Retry-After in %s", async (_name, header, waitMs) => {
    const net = fakeNetwork((_u, n) =>
      n === 0 ? { status: 429, headers: { "retry-after": header } } : { status: 200 },
    );
    const { o, api } = observer();
    const t0 = Date.now();
    const t = transport(net.adapter, api);
    const done = t.send(get("http://h/a"), ctx());
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(net.attempts[1]!.at - t0).toBe(waitMs);
    expect(o.retries).toEqual(["429"]);
    expect(o.throttled).toBe(1);
    expect(t.limiter.pausedSeconds()).toBeCloseTo(waitMs / 1000, 3);
  });

  it.each([
    ["0", "0"],
    ["a date in the past", "Wed, 31 Dec 2025 23:59:00 GMT"],
  ])("pauses at least a second after a 429 whose Retry-After is %s", async (_name, header) => {
    const net = fakeNetwork((_u, n) =>
      n === 0 ? { status: 429, headers: { "retry-after": header } } : { status: 200 },
    );
    const t0 = Date.now();
    const done = transport(net.adapter, observer().api).send(get("http://h/a"), ctx());
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(net.attempts[1]!.at - t0).toBe(1000);
  });

  it("caps a 5xx's Retry-After at --avepoint.max-retry-after", async () => {
    const net = fakeNetwork((_u, n) =>
      n === 0 ? { status: 502, headers: { "retry-after": "3600" } } : { status: 200 },
    );
    const t0 = Date.now();
    const done = transport(net.adapter, observer().api, { maxRetryAfterSeconds: 5 }).send(
      get("http://h/a"),
      ctx(120_000),
    );
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(net.attempts[1]!.at - t0).toBe(5000);
  });

  it("waits out more 429s than --avepoint.max-retries: a refusal is not a failure", async () => {
    const net = fakeNetwork((_u, n) =>
      n < 6 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 },
    );
    const { o, api } = observer();
    const done = transport(net.adapter, api, { maxRetries: 1 }).send(get("http://h/a"), ctx());
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(o.throttled).toBe(6);
  });

  it("treats 503 with Retry-After as a refusal and 503 without as an error", async () => {
    const net = fakeNetwork((url, n) =>
      url.endsWith("/a")
        ? n < 3
          ? { status: 503, headers: { "retry-after": "1" } }
          : { status: 200 }
        : { status: 503 },
    );
    const { o, api } = observer();
    const t = transport(net.adapter, api, { maxRetries: 0 });
    const a = t.send(get("http://h/a"), ctx());
    await vi.runAllTimersAsync();
    expect((await a).status).toBe(200);
    expect(o.throttled).toBe(3);
    const b = expect(t.send(get("http://h/b"), ctx())).rejects.toMatchObject({ reason: "http_5xx" });
    await vi.runAllTimersAsync();
    await b;
  });

  it.each([
    ["seconds", "999999999"],
    ["an HTTP date in 9999", "Fri, 31 Dec 9999 23:59:59 GMT"],
  ])("caps an absurd Retry-After in %s at --avepoint.max-retry-after", async (_name, header) => {
    const net = fakeNetwork((_u, n) =>
      n === 0 ? { status: 429, headers: { "retry-after": header } } : { status: 200 },
    );
    const { o, api } = observer();
    const t0 = Date.now();
    const done = transport(net.adapter, api, { maxRetryAfterSeconds: 30 }).send(
      get("http://h/a"),
      ctx(120_000),
    );
    await vi.runAllTimersAsync();
    expect((await done).status).toBe(200);
    expect(net.attempts[1]!.at - t0).toBe(30_000);
    expect(o.capped).toHaveLength(1);
    expect(o.capped[0]).toBeGreaterThan(1e6);
  });

  it("pauses every request, not only the throttled one, after a 429", async () => {
    const net = fakeNetwork((url, n) =>
      url.endsWith("/a") && n === 0 ? { status: 429, headers: { "retry-after": "5" } } : { status: 200 },
    );
    const t = transport(net.adapter, observer().api);
    const t0 = Date.now();
    const a = t.send(get("http://h/a"), ctx());
    await vi.advanceTimersByTimeAsync(100);
    const b = t.send(get("http://h/b"), ctx());
    await vi.runAllTimersAsync();
    await Promise.all([a, b]);
    const bAt = net.attempts.find((x) => x.url.endsWith("/b"))!.at - t0;
    expect(bAt).toBeGreaterThanOrEqual(5000);
  });

  it("never sleeps past the deadline: a Retry-After beyond it fails at once", async () => {
    const net = fakeNetwork(() => ({ status: 429, headers: { "retry-after": "30" } }));
    const t0 = Date.now();
    const done = transport(net.adapter, observer().api).send(get("http://h/a"), ctx(10_000));
    // The round's deadline, not AvePoint, ended it: the customer counts as not reached.
    await expect(done).rejects.toBeInstanceOf(DeadlineError);
    await expect(done).rejects.toMatchObject({ reason: "throttled" });
    expect(isUpstreamError(await done.catch((err: unknown) => err))).toBe(false);
    expect(Date.now() - t0).toBe(0);
    expect(net.attempts).toHaveLength(1);
  });

  it("a backoff that would pass the deadline fails at once", async () => {
    const net = fakeNetwork(() => ({ status: 500 }));
    const done = transport(net.adapter, observer().api, { maxRetries: 5 }).send(get("http://h/a"), ctx(600));
    // AvePoint failed it: a failure of the customer, not the round's bound.
    const result = expect(done).rejects.toMatchObject({ reason: "http_5xx", name: "UpstreamHttpError" });
    await vi.runAllTimersAsync();
    await result;
    // 0 ms, then 250 ms; the next wait (500 ms) would end at 750 ms > 600 ms.
    expect(net.attempts).toHaveLength(2);
    expect(Date.now() - Date.parse("2026-01-01T00:00:00Z")).toBe(250);
  });
});

describe("rate limiter", () => {
  it("lets a burst of one second's worth through, then spaces requests at the rate", async () => {
    const limiter = new RateLimiter(new AdaptiveRate(2, false));
    const times: number[] = [];
    const t0 = Date.now();
    const all = Array.from({ length: 5 }, () =>
      limiter.acquire(ctx(), "GET /x").then(() => times.push(Date.now() - t0)),
    );
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(times).toEqual([0, 0, 500, 1000, 1500]);
    // Pacing is wall-clock time with someone waiting (1.5 s), not the sum of the waits (3 s).
    expect(limiter.pacingSeconds()).toBeCloseTo(1.5, 3);
    expect(limiter.pausedSeconds()).toBe(0);
  });

  it("counts overlapping pauses once, as wall-clock time", async () => {
    const limiter = new RateLimiter(new AdaptiveRate(10, false));
    const t0 = Date.now();
    limiter.pause(t0 + 2000);
    await vi.advanceTimersByTimeAsync(1000);
    limiter.pause(t0 + 3000);
    expect(limiter.pausedSeconds()).toBeCloseTo(1, 3);
    await vi.advanceTimersByTimeAsync(5000);
    limiter.pause(Date.now() + 500);
    await vi.advanceTimersByTimeAsync(1000);
    expect(limiter.pausedSeconds()).toBeCloseTo(3.5, 3);
  });

  it("refuses at once a wait that would end past the deadline", async () => {
    const limiter = new RateLimiter(new AdaptiveRate(1, false));
    await limiter.acquire(ctx(), "GET /x");
    limiter.pause(Date.now() + 5000);
    await expect(limiter.acquire(ctx(1000), "GET /x")).rejects.toThrow(/deadline/);
  });

  it("stops waiting when the collection is aborted", async () => {
    const limiter = new RateLimiter(new AdaptiveRate(1, false));
    limiter.pause(Date.now() + 5000);
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal, deadline: Date.now() + 60_000 }, "GET /x");
    const result = expect(waiting).rejects.toThrow();
    controller.abort();
    await result;
  });
});

describe("after a 429 pause", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resumes at the rate, not with a burst of every waiting request", async () => {
    const limiter = new RateLimiter(new AdaptiveRate(10, false));
    const t0 = Date.now();
    limiter.pause(t0 + 1000);
    const times: number[] = [];
    const all = Array.from({ length: 4 }, () =>
      limiter.acquire(ctx(), "GET /x").then(() => times.push(Date.now() - t0)),
    );
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(times).toEqual([1000, 1100, 1200, 1300]);
  });

  it("pauses everybody even when the throttled request gives up at its deadline", async () => {
    const net = fakeNetwork((url) =>
      url.endsWith("/a") ? { status: 429, headers: { "retry-after": "3" } } : { status: 200 },
    );
    const t = transport(net.adapter, observer().api, { maxRetries: 0 });
    const t0 = Date.now();
    await expect(t.send(get("http://h/a"), ctx(2000))).rejects.toMatchObject({ reason: "throttled" });
    const b = t.send(get("http://h/b"), ctx());
    await vi.runAllTimersAsync();
    await b;
    expect(net.attempts.find((x) => x.url.endsWith("/b"))!.at - t0).toBeGreaterThanOrEqual(3000);
  });
});
