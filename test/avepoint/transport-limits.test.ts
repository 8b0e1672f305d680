/** The transport's limits against a real server on loopback: answer size, total time, redirects. */
import type { ServerResponse } from "node:http";
import { describe, expect, it, onTestFinished } from "vitest";
import { Transport } from "../../src/avepoint/transport.js";
import type { CallContext } from "../../src/avepoint/call-context.js";
import { loopbackServer } from "../helpers/loopback.js";
import { waitFor } from "../helpers/wait.js";

/** A server on 127.0.0.1:0 counting the requests it was sent. */
const serve = async (handle: (res: ServerResponse) => void) => {
  const seen = { requests: 0, authorization: [] as string[] };
  const url = await loopbackServer((req, res) => {
    seen.requests++;
    if (req.headers.authorization) seen.authorization.push(req.headers.authorization);
    handle(res);
  });
  return { url, seen };
};

const transport = (extra: Partial<ConstructorParameters<typeof Transport>[0]> = {}) => {
  const t = new Transport({
    concurrency: 2,
    rateLimit: 1000,
    requestTimeoutSeconds: 10,
    maxRetries: 3,
    maxResponseBytes: 64 * 1024,
    userAgent: "t",
    random: () => 0,
    ...extra,
  });
  onTestFinished(() => t.close());
  return t;
};
const ctx = (): CallContext => ({ signal: new AbortController().signal, deadline: Date.now() + 60_000 });
const get = (url: string) => ({ method: "GET" as const, url, endpoint: "GET /x" });

describe("limits at the edge", () => {
  it("cuts off an answer larger than the limit and does not ask again", async () => {
    const { url, seen } = await serve((res) => res.end("x".repeat(200 * 1024)));
    await expect(transport().send(get(url), ctx())).rejects.toMatchObject({ reason: "too_large" });
    expect(seen.requests).toBe(1);
  });

  it("cuts off an endless chunked answer", async () => {
    let written = 0;
    const { url } = await serve((res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const chunk = "y".repeat(16 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await expect(transport().send(get(url), ctx())).rejects.toMatchObject({ reason: "too_large" });
    // Cut off near the limit, not after megabytes (socket buffers hold a little more).
    expect(written).toBeLessThan(8 * 1024 * 1024);
  });

  it("cuts off an answer that trickles in after the total request timeout", async () => {
    let bytes = 0;
    let closed = false;
    const { url } = await serve((res) => {
      res.writeHead(200);
      const timer = setInterval(() => {
        bytes++;
        res.write("a");
      }, 50);
      res.on("close", () => {
        closed = true;
        clearInterval(timer);
      });
    });
    await expect(
      transport({ requestTimeoutSeconds: 0.4, maxRetries: 0 }).send(get(url), ctx()),
    ).rejects.toMatchObject({ reason: "timeout" });
    // The exporter hung up: the server sees the connection close (the test's timeout bounds the wait).
    await waitFor(() => closed);
    // An idle timeout of 0.4 s would never fire: one byte every 50 ms. The total one cut it early.
    expect(bytes).toBeLessThan(40);
  });

  it("never follows a redirect: 3xx is an answer of its own and nothing reaches the Location", async () => {
    const elsewhere = await serve((res) => res.end("{}"));
    const { url } = await serve((res) => {
      res.writeHead(302, { Location: `${elsewhere.url}/steal` });
      res.end();
    });
    const response = await transport().send(
      { ...get(url), headers: { Authorization: "Bearer secret-token" } },
      ctx(),
    );
    expect(response.status).toBe(302);
    expect(elsewhere.seen.requests).toBe(0);
  });
});
