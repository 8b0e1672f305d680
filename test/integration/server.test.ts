import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { testExporter, testSimulator } from "../helpers/exporter.js";

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
    expect(page).not.toContain("<script");
  });
});
