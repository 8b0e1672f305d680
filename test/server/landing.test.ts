/** The landing page's model and markup without a browser, and its refresh route behind the guard. */
import { describe, expect, it } from "vitest";
import type { Customer } from "../../src/avepoint/types.js";
import type { CustomerView, Profile, View } from "../../src/collect/view.js";
import { viewApp } from "../helpers/app.js";
import { formatAge, landingModel } from "../../src/server/landing-model.js";
import { REFRESH_SECONDS, refreshSecondsOf, renderLandingStatus } from "../../src/server/landing.js";

const NOW = 1_800_000_000;

const customer = (id: string, name: string): Customer => ({
  id,
  name,
  country: "DE",
  managementMode: 1,
  jobStatus: 1,
});

const profile = (id: string, name: string, lastScanStatus: number): Profile => ({
  id,
  name,
  scanMode: 0,
  tenantId: "t",
  tenantDomain: "contoso.onmicrosoft.com",
  modifiedTimestamp: null,
  status: {
    lastScanStatus,
    newRegisteredObjects: 0,
    movedObjects: 0,
    removedObjects: 0,
    dailyReportTimestamp: NOW - 3600,
  },
});

const HOSTILE = 'Müller & Söhne "GmbH" <script>alert(1)</script>\nzwei';
const UUID = "3f1c2b7e-0d4a-4f59-9a43-6b2d8c1e5f70";

const customers: CustomerView[] = [
  {
    customer: customer("c-ok", "Fabrikam"),
    profiles: [profile("p1", "Mail", 2), profile("p2", "Sites", 4)],
    lastSuccess: NOW - 30,
    last: { ok: true },
  },
  {
    customer: customer(UUID, HOSTILE),
    profiles: [profile("p3", "HR <confidential>", 3), profile("p4", "Teams", 7), profile("p5", "Files", 2)],
    lastSuccess: NOW - 7200,
    last: { ok: false, reason: "forbidden", message: "answered HTTP 403 for token=abc123secretvalue" },
  },
  { customer: customer("c-new", "Contoso"), profiles: [], lastSuccess: null, last: null },
];

const view: View = {
  listing: { ok: true },
  updatedAt: NOW,
  round: { running: false, customers: 3, done: 3, lastComplete: { endedAt: NOW - 10, durationSeconds: 1.5 } },
  customers,
};

describe("landingModel", () => {
  const model = landingModel(view, NOW);

  it("counts every profile's state, trouble first, and lists failed and failed-to-start scans", () => {
    expect(model.profiles).toBe(5);
    expect(model.stateCounts).toEqual([
      { state: "failed", count: 1 },
      { state: "error_start", count: 1 },
      { state: "finished_with_exception", count: 1 },
      { state: "finished", count: 2 },
    ]);
    expect(model.failedScans.map((f) => [f.profileName, f.state, f.stale])).toEqual([
      ["HR <confidential>", "failed", true],
      ["Teams", "error_start", true],
    ]);
  });

  it("puts failing customers first, then those not yet reached, then the oldest data", () => {
    expect(model.customers.map((c) => [c.name, c.state, c.dataAgeSeconds, c.failedScans])).toEqual([
      [HOSTILE, "failed", 7200, 2],
      ["Contoso", "pending", null, 0],
      ["Fabrikam", "ok", 30, 0],
    ]);
    expect(model.oldestDataAgeSeconds).toBe(7200);
  });

  it.each([
    [null, "never"],
    [0, "0 s"],
    [59.4, "59 s"],
    [60, "1 min"],
    [3599, "59 min"],
    [3600, "1 h"],
    [3660, "1 h 1 min"],
    [86_400, "1 d"],
    [90_000, "1 d 1 h"],
  ])("formatAge(%s) = %s", (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});

describe("renderLandingStatus", () => {
  const html = renderLandingStatus({
    version: "test",
    telemetryPath: "/metrics",
    flavor: "v3",
    apiUrl: "https://api.example",
    view,
    now: NOW,
    redact: (text) => text.replace("abc123secretvalue", "[redacted]"),
  });

  it("escapes every upstream text and scrubs it", () => {
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<confidential>");
    expect(html).toContain("Müller &amp; Söhne &quot;GmbH&quot; &lt;script&gt;");
    expect(html).toContain("HR &lt;confidential&gt;");
    expect(html).toContain("token=[redacted]");
    expect(html).not.toContain("abc123secretvalue");
  });

  it("shows scan health before collection health, IDs short with the whole one on hover", () => {
    expect(html.indexOf('id="scans"')).toBeLessThan(html.indexOf('id="collection"'));
    expect(html).toContain(`<code class="id" title="${UUID}">3f1c2b7e…</code>`);
    expect(html).toContain("<code>c-ok</code>");
    expect(html).toContain("Failed scans: 2 of 5 scan profiles");
    expect(html).toContain("failed to start");
    expect(html).toMatch(
      /<strong>3<\/strong> customers · <strong>1<\/strong> failing · <strong>1<\/strong> not yet reached · oldest data <strong>2 h<\/strong>/,
    );
  });
});

describe("refreshSecondsOf", () => {
  it.each([
    [undefined, REFRESH_SECONDS],
    ["1", 1],
    ["60", 60],
    ["3600", 3600],
    ["0", REFRESH_SECONDS],
    ["3601", REFRESH_SECONDS],
    ["1.5", REFRESH_SECONDS],
    ["abc", REFRESH_SECONDS],
  ])("?refresh=%s → %s s", (query, seconds) => {
    expect(refreshSecondsOf(query)).toBe(seconds);
  });
});

describe("GET / and /?part=status", () => {
  const app = (guard?: (authorization: string | undefined) => boolean) =>
    viewApp(view, { now: () => NOW * 1000, ...(guard ? { guard } : {}) });

  it("answers the whole page, or only the part it refreshes, never cached", async () => {
    const server = app();
    const page = await server.inject({ url: "/?refresh=5" });
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.body).toContain('<div id="status" data-refresh="5">');
    const part = await server.inject({ url: "/?part=status" });
    expect(part.statusCode).toBe(200);
    expect(part.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(part.body.startsWith('<section id="scans">')).toBe(true);
    expect(part.body).not.toContain("<html");
    expect(page.body).toContain(part.body);
    await server.close();
  });

  it("keeps the refreshed part behind the same guard as the page", async () => {
    const server = app((authorization) => authorization === "Basic b2s6b2s=");
    for (const url of ["/", "/?part=status"]) {
      expect((await server.inject({ url })).statusCode).toBe(401);
      expect((await server.inject({ url, headers: { authorization: "Basic b2s6b2s=" } })).statusCode).toBe(
        200,
      );
    }
    await server.close();
  });
});
