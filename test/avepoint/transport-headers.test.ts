import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { Transport } from "../../src/avepoint/transport.js";

describe("requests on the wire", () => {
  it("carry Accept: application/json, the User-Agent and the request's own headers", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.end("{}");
    }).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const transport = new Transport({
      concurrency: 2,
      rateLimit: 100,
      requestTimeoutSeconds: 5,
      maxRetries: 0,
      maxResponseBytes: 1 << 20,
      userAgent: "avepoint-exporter/test",
    });
    onTestFinished(() => {
      transport.close();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ctx = { signal: new AbortController().signal, deadline: Date.now() + 5000 };
    await transport.send(
      { method: "GET", url: `${url}/a`, endpoint: "GET /a", headers: { Authorization: "Bearer t" } },
      ctx,
    );
    await transport.send(
      {
        method: "POST",
        url: `${url}/b`,
        endpoint: "POST /b",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      },
      ctx,
    );
    expect(seen[0]).toMatchObject({
      accept: "application/json",
      "user-agent": "avepoint-exporter/test",
      authorization: "Bearer t",
    });
    expect(seen[1]).toMatchObject({
      accept: "application/json",
      "content-type": "application/json",
      "content-length": "2",
    });
  });
});
