/**
 * The landing page under the strictest policy a web config may set (`default-src 'self'`, also the
 * default): no violation, style and script applied, the refresh running; a 1,024-character tenant
 * wraps instead of widening the page; a right-to-left override is shown escaped, not obeyed.
 * Without Chromium this skips, unless REQUIRE_BROWSER=1 (CI).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipBrowser } from "./chromium.js";
import type { View } from "../../src/collect/view.js";
import { viewApp } from "../helpers/app.js";

interface PageGlobals {
  document: { documentElement: { scrollWidth: number }; querySelector(selector: string): unknown };
  innerWidth: number;
  getComputedStyle(element: unknown): { fontFamily: string };
}

const NOW = 1_800_000_000;
const LONG_TENANT = `${"x".repeat(1010)}.example.com`;
const SPOOF = "Contoso \u202Egnp.exe\u202C Ltd";

const view: View = {
  listing: { ok: true },
  updatedAt: NOW,
  round: { running: false, customers: 1, done: 1, lastComplete: { endedAt: NOW, durationSeconds: 1 } },
  customers: [
    {
      customer: { id: "c1", name: SPOOF, country: "DE", managementMode: 1, jobStatus: 1 },
      profiles: [
        {
          id: "p1",
          name: "Mail",
          scanMode: 0,
          tenantId: "t",
          tenantDomain: LONG_TENANT,
          modifiedTimestamp: null,
          status: {
            lastScanStatus: 3,
            newRegisteredObjects: 0,
            movedObjects: 0,
            removedObjects: 0,
            dailyReportTimestamp: NOW,
          },
        },
      ],
      lastSuccess: NOW,
      last: { ok: true },
    },
  ],
};

describe.skipIf(skipBrowser)("landing page hardening in Chromium", () => {
  let context: BrowserContext;
  let profileDir = "";
  let url = "";
  const app = viewApp(view, { now: () => NOW * 1000 });

  beforeAll(async () => {
    await app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    profileDir = mkdtempSync(join(tmpdir(), "landing-hardening-"));
    context = await launchChromium(profileDir);
  });

  afterAll(async () => {
    await context?.close();
    await app.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it("works under default-src 'self': no violation, style and script applied", async () => {
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${url}/?refresh=1`);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    expect(response?.headers()["x-frame-options"]).toBe("DENY");
    expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
    // The script ran: it is the one that says the page refreshes.
    await page.locator("#refresh", { hasText: "Refreshes every 1 s." }).waitFor();
    // The style applied: the body's font is the stylesheet's, not the browser's default serif.
    const font = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.getComputedStyle(g.document.querySelector("body")).fontFamily;
    });
    expect(font).toContain("system-ui");
    expect(violations).toEqual([]);
    await page.close();
  });

  it("wraps a 1,024-character tenant and shows a right-to-left override escaped", async () => {
    const page = await context.newPage();
    await page.goto(`${url}/`);
    const widths = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    const body = (await page.locator("body").textContent()) ?? "";
    expect(body).toContain("Contoso [U+202E]gnp.exe[U+202C] Ltd");
    expect(body).not.toContain("\u202E");
    await page.close();
  });
});
