/**
 * The landing page in a real browser (Debian's Chromium through playwright-core) against the
 * simulator with failing scans: scan health first, failed scans named, counts per state, collection
 * health with data age, short IDs with the whole one on hover, at 1,280 px without a horizontal
 * scroll bar, and a refresh in place. A screenshot is kept in test-results/ (not committed).
 * Without Chromium this skips, unless REQUIRE_BROWSER=1 (CI).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipBrowser } from "./chromium.js";
import type { Simulator } from "avepoint-simulator";
import { startSimulator } from "avepoint-simulator";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";

/** The little of the DOM these tests touch in the page (the project compiles without the DOM library). */
interface PageGlobals {
  document: { documentElement: { scrollWidth: number }; querySelector(selector: string): unknown };
  innerWidth: number;
  getComputedStyle(element: unknown): { fontSize: string };
  marker?: string;
}
if (skipBrowser)
  console.warn(
    "test/browser/landing.test.ts: Debian's chromium is not installed; skipped (apt-get install chromium).",
  );
const artefacts = fileURLToPath(new URL("../../test-results/", import.meta.url));

describe.skipIf(skipBrowser)("landing page in Chromium", () => {
  let simulator: Simulator;
  let exporter: TestExporter;
  let context: BrowserContext;
  let profileDir = "";
  let url = "";
  const failed: { customer: string; profile: string; profileId: string; state: string }[] = [];
  let brokenCustomer = { id: "", name: "" };
  let profilesSeen = 0;

  beforeAll(async () => {
    simulator = await startSimulator({ customers: 30, profilesPerCustomer: 3, seed: 7 });
    const customers = simulator.customers();
    // Hostile names first: a quote, an ampersand or a line break must show as text.
    const hostile = customers.filter((c) => /["&<\n]/.test(c.organization));
    const chosen = [...hostile.slice(0, 2), ...customers.filter((c) => !hostile.includes(c)).slice(0, 4)];
    chosen.forEach((customer, i) => {
      const profile = simulator.profiles(customer.id)[0]!;
      simulator.updateProfile(customer.id, profile.profileId, { lastScanStatus: i % 3 === 2 ? 7 : 3 });
    });
    const broken = customers.find((c) => !chosen.includes(c))!;
    brokenCustomer = { id: broken.id, name: broken.organization };
    simulator.setFaults({ failCustomers: { [broken.id]: 403 } });
    // Every failed scan the exporter will see: those made above and the simulator's own.
    for (const customer of customers.filter((c) => c !== broken))
      for (const profile of simulator.profiles(customer.id))
        if (profile.lastScanStatus === 3 || profile.lastScanStatus === 7)
          failed.push({
            customer: customer.organization,
            profile: profile.profileName,
            profileId: profile.profileId,
            state: profile.lastScanStatus === 7 ? "failed to start" : "failed",
          });
    expect(failed.length).toBeGreaterThanOrEqual(chosen.length);
    profilesSeen = customers.filter((c) => c !== broken).length * 3;

    exporter = await exporterFor(simulator);
    await exporter.scrape();
    await exporter.app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(exporter.app.server.address() as AddressInfo).port}`;

    profileDir = mkdtempSync(join(tmpdir(), "landing-chromium-"));
    context = await launchChromium(profileDir);
  });

  afterAll(async () => {
    await context?.close();
    await exporter?.close();
    await simulator?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const open = async (path: string): Promise<Page> => {
    const page = await context.newPage();
    const response = await page.goto(`${url}${path}`);
    expect(response?.status()).toBe(200);
    return page;
  };

  it("shows scan health first: counts per state and every failed scan by customer and profile name", async () => {
    const page = await open("/");
    const sections = await page.locator("section h2").allTextContents();
    expect(sections).toEqual(["Scan health", "Collection health"]);

    const counts = Object.fromEntries(
      (await page.locator("ul.counts li").allTextContents()).map((text) => {
        const [, n = "", state = ""] = /^(\d+) (.+)$/.exec(text.trim()) ?? [];
        return [state, Number(n)];
      }),
    );
    expect(counts["failed"]).toBe(failed.filter((f) => f.state === "failed").length);
    expect(counts["failed to start"]).toBe(failed.filter((f) => f.state === "failed to start").length);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(profilesSeen);
    // Trouble first in the counts.
    expect(Object.keys(counts).slice(0, 2)).toEqual(["failed", "failed to start"]);

    const rows = await page
      .locator("#scans tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
      );
    expect(rows).toHaveLength(failed.length);
    for (const f of failed)
      expect(rows).toContainEqual(
        expect.arrayContaining([f.customer, f.profile, f.state, `${f.profileId.slice(0, 8)}…`]),
      );
    // Failed before failed to start.
    const states = rows.map((row) => row[2]);
    expect(states).toEqual([...states].sort((a, b) => (a === "failed" ? 0 : 1) - (b === "failed" ? 0 : 1)));
    await page.close();
  });

  it("shows collection health and data age per customer, the failing customer first with its error", async () => {
    const page = await open("/");
    const totals = await page.locator("#collection .totals").textContent();
    expect(totals).toMatch(/30 customers · 1 failing · 0 not yet reached · oldest data \d+ s/);
    const first = page.locator("#collection tbody tr").first();
    const cells = await first.locator("td").allTextContents();
    expect(cells[0]).toBe(brokenCustomer.name);
    expect(cells[4]).toBe("failed");
    expect(cells[5]).toBe("never");
    expect(cells[6]).toMatch(/^forbidden: .*HTTP 403/);
    const ok = await page.locator("#collection tbody tr.ok").first().locator("td").allTextContents();
    expect(ok[5]).toMatch(/^\d+ s$/);
    await page.close();
  });

  it("fits 1,280 px: short IDs on one line, the full ID on hover, no horizontal scrolling", async () => {
    const page = await open("/");
    const overflow = await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      return page.document.documentElement.scrollWidth - page.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    const id = page.locator("#collection code.id").first();
    const full = await id.getAttribute("title");
    expect(full).toMatch(/^[0-9a-f-]{36}$/);
    expect(await id.textContent()).toBe(`${full!.slice(0, 8)}…`);
    // One line: no taller than the cell's line height.
    const lines = await page.locator("code.id").evaluateAll((codes) =>
      codes.map((code) => {
        const style = (globalThis as unknown as PageGlobals).getComputedStyle(code);
        return (
          code.getClientRects().length === 1 &&
          code.getBoundingClientRect().height < 2 * parseFloat(style.fontSize)
        );
      }),
    );
    expect(lines.length).toBeGreaterThan(30);
    expect(lines.every(Boolean)).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    await page.screenshot({ path: join(artefacts, "landing.png"), fullPage: true });
    expect(existsSync(join(artefacts, "landing.png"))).toBe(true);
    await page.close();
  });

  it("refreshes in place: a scan failing later shows without a reload", async () => {
    const page = await open("/?refresh=1");
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).marker = "same page";
    });
    const customer = simulator
      .customers()
      .find((c) => c.id !== brokenCustomer.id && !failed.some((f) => f.customer === c.organization))!;
    const profile = simulator.profiles(customer.id)[1]!;
    simulator.updateProfile(customer.id, profile.profileId, { lastScanStatus: 3 });
    await exporter.scrape();
    // Waits for the condition, not for a time: the test's own limit bounds it.
    await page.waitForFunction(
      (id) =>
        (globalThis as unknown as PageGlobals).document.querySelector(`#scans code[title="${id}"]`) !== null,
      profile.profileId,
    );
    expect(await page.locator("#scans tbody tr").count()).toBe(failed.length + 1);
    expect(await page.locator("#scans").textContent()).toContain(profile.profileName);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).marker)).toBe("same page");
    expect(await page.locator("#refresh").textContent()).toBe("Refreshes every 1 s.");
    await page.close();
  });
});
