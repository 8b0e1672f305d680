import type { AxiosAdapter, InternalAxiosRequestConfig } from "axios";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TokenProvider } from "../../src/avepoint/auth.js";
import { ApiClient } from "../../src/avepoint/client.js";
import { Transport } from "../../src/avepoint/transport.js";
import { nullObserver } from "../../src/avepoint/observer.js";
import { AuthError, UpstreamHttpError } from "../../src/errors.js";

const TOKEN_URL = "http://id.test/connect/token";

/** Identity service + API in one fake network; tokens are "t1", "t2", ... */
const fake = (
  options: { lifetime?: number; apiStatus?: (token: string, n: number) => number; tokenStatus?: number } = {},
) => {
  const state = { tokenRequests: 0, apiCalls: [] as string[], forms: [] as string[] };
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const base = { statusText: "", headers: {}, config };
    if (config.url === TOKEN_URL) {
      state.tokenRequests++;
      state.forms.push(String(config.data));
      await new Promise((r) => setTimeout(r, 10));
      if (options.tokenStatus)
        return { ...base, status: options.tokenStatus, data: '{"error":"invalid_client"}' };
      return {
        ...base,
        status: 200,
        data: JSON.stringify({
          access_token: `t${state.tokenRequests}`,
          expires_in: options.lifetime ?? 3600,
          token_type: "Bearer",
        }),
      };
    }
    const token = String(config.headers.Authorization).replace("Bearer ", "");
    state.apiCalls.push(token);
    const status = options.apiStatus?.(token, state.apiCalls.length) ?? 200;
    return { ...base, status, data: status === 200 ? '{"ok":true}' : "" };
  };
  const transport = new Transport({
    concurrency: 4,
    rateLimit: 1000,
    requestTimeoutSeconds: 30,
    maxRetries: 0,
    maxResponseBytes: 1 << 20,
    userAgent: "t",
    adapter,
  });
  const tokens = new TokenProvider(transport, {
    tokenUrl: TOKEN_URL,
    clientId: "client",
    scopes: ["a", "b"],
    credentials: { kind: "secret", clientSecret: "shh" },
    observer: nullObserver,
  });
  const client = new ApiClient("http://api.test", transport, tokens, nullObserver);
  return { state, tokens, client };
};

const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 3_600_000 });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("access tokens", () => {
  it("sends the client credentials form", async () => {
    const { state, tokens } = fake();
    const got = tokens.get(ctx());
    await vi.runAllTimersAsync();
    expect(await got).toBe("t1");
    expect(Object.fromEntries(new URLSearchParams(state.forms[0]))).toEqual({
      grant_type: "client_credentials",
      client_id: "client",
      scope: "a b",
      client_secret: "shh",
    });
  });

  it("fetches one token for many concurrent callers", async () => {
    const { state, tokens } = fake();
    const all = Promise.all(Array.from({ length: 10 }, () => tokens.get(ctx())));
    await vi.runAllTimersAsync();
    expect(new Set(await all)).toEqual(new Set(["t1"]));
    expect(state.tokenRequests).toBe(1);
  });

  it("reuses the token until shortly before it expires", async () => {
    const { state, tokens } = fake({ lifetime: 3600 });
    const first = tokens.get(ctx());
    await vi.runAllTimersAsync();
    await first;
    vi.advanceTimersByTime(3500 * 1000);
    expect(await tokens.get(ctx())).toBe("t1");
    vi.advanceTimersByTime(50 * 1000);
    const renewed = tokens.get(ctx());
    await vi.runAllTimersAsync();
    expect(await renewed).toBe("t2");
    expect(state.tokenRequests).toBe(2);
  });

  it("after a 401 fetches a new token and retries the request once", async () => {
    const { state, client } = fake({ apiStatus: (token) => (token === "t1" ? 401 : 200) });
    const done = client.json({ method: "GET", path: "/x", endpoint: "GET /x" }, ctx());
    await vi.runAllTimersAsync();
    expect(await done).toEqual({ ok: true });
    expect(state.apiCalls).toEqual(["t1", "t2"]);
  });

  it("gives up after the second 401", async () => {
    const { state, client } = fake({ apiStatus: () => 401 });
    const done = client.json({ method: "GET", path: "/x", endpoint: "GET /x" }, ctx());
    const result = expect(done).rejects.toBeInstanceOf(UpstreamHttpError);
    await vi.runAllTimersAsync();
    await result;
    expect(state.apiCalls).toHaveLength(2);
  });

  it("asks the identity service once per collection when it refuses, not once per customer", async () => {
    const { state, tokens } = fake({ tokenStatus: 400 });
    const collection = ctx();
    const first = tokens.get(collection).catch(() => "refused");
    await vi.runAllTimersAsync();
    expect(await first).toBe("refused");
    const more = await Promise.all(
      Array.from({ length: 5 }, () => tokens.get(collection).catch(() => "refused")),
    );
    expect(more).toEqual(Array(5).fill("refused"));
    expect(state.tokenRequests).toBe(1);
    const next = tokens.get(ctx()).catch(() => "refused");
    await vi.runAllTimersAsync();
    await next;
    expect(state.tokenRequests).toBe(2);
  });

  it("turns a refusal into an AuthError naming the identity service's error, without the secret", async () => {
    const { tokens } = fake({ tokenStatus: 400 });
    const got = tokens.get(ctx());
    const result = expect(got).rejects.toBeInstanceOf(AuthError);
    await vi.runAllTimersAsync();
    await result;
    const err = await got.catch((e: Error) => e);
    expect((err as Error).message).toContain("invalid_client");
    expect((err as Error).message).not.toContain("shh");
  });
});
