/** The transport's streamed path (daily reports) against a real server on loopback: bounds of its own, retries, counting. */
import type { ServerResponse } from "node:http";
import { describe, expect, it, onTestFinished } from "vitest";
import { Transport } from "../../src/avepoint/transport.js";
import type { CallContext } from "../../src/avepoint/call-context.js";
import { nullObserver } from "../../src/avepoint/observer.js";
import { SkippedList, streamedRecord } from "../../src/avepoint/streamed-record.js";
import { loopbackServer } from "../helpers/loopback.js";

const serve = async (handle: (res: ServerResponse, n: number) => void) => {
  const seen = { requests: 0 };
  const url = await loopbackServer((_req, res) => handle(res, ++seen.requests));
  return { url, seen };
};

const reads: { endpoint: string; read: number; skipped: number }[] = [];
const transport = (extra: Partial<ConstructorParameters<typeof Transport>[0]> = {}) => {
  reads.length = 0;
  const t = new Transport({
    concurrency: 2,
    rateLimit: 1000,
    requestTimeoutSeconds: 0.2,
    maxRetries: 2,
    maxResponseBytes: 64 * 1024,
    userAgent: "t",
    random: () => 0,
    observer: {
      ...nullObserver,
      bodyRead: (endpoint, read, skipped) => reads.push({ endpoint, read, skipped }),
    },
    ...extra,
  });
  onTestFinished(() => t.close());
  return t;
};
const ctx = (): CallContext => ({ signal: new AbortController().signal, deadline: Date.now() + 60_000 });
const report = (url: string) => ({
  method: "GET" as const,
  url,
  endpoint: "GET /changes",
  streamInto: (maxKept: number) => streamedRecord("GET /changes", maxKept),
});
const list = (n: number): string =>
  `{"profileId":"p","removedFromMicrosoft365OrOutOfPolicyObjects":[${Array.from({ length: n }, (_, i) => `"https://x/${i}"`).join(",")}]}`;

describe("streamed answers", () => {
  it("are read past --avepoint.max-response-size (lists skipped) and past the request timeout's reach", async () => {
    const body = list(50_000);
    const { url } = await serve((res) => res.end(body));
    const response = await transport().send(report(url), ctx());
    expect(response.status).toBe(200);
    expect(response.value).toMatchObject({
      profileId: "p",
      removedFromMicrosoft365OrOutOfPolicyObjects: new SkippedList(50_000),
    });
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect(reads).toEqual([
      {
        endpoint: "GET /changes",
        read: body.length,
        skipped: body.length - "profileIdpremovedFromMicrosoft365OrOutOfPolicyObjects".length,
      },
    ]);
  });

  it("are cut at the decoded-bytes bound (too_large), never asked for again, and what was read is counted", async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"l":[');
      const chunk = '"yyyyyyyyyyyyyyyyyyyy",'.repeat(1000);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await expect(
      transport({ maxStreamedBytes: 2 * 1024 * 1024 }).send(report(url), ctx()),
    ).rejects.toMatchObject({
      reason: "too_large",
      message: expect.stringMatching(/max-report-size/),
    });
    expect(seen.requests).toBe(1);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.read).toBeGreaterThan(2 * 1024 * 1024);
    expect(reads[0]!.read).toBeLessThan(3 * 1024 * 1024);
  });

  it("have a time bound of their own; one cut while arriving is not retried", async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(200);
      res.write('{"a":[');
      const timer = setInterval(() => res.write('"b",'), 20);
      res.on("close", () => clearInterval(timer));
    });
    await expect(transport({ streamedTimeoutSeconds: 0.5 }).send(report(url), ctx())).rejects.toMatchObject({
      reason: "timeout",
      message: expect.stringMatching(/0\.5s/),
    });
    expect(seen.requests).toBe(1);
  });

  it("a 5xx is not fed to the reader and is retried as any answer", async () => {
    const { url, seen } = await serve((res, n) => {
      if (n === 1) {
        res.writeHead(503);
        res.end("<html>maintenance</html>");
      } else res.end(list(3));
    });
    const response = await transport().send(report(url), ctx());
    expect(seen.requests).toBe(2);
    expect(response.value).toMatchObject({ removedFromMicrosoft365OrOutOfPolicyObjects: new SkippedList(3) });
  });

  it("a body that is not JSON is a ParseError, not retried", async () => {
    const { url, seen } = await serve((res) => res.end("<html>"));
    await expect(transport().send(report(url), ctx())).rejects.toMatchObject({ name: "ParseError" });
    expect(seen.requests).toBe(1);
  });

  it("every other answer keeps --avepoint.max-response-size", async () => {
    const body = list(50_000);
    const { url } = await serve((res) => res.end(body));
    await expect(transport().send({ method: "GET", url, endpoint: "GET /x" }, ctx())).rejects.toMatchObject({
      reason: "too_large",
    });
  });
});
