/**
 * An identity service that echoes the client secret in its error texts, whole or cut at a length
 * limit, and URLs that carry credentials: nothing of the secret reaches /metrics, `/` or the logs.
 */
import { describe, expect, it } from "vitest";
import { value } from "../helpers/exposition.js";
import { expectValidExposition, hostileExporter, scrapeOf, settle } from "./harness.js";
import { sendJson, startUpstream } from "./upstream.js";
import { customerRow, v3Fleet } from "./wire.js";

// Hex after a prefix: any 8 characters of it found anywhere can only have come from the secret.
const CLIENT_SECRET = "sEcReT-4f1c9a7e2b6d8f03c5e1a9b7d2f4c6e8";
const FRAGMENT = 8;

/** Every piece of the secret at least FRAGMENT long that shows up in `text`. */
const fragmentsIn = (text: string, secret = CLIENT_SECRET): string[] => {
  const found: string[] = [];
  for (let at = 0; at + FRAGMENT <= secret.length; at++) {
    const piece = secret.slice(at, at + FRAGMENT);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
};

describe("an identity service echoing the secret", () => {
  it.each([
    {
      name: "whole, in error and error_description",
      answer: (secret: string) => ({
        error: `invalid_client ${secret}`,
        error_description: `client_secret '${secret}' is not valid for client demo-client`,
      }),
    },
    {
      name: "cut by a length limit so that only a fragment is left",
      answer: (secret: string) => ({
        error: "invalid_client",
        error_description: `${"x".repeat(190)}${secret}`,
      }),
    },
    {
      name: "after a long description, the fragment at every cut",
      answer: (secret: string) => ({
        error: "invalid_client",
        error_description: Array.from({ length: 40 }, (_, i) => `${"y".repeat(i)}${secret}`).join(" "),
      }),
    },
  ])("$name", async ({ answer }) => {
    const upstream = await startUpstream(v3Fleet({ customers: () => [customerRow("good-1")] }), {
      tokenRoute: (form, res) => sendJson(res, 400, answer(form.get("client_secret") ?? "")),
    });
    const exporter = await hostileExporter(upstream, ["--avepoint.max-retries=0"], {
      AVEPOINT_CLIENT_SECRET: CLIENT_SECRET,
    });
    const scrape = await settle(scrapeOf(exporter), []);
    expectValidExposition(scrape);
    expect(value(scrape.samples, "avepoint_up")).toBe(0);
    expect(upstream.requests.filter((r) => r.target === "/connect/token").length).toBeGreaterThanOrEqual(1);
    const landing = await exporter.app.inject({ method: "GET", url: "/" });
    expect(landing.statusCode).toBe(200);
    expect(fragmentsIn(scrape.text)).toEqual([]);
    expect(fragmentsIn(landing.body)).toEqual([]);
    expect(fragmentsIn(exporter.logs.join("\n"))).toEqual([]);
  });
});

describe("credentials in a configured URL", () => {
  it.each(["api", "token"] as const)(
    "in the %s URL: refused at start, the password never shown",
    async (which) => {
      const PASSWORD = "pw-0c1d2e3f4a5b6c7d";
      const upstream = await startUpstream(v3Fleet({ customers: () => [] }));
      const withPassword = (url: string) => url.replace("http://", `http://user:${PASSWORD}@`);
      const target = {
        ...upstream,
        apiUrl: which === "api" ? withPassword(upstream.apiUrl) : upstream.apiUrl,
        tokenUrl: which === "token" ? withPassword(upstream.tokenUrl) : upstream.tokenUrl,
      };
      const started = hostileExporter(target);
      await expect(started).rejects.toThrow(/credentials|user|password/i);
      const message = await started.then(
        () => "",
        (err: unknown) => String(err instanceof Error ? err.message : err),
      );
      expect(message).not.toContain(PASSWORD);
      expect(upstream.requests).toEqual([]);
    },
  );
});
