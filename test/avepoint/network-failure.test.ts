/**
 * Failures before any answer say what failed and where: a name lookup, a refused or broken
 * connection (`network`) or TLS (`tls`), with the host; towards the identity service never `auth`.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { AxiosError, type AxiosAdapter } from "axios";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TokenProvider } from "../../src/avepoint/auth.js";
import { networkFailure } from "../../src/avepoint/network-error.js";
import type { ApiObserver } from "../../src/avepoint/observer.js";
import { Transport } from "../../src/avepoint/transport.js";
import { isAuthError, isUpstreamError, reasonOf, type UpstreamError } from "../../src/errors.js";
import { refusingPort } from "../helpers/loopback.js";
import { createPki, type Pki } from "../helpers/pki.js";

const SECRET = "n3twork-Secret-value";

const recorder = () => {
  const seen = { retries: [] as string[], tokens: [] as string[], requests: [] as string[] };
  const observer: ApiObserver = {
    request: (_e, code) => seen.requests.push(code),
    retry: (_e, reason) => seen.retries.push(reason),
    throttled: () => {},
    retryAfterCapped: () => {},
    parseError: () => {},
    bodyRead: () => {},
    tokenRequest: (result) => seen.tokens.push(result),
  };
  return { seen, observer };
};

const transport = (observer: ApiObserver, extra: { adapter?: AxiosAdapter; maxRetries?: number } = {}) =>
  new Transport({
    concurrency: 2,
    rateLimit: 1000,
    requestTimeoutSeconds: 10,
    maxRetries: extra.maxRetries ?? 0,
    maxResponseBytes: 1 << 20,
    userAgent: "t",
    observer,
    random: () => 0,
    ...(extra.adapter ? { adapter: extra.adapter } : {}),
  });

const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 60_000 });

const failureOf = async (promise: Promise<unknown>): Promise<UpstreamError> => {
  try {
    await promise;
  } catch (err) {
    expect(isUpstreamError(err), String(err)).toBe(true);
    return err as UpstreamError;
  }
  throw new Error("no failure");
};

const listening = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
const closed = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** What axios hands over when the name lookup fails (no DNS query leaves the machine in tests). */
const dnsFailure: AxiosAdapter = (config) =>
  Promise.reject(
    new AxiosError(`getaddrinfo ENOTFOUND ${new URL(config.url ?? "").hostname}`, "ENOTFOUND", config),
  );

let pki: Pki;
let https: Server;
let httpsPort = 0;
let plain: Server;
let plainPort = 0;
const closers: Transport[] = [];

beforeAll(async () => {
  pki = createPki();
  const { certPem, keyPem } = pki.selfSigned("server");
  https = createHttpsServer({ cert: certPem, key: keyPem }, (_req, res) => res.end("{}"));
  httpsPort = await listening(https);
  plain = createHttpServer((_req, res) => res.end("{}"));
  plainPort = await listening(plain);
});
afterEach(() => {
  for (const t of closers.splice(0)) t.close();
});
afterAll(async () => {
  await closed(https);
  await closed(plain);
  pki.remove();
});

