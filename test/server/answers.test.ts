/**
 * Slow readers cannot exhaust memory: concurrent scrapes share one rendering of the view, /metrics
 * answers in progress are bounded (beyond it a fast 503), an answer not read in time is cut, and open
 * connections are capped.
 */
import { connect, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { CustomerView, View } from "../../src/collect/view.js";
import type { AppDeps } from "../../src/server/app.js";
import { acceptsGzip } from "../../src/server/limits.js";
import { SharedBodies } from "../../src/server/shared-body.js";
import { viewApp } from "../helpers/app.js";

const customers: CustomerView[] = Array.from({ length: 50 }, (_, i) => ({
  customer: { id: `c${i}`, name: `Customer ${i}`, country: "DE", managementMode: 1, jobStatus: 1 },
  profiles: [
    {
      id: `p${i}`,
      name: "Mail",
      scanMode: 0,
      tenantId: "t",
      tenantDomain: "contoso.onmicrosoft.com",
      modifiedTimestamp: null,
      status: {
        lastScanStatus: 2,
        newRegisteredObjects: i,
        movedObjects: 0,
        removedObjects: 0,
        dailyReportTimestamp: 1_800_000_000,
      },
    },
  ],
  lastSuccess: 1_800_000_000,
  last: { ok: true },
}));

const view: View = {
  listing: { ok: true },
  updatedAt: 1_800_000_000,
  round: { running: false, customers: 50, done: 50, lastComplete: null },
  customers,
};

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const make = (overrides: Partial<AppDeps> = {}) => {
  const app = viewApp(view, {
    // A fresh view object for every scrape, made of the same records, as Rounds makes them.
    rounds: { serve: async () => ({ ...view }), view: () => view, ready: true },
    ...overrides,
  });
  apps.push(app);
  return app;
};

describe("shared rendering", () => {
  it("renders a view once for all the scrapes answered with it, and again when a record changes", async () => {
    const bodies = new SharedBodies();
    let current = view;
    const app = make({
      bodies,
      rounds: { serve: async () => ({ ...current }), view: () => view, ready: true },
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => app.inject({ url: "/metrics" })));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers[0]?.body).toContain('customer_id="c49"');
    expect(bodies.renders).toBe(1);

    const changed = { ...customers[3]!, lastSuccess: 1_800_000_100 };
    current = { ...view, customers: customers.map((c, i) => (i === 3 ? changed : c)) };
    await app.inject({ url: "/metrics" });
    expect(bodies.renders).toBe(2);
  });

  it("serves the same series gzipped (rendered and compressed once), when asked for gzip", async () => {
    const bodies = new SharedBodies();
    const app = make({ bodies });
    const plain = await app.inject({ url: "/metrics" });
    const zipped = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.inject({ url: "/metrics", headers: { "accept-encoding": "gzip" } }),
      ),
    );
    for (const answer of zipped) {
      expect(answer.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(answer.rawPayload).toString("utf8")).toBe(plain.body);
    }
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(bodies.renders).toBe(1);
  });

  it.each([
    ["gzip", true],
    ["deflate, gzip;q=0.5", true],
    ["gzip;q=0", false],
    ["identity", false],
    ["*", true],
    [undefined, false],
  ])("Accept-Encoding %s → gzip %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe("bounds", () => {
  it("answers /metrics beyond the bound in progress with a fast 503; health still answers", async () => {
    let release: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const app = make({
      limits: { maxScrapesInFlight: 2 },
      rounds: {
        serve: async () => {
          started++;
          await waiting;
          return view;
        },
        view: () => view,
        ready: true,
      },
    });
    const codes: number[] = [];
    let fiveAnswered: () => void = () => {};
    const five = new Promise<void>((resolve) => (fiveAnswered = resolve));
    const all = Array.from({ length: 7 }, () =>
      app.inject({ url: "/metrics" }).then((a) => {
        codes.push(a.statusCode);
        if (codes.length === 5) fiveAnswered();
        return a;
      }),
    );
    await five;
    expect(codes).toEqual([503, 503, 503, 503, 503]);
    expect(started).toBe(2);
    expect((await app.inject({ url: "/-/healthy" })).statusCode).toBe(200);
    release();
    const answers = await Promise.all(all);
    expect(answers.find((a) => a.statusCode === 503)?.headers["retry-after"]).toBe("1");
    expect(codes.slice(5)).toEqual([200, 200]);
    // The places are given back.
    expect((await app.inject({ url: "/metrics" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/metrics" })).statusCode).toBe(200);
  });

  const listen = async (app: ReturnType<typeof make>): Promise<number> => {
    await app.listen({ host: "127.0.0.1", port: 0 });
    return (app.server.address() as { port: number }).port;
  };

  const closed = (socket: Socket): Promise<void> =>
    new Promise((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())));

  it("cuts a client that does not read its answer by the write timeout, and gives its place back", async () => {
    // Far more than the socket buffers hold, so that the answer cannot be written without reading.
    const big = `# ${"x".repeat(1024)}\n`.repeat(64 * 1024);
    const selfRegistry = { metrics: async () => big } as unknown as Registry;
    const app = make({ selfRegistry, limits: { writeTimeoutMs: 200, maxScrapesInFlight: 1 } });
    const port = await listen(app);
    const accepted = new Promise<Socket>((resolve) => app.server.once("connection", resolve));
    const socket = connect(port, "127.0.0.1");
    socket.pause();
    socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    // Never read: the server cuts its side of the connection.
    await closed(await accepted);
    socket.destroy();
    const answer = await fetch(`http://127.0.0.1:${port}/-/healthy`);
    expect(answer.status).toBe(200);
    // The one place for a /metrics answer is free again.
    const again = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(again.status).toBe(200);
    expect((await again.text()).length).toBeGreaterThan(big.length);
  });

  it("caps open connections", async () => {
    const app = make({ limits: { maxConnections: 2 } });
    const port = await listen(app);
    expect(app.server.maxConnections).toBe(2);
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const socket = connect(port, "127.0.0.1", () => resolve(socket));
        socket.resume();
      });
    const first = await open();
    const second = await open();
    // Both are counted by the server before the third arrives.
    await fetch(`http://127.0.0.1:${port}/-/healthy`).catch(() => undefined);
    const third = await open();
    await closed(third);
    first.destroy();
    second.destroy();
  });
});
