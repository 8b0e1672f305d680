import { connect } from "node:net";
import { gunzipSync } from "node:zlib";
import { Registry } from "prom-client";
import { describe, expect, it, onTestFinished } from "vitest";
import { buildApp, type AppDeps } from "../../src/server/app.js";
import { DEFAULT_SERVER_TIMEOUTS, serverTimeouts } from "../../src/server/timeouts.js";
import { testExporter, testSimulator } from "../helpers/exporter.js";

/** An app whose collection must never be asked for: every use of it fails the test. */
const appWithoutCollection = (timeouts: AppDeps["timeouts"]) => {
  const refuse = (): never => {
    throw new Error("the collection was used");
  };
  const rounds = {
    serve: refuse,
    view: refuse,
    get ready(): boolean {
      return refuse();
    },
  };
  return buildApp({
    rounds,
    selfRegistry: new Registry(),
    version: "test",
    telemetryPath: "/metrics",
    flavor: "v3",
    apiUrl: "http://127.0.0.1:9",
    timeoutOffsetSeconds: 0.5,
    defaultTimeoutSeconds: 30,
    ...(timeouts ? { timeouts } : {}),
  });
};

/** Opens a raw connection, writes `text`, and resolves with what the server sent once it closes. */
const rawExchange = (port: number, text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("connect", () => socket.write(text));
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });

describe("the HTTP server", () => {
  it("sends /metrics gzip-compressed when asked, identical once unpacked", async () => {
    const simulator = await testSimulator({ customers: 20, profilesPerCustomer: 3 });
    const exporter = await testExporter(simulator, ["--collect.min-interval=1m"]);
    const plain = await exporter.app.inject({ method: "GET", url: "/metrics" });
    const packed = await exporter.app.inject({
      method: "GET",
      url: "/metrics",
      headers: { "accept-encoding": "gzip" },
    });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(packed.headers["content-encoding"]).toBe("gzip");
    expect(packed.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const unpacked = gunzipSync(packed.rawPayload).toString("utf8");
    const collected = (text: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith("avepoint_scan_profile"))
        .join("\n");
    expect(collected(unpacked)).toEqual(collected(plain.body));
    expect(packed.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
  });

  it("is ready only after a successful collection; healthy always", async () => {
    const simulator = await testSimulator({ customers: 2, faults: { tokenStatus: 400 } });
    const exporter = await testExporter(simulator);
    expect((await exporter.app.inject({ url: "/-/healthy" })).statusCode).toBe(200);
    expect((await exporter.app.inject({ url: "/-/ready" })).statusCode).toBe(503);
    await exporter.scrape();
    expect((await exporter.app.inject({ url: "/-/ready" })).statusCode).toBe(503);
    simulator.setFaults({ tokenStatus: null });
    await exporter.scrape();
    expect((await exporter.app.inject({ url: "/-/ready" })).statusCode).toBe(200);
  });

  it("shows the last collection per customer, with errors, HTML-escaped, on the landing page", async () => {
    const simulator = await testSimulator({ customers: 40, profilesPerCustomer: 1, seed: 3 });
    const bad = simulator.customers()[0]!;
    simulator.setFaults({ failCustomers: { [bad.id]: 403 } });
    const exporter = await testExporter(simulator);
    const before = await exporter.app.inject({ url: "/" });
    expect(before.body).toContain("No collection yet");
    await exporter.scrape();
    const page = (await exporter.app.inject({ url: "/" })).body;
    expect(page).toContain('href="/metrics"');
    expect(page).toContain(bad.id);
    expect(page).toMatch(
      /forbidden: GET \/partner\/external\/v3\/general\/customers\/\{customerId\}\/scan-profiles answered HTTP 403/,
    );
    const quoted = simulator.customers().find((c) => c.organization.includes('"'));
    expect(quoted).toBeDefined();
    expect(page).toContain(
      quoted!.organization
        .replace(/&/g, "&amp;")
        .replace(/"/g, "&quot;")
        .replace(/</g, "&lt;")
        .replace(/'/g, "&#39;"),
    );
    // The one script is the page's own refresh; nothing from upstream becomes markup.
    expect(page.match(/<script/g)).toHaveLength(1);
  });

  it("answers HEAD /metrics at once, with the content type and no body, without collecting", async () => {
    const simulator = await testSimulator({ customers: 3, profilesPerCustomer: 1 });
    const exporter = await testExporter(simulator);
    const head = await exporter.app.inject({ method: "HEAD", url: "/metrics" });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(head.body).toBe("");
    expect(simulator.stats().tokenRequests).toBe(0);
    // A GET still collects.
    expect((await exporter.scrape()).status).toBe(200);
    expect(simulator.stats().tokenRequests).toBeGreaterThan(0);
  });

  it("HEAD /metrics needs no collection at all", async () => {
    const app = appWithoutCollection(undefined);
    onTestFinished(() => app.close());
    const head = await app.inject({ method: "HEAD", url: "/metrics" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
  });

  it("disconnects a client that sends half a request header; a whole request is answered", async () => {
    const app = appWithoutCollection({ headersMs: 200 });
    onTestFinished(() => app.close());
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as { port: number };
    // The server closes the connection by itself (with 408); the test would hang otherwise.
    const half = await rawExchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ");
    expect(half).toMatch(/^HTTP\/1\.1 408 /);
    // One that connects and sends nothing at all.
    expect(await rawExchange(port, "")).toMatch(/^HTTP\/1\.1 408 /);
    const whole = await rawExchange(
      port,
      "GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    expect(whole).toMatch(/^HTTP\/1\.1 200 /);
    expect(whole).toContain("Healthy");
  });

  it("keeps its socket limits above the longest answer a scrape may wait for", () => {
    const t = serverTimeouts(30);
    expect(t).toEqual(DEFAULT_SERVER_TIMEOUTS);
    // Only the idle limit runs while an answer is prepared: twice the longest wait, at least 10 minutes.
    expect(t.idleMs).toBeGreaterThanOrEqual(600_000);
    expect(serverTimeouts(600).idleMs).toBe(1_200_000);
    expect(t.headersMs).toBeLessThanOrEqual(t.requestMs);
    const app = appWithoutCollection(undefined);
    onTestFinished(() => app.close());
    expect(app.server.headersTimeout).toBe(10_000);
    expect(app.server.requestTimeout).toBe(30_000);
    expect(app.server.keepAliveTimeout).toBe(72_000);
    expect(app.server.timeout).toBe(600_000);
  });
});
