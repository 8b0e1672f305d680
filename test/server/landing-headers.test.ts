/** Security headers on every answer by default, the web config's own taking precedence; the page's files. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { View } from "../../src/collect/view.js";
import { viewApp } from "../helpers/app.js";
import { renderLanding, showControls } from "../../src/server/landing.js";
import { loadWebConfig } from "../../src/web-config/web-config.js";

const view: View = {
  listing: null,
  updatedAt: null,
  round: { running: false, customers: 0, done: 0, lastComplete: null },
  customers: [],
};
const dir = mkdtempSync(join(tmpdir(), "landing-headers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("security headers", () => {
  it.each(["/", "/?part=status", "/metrics", "/-/healthy", "/-/ready", "/static/landing.css", "/nowhere"])(
    "%s carries nosniff, DENY and frame-ancestors 'none'",
    async (url) => {
      const app = viewApp(view, { guard: () => url !== "/?part=status" });
      const answer = await app.inject({ url });
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      expect(answer.headers["x-frame-options"]).toBe("DENY");
      expect(answer.headers["content-security-policy"]).toBe("default-src 'self'; frame-ancestors 'none'");
      await app.close();
    },
  );

  it("the web config's headers take precedence over the defaults", async () => {
    const file = join(dir, "web.yml");
    writeFileSync(
      file,
      "http_server_config:\n  headers:\n    Content-Security-Policy: default-src 'none'; style-src 'self'\n    X-Frame-Options: sameorigin\n",
    );
    const web = await loadWebConfig(file);
    const app = viewApp(view, { serverOptions: web.serverOptions });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const answer = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/`);
    expect(answer.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'self'");
    expect(answer.headers.get("x-frame-options")).toBe("sameorigin");
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    await app.close();
  });
});

describe("the page under a strict policy", () => {
  it("has no inline style or script, and does not promise refreshing before its script runs", async () => {
    const html = renderLanding({
      version: "t",
      telemetryPath: "/metrics",
      flavor: "v3",
      apiUrl: "https://a",
      view,
      now: 0,
      redact: (t) => t,
      refreshSeconds: 1,
    });
    expect(html).not.toMatch(/<style|<script>|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="/static/landing.css">');
    expect(html).toContain('<script src="/static/landing.js"></script>');
    expect(html).not.toContain("Refreshes every");
    const app = viewApp(view);
    const js = await app.inject({ url: "/static/landing.js" });
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(js.body).toContain("Refreshes every");
    await app.close();
  });

  it("shows bidirectional and control characters escaped", () => {
    expect(showControls("a\u202Eb\u2066c\u0007d\u200Fe")).toBe("a[U+202E]b[U+2066]c[U+0007]d[U+200F]e");
    // Tabs and line ends are whitespace in a cell, not controls that reorder it.
    expect(showControls("Müller & Söhne\tok\n")).toBe("Müller & Söhne\tok\n");
  });
});
