/**
 * POST /-/reload as Prometheus serves it: only with --web.enable-lifecycle, never for a request from
 * another site, and a flood of reloads coalesced into one (one log line).
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { View } from "../../src/collect/view.js";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { createLogger } from "../../src/log.js";
import { createReloader } from "../../src/reload.js";
import { crossSite, type ReloadOutcome } from "../../src/server/app.js";
import { viewApp } from "../helpers/app.js";
import { testProcess } from "../helpers/process.js";

const view: View = {
  listing: null,
  updatedAt: null,
  round: { running: false, customers: 0, done: 0, lastComplete: null },
  customers: [],
};

const app = (reload?: () => Promise<ReloadOutcome>) => viewApp(view, reload ? { reload } : {});
/** An app whose reload succeeds and is counted. */
const counting = () => {
  let reloads = 0;
  const server = app(async () => {
    reloads++;
    return { ok: true, message: "Reloaded" };
  });
  return { server, reloads: () => reloads };
};

describe("--web.enable-lifecycle", () => {
  it("is off by default: the real process answers POST /-/reload 404", async () => {
    const exporter = await testProcess(["--avepoint.api-url=http://127.0.0.1:9", "--avepoint.client-id=a"], {
      AVEPOINT_CLIENT_SECRET: "lifecycle-secret",
    });
    expect((await fetch(`${exporter.url}/-/reload`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${exporter.url}/-/reload`, { method: "PUT" })).status).toBe(404);
  });

  it("parses as a boolean flag, false unless given", () => {
    const read = (argv: string[]) =>
      (
        parseConfig(
          ["--avepoint.client-id=a", ...argv],
          { AVEPOINT_CLIENT_SECRET: "s" },
          () => "",
        ) as ParsedArgs
      ).config.web.enableLifecycle;
    expect(read([])).toBe(false);
    expect(read(["--web.enable-lifecycle=true"])).toBe(true);
    expect(read(["--web.enable-lifecycle=false"])).toBe(false);
  });
});

describe("cross-site requests to POST /-/reload", () => {
  it.each([
    ["a form posted from another page", { origin: "https://evil.example", "content-type": "text/plain" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site (another port or subdomain)", { "sec-fetch-site": "same-site" }],
    ["Origin null (a sandboxed page)", { origin: "null" }],
    ["an Origin of the same host on another port", { origin: "http://localhost:1" }],
  ])("refuses %s without reloading", async (_name, headers: Record<string, string>) => {
    const { server, reloads } = counting();
    const answer = await server.inject({
      method: "POST",
      url: "/-/reload",
      headers: { host: "localhost:10123", ...headers },
      ...(headers["content-type"] === "text/plain" ? { payload: "a=b" } : {}),
    });
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toMatch(/^cross-site request refused/);
    expect(reloads()).toBe(0);
  });

  it.each([
    ["no Origin (Prometheus, curl, kubectl)", {}],
    ["the page's own origin", { origin: "http://localhost:10123", "sec-fetch-site": "same-origin" }],
    ["a request typed by the user", { "sec-fetch-site": "none" }],
  ])("accepts %s", async (_name, headers) => {
    const { server, reloads } = counting();
    const answer = await server.inject({
      method: "POST",
      url: "/-/reload",
      headers: { host: "localhost:10123", ...headers },
    });
    expect(answer.statusCode).toBe(200);
    expect(reloads()).toBe(1);
  });

  it("tells several Origin headers from one", () => {
    expect(crossSite({ origin: ["http://a", "http://a"], host: "a" })).toMatch(/several Origin/);
  });

  it("serves no reload route at all without a reload function", async () => {
    expect((await app().inject({ method: "POST", url: "/-/reload" })).statusCode).toBe(404);
  });
});

describe("concurrent reloads", () => {
  it("coalesce: a hundred at once read the configuration once and log once", async () => {
    const read = () =>
      parseConfig(["--avepoint.client-id=a"], { AVEPOINT_CLIENT_SECRET: "s" }, () => "") as ParsedArgs;
    let reads = 0;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const reloaded: boolean[] = [];
    const reloader = createReloader({
      read: () => {
        reads++;
        return read();
      },
      running: read().config,
      exporter: {
        checkReconfigure: () => {},
        reconfigure: () => {},
        self: { reloaded: (_kind: string, ok: boolean) => reloaded.push(ok) } as never,
      },
      web: null,
      logger: createLogger({ level: "info", format: "logfmt" }, sink),
    });
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => reloader.reload("POST /-/reload")));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(reads).toBe(1);
    expect(reloaded).toEqual([true]);
    expect(lines.filter((line) => line.includes("Reloaded"))).toHaveLength(1);
    // A reload asked for after they finished runs again.
    await reloader.reload("SIGHUP");
    expect(reads).toBe(2);
  });
});
