/**
 * An upstream that echoes the exporter's own credentials in the names it returns: the landing page
 * shows customer names, and must never show the client secret or a piece of it.
 */
import { describe, expect, it } from "vitest";
import { hostileExporter, scrapeOf, SECRET, settle } from "./harness.js";
import { startUpstream } from "./upstream.js";
import { customerRow, v3Fleet } from "./wire.js";

describe("the landing page against an upstream echoing the secret", () => {
  it("shows the customers, scrubbed of the client secret and its pieces", async () => {
    const customers = [
      { ...customerRow("echo-1"), organization: `Org ${SECRET}` },
      { ...customerRow("echo-2"), organization: `Org ${SECRET.slice(0, 8)}…` },
      customerRow("plain"),
    ];
    const upstream = await startUpstream(v3Fleet({ customers: () => customers }));
    const exporter = await hostileExporter(upstream);
    await settle(scrapeOf(exporter), ["echo-1", "echo-2", "plain"]);
    const page = (await exporter.app.inject({ method: "GET", url: "/" })).body;
    expect(page).toContain("Org plain");
    expect(page).not.toContain(SECRET);
    expect(page).not.toContain(SECRET.slice(0, 8));
  });
});