describe("a request that gets no answer", () => {
  it("names the host when the connection is refused: network", async () => {
    const port = await refusingPort();
    const { seen, observer } = recorder();
    const t = transport(observer);
    closers.push(t);
    const err = await failureOf(
      t.send({ method: "GET", url: `http://127.0.0.1:${port}/x`, endpoint: "GET /x" }, ctx()),
    );
    expect(err.reason).toBe("network");
    expect(err.message).toBe(`GET /x: connection to 127.0.0.1:${port} refused (ECONNREFUSED)`);
    expect(seen.requests).toEqual(["error"]);
  });

  it("names the host when its certificate is not trusted: tls, and not retried", async () => {
    const { seen, observer } = recorder();
    const t = transport(observer, { maxRetries: 3 });
    closers.push(t);
    const err = await failureOf(
      t.send({ method: "GET", url: `https://127.0.0.1:${httpsPort}/x`, endpoint: "GET /x" }, ctx()),
    );
    expect(err.reason).toBe("tls");
    expect(err.message).toBe(`GET /x: TLS with 127.0.0.1:${httpsPort} failed (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    expect(reasonOf(err)).toBe("tls");
    // The same certificate would fail the same way.
    expect(seen.retries).toEqual([]);
  });

  it("calls TLS spoken to a plain HTTP server tls", async () => {
    const { observer } = recorder();
    const t = transport(observer);
    closers.push(t);
    const err = await failureOf(
      t.send({ method: "GET", url: `https://127.0.0.1:${plainPort}/x`, endpoint: "GET /x" }, ctx()),
    );
    expect(err.reason).toBe("tls");
    expect(err.message).toMatch(
      new RegExp(`^GET /x: TLS with 127\\.0\\.0\\.1:${plainPort} failed \\(\\w+\\)$`),
    );
  });

  it("names the host whose name lookup failed: network, retried", async () => {
    const { seen, observer } = recorder();
    const t = transport(observer, { adapter: dnsFailure, maxRetries: 1 });
    closers.push(t);
    const err = await failureOf(
      t.send({ method: "GET", url: "https://graph.example.invalid/x", endpoint: "GET /x" }, ctx()),
    );
    expect(err.reason).toBe("network");
    expect(err.message).toBe("GET /x: DNS lookup of graph.example.invalid failed (ENOTFOUND)");
    expect(seen.retries).toEqual(["network"]);
  });

  it.each([
    ["ENOTFOUND", "network", "DNS lookup of h:1 failed (ENOTFOUND)"],
    ["EAI_AGAIN", "network", "DNS lookup of h:1 failed (EAI_AGAIN)"],
    ["ECONNREFUSED", "network", "connection to h:1 refused (ECONNREFUSED)"],
    ["ECONNRESET", "network", "connection to h:1 closed early (ECONNRESET)"],
    ["EHOSTUNREACH", "network", "h:1 unreachable (EHOSTUNREACH)"],
    ["CERT_HAS_EXPIRED", "tls", "TLS with h:1 failed (CERT_HAS_EXPIRED)"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls", "TLS with h:1 failed (ERR_TLS_CERT_ALTNAME_INVALID)"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls", "TLS with h:1 failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE)"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls", "TLS with h:1 failed (SELF_SIGNED_CERT_IN_CHAIN)"],
    ["EPROTO", "tls", "TLS with h:1 failed (EPROTO)"],
    ["ESOMETHING", "network", "cannot reach h:1 (ESOMETHING)"],
    [undefined, "network", "cannot reach h:1 (network error)"],
  ])("classifies %s", (code, reason, message) => {
    const failure = networkFailure(code, "h:1");
    expect([failure.reason, failure.message]).toEqual([reason, message]);
    expect(failure.retry).toBe(reason === "network");
  });
});

describe("a token request that gets no answer", () => {
  const provider = (tokenUrl: string, observer: ApiObserver, adapter?: AxiosAdapter) => {
    const t = transport(observer, adapter ? { adapter } : {});
    closers.push(t);
    return new TokenProvider(t, {
      tokenUrl,
      clientId: "client",
      scopes: ["a"],
      credentials: { kind: "secret", clientSecret: SECRET },
      observer,
    });
  };

  it("is network with the identity service's host when the name lookup fails, never auth", async () => {
    const { seen, observer } = recorder();
    let calls = 0;
    const tokens = provider("https://identity.example.invalid/connect/token", observer, (config) => {
      calls++;
      return dnsFailure(config);
    });
    const context = ctx();
    const err = await failureOf(tokens.get(context));
    expect(isAuthError(err)).toBe(false);
    expect(err.reason).toBe("network");
    expect(err.endpoint).toBe("token");
    expect(err.message).toBe(
      "cannot get a token from the identity service: DNS lookup of identity.example.invalid failed (ENOTFOUND)",
    );
    expect(seen.tokens).toEqual(["failure"]);
    // The rest of the collection is answered with the same failure, not one request per customer.
    expect(await failureOf(tokens.get(context))).toBe(err);
    expect(calls).toBe(1);
    // The next collection asks again.
    await failureOf(tokens.get(ctx()));
    expect(calls).toBe(2);
  });

  it("is network when the connection is refused", async () => {
    const port = await refusingPort();
    const { observer } = recorder();
    const err = await failureOf(provider(`http://127.0.0.1:${port}/connect/token`, observer).get(ctx()));
    expect(isAuthError(err)).toBe(false);
    expect(err.reason).toBe("network");
    expect(err.message).toContain(`connection to 127.0.0.1:${port} refused`);
    expect(err.message).not.toContain(SECRET);
  });

  it("is tls when the identity service's certificate is not trusted", async () => {
    const { observer } = recorder();
    const err = await failureOf(
      provider(`https://127.0.0.1:${httpsPort}/connect/token`, observer).get(ctx()),
    );
    expect(isAuthError(err)).toBe(false);
    expect(err.reason).toBe("tls");
    expect(err.message).toBe(
      `cannot get a token from the identity service: TLS with 127.0.0.1:${httpsPort} failed (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    );
  });
});
