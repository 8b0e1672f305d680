/**
 * An identity service that echoes what it was sent: the client secret (or the signed assertion) in
 * its error answer, placed where the error-message limit cuts it. Neither it nor any piece of it may
 * reach the landing page, /metrics or the log.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { MIN_SECRET_FRAGMENT, Secrets, secretsOf } from "../../src/config/secrets.js";
import { createExporter } from "../../src/exporter.js";
import { createLogger } from "../../src/log.js";
import { loopbackServer } from "../helpers/loopback.js";
import { createPki, type Pki } from "../helpers/pki.js";

const CLIENT_SECRET = "cs-5e7b1d93-Echoed-Canary-Secret-Value";

/** What the fake puts in its error answer, given the form it was sent. */
type Echo = (form: URLSearchParams) => Record<string, string>;

/** A fake identity service on 127.0.0.1 that refuses every token request with `status` and `echo`. */
const startIdentity = async (
  status: number,
  echo: Echo,
): Promise<{ url: string; requests: () => number }> => {
  let requests = 0;
  const url = await loopbackServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      requests += 1;
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(echo(new URLSearchParams(body))));
    });
  });
  return { url, requests: () => requests };
};

/** The exporter as main.ts assembles it: the logger knows the configuration's secrets. */
const startExporter = async (identityUrl: string, argv: string[], env: Record<string, string>) => {
  const { config } = parseConfig(
    [
      `--avepoint.api-url=${identityUrl}/api`,
      `--avepoint.token-url=${identityUrl}/connect/token`,
      "--avepoint.client-id=demo-client",
      "--avepoint.max-retries=0",
      "--storage.path=",
      ...argv,
    ],
    env,
    (path) => pki.read(path.slice(pki.dir.length + 1)),
  ) as ParsedArgs;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      logs.push(chunk.toString("utf8"));
      cb();
    },
  });
  const secrets = new Secrets(secretsOf(config.avepoint.credentials));
  const logger = createLogger({ level: "debug", format: "logfmt" }, sink, secrets);
  const exporter = createExporter(config, { version: "test", logger, secrets, defaultMetrics: false });
  onTestFinished(() => exporter.close());
  await exporter.app.ready();
  return { app: exporter.app, logs };
};

/** Every piece of `secret` at least MIN_SECRET_FRAGMENT long. */
const pieces = (secret: string): string[] => {
  const out: string[] = [];
  for (let start = 0; start + MIN_SECRET_FRAGMENT <= secret.length; start++)
    for (let end = start + MIN_SECRET_FRAGMENT; end <= secret.length; end++)
      out.push(secret.slice(start, end));
  return out;
};

const expectNoPiece = (where: string, text: string, secret: string): void => {
  for (const piece of pieces(secret))
    expect(text.includes(piece), `${where} holds "${piece}" of the secret`).toBe(false);
};

/** Scrapes, then reads the landing page and the log; the error must have been seen, without the secret. */
const observe = async (identityUrl: string, argv: string[], env: Record<string, string>) => {
  const { app, logs } = await startExporter(identityUrl, argv, env);
  const metrics = (await app.inject({ url: "/metrics" })).body;
  const landing = (await app.inject({ url: "/" })).body;
  expect(metrics).toMatch(/^avepoint_up 0$/m);
  expect(landing).toContain("identity service refused the token request");
  return { metrics, landing, log: logs.join("") };
};

let pki: Pki;

beforeAll(() => {
  pki = createPki();
  pki.selfSigned("app");
});

afterAll(() => pki.remove());

const padded = (before: number, secret: string): string =>
  `${"x".repeat(before)}${secret} was not accepted for this client`;

describe("an identity service that echoes the client secret", () => {
  it.each<[string, number, Echo]>([
    // The description is cut at 200 characters: these put the cut inside the secret.
    ...[170, 185, 190, 195, 199].map((at): [string, number, Echo] => [
      `in the description, cut ${200 - at} characters into the secret (400)`,
      400,
      (form) => ({ error: "invalid_client", error_description: padded(at, form.get("client_secret") ?? "") }),
    ]),
    [
      "in the description, cut inside it (401)",
      401,
      (form) => ({
        error: "invalid_client",
        error_description: padded(188, form.get("client_secret") ?? ""),
      }),
    ],
    [
      "in the error code, long and cut too",
      400,
      (form) => ({ error: `invalid_client:${"y".repeat(80)}${form.get("client_secret") ?? ""}` }),
    ],
    [
      "only a piece of it, in the middle",
      401,
      (form) => ({
        error: "invalid_client",
        error_description: `secret starting ${(form.get("client_secret") ?? "").slice(0, 12)} is wrong`,
      }),
    ],
    [
      "URL-encoded, as it was posted",
      400,
      (form) => ({
        error: "invalid_client",
        error_description: padded(175, encodeURIComponent(form.get("client_secret") ?? "")),
      }),
    ],
  ])("%s: no piece of it on /, in /metrics or in the log", async (_name, status, echo) => {
    const identity = await startIdentity(status, echo);
    const seen = await observe(identity.url, [], { AVEPOINT_CLIENT_SECRET: CLIENT_SECRET });
    expect(identity.requests()).toBeGreaterThan(0);
    expect(seen.log).toContain("invalid_client");
    for (const [where, text] of Object.entries(seen)) expectNoPiece(where, text, CLIENT_SECRET);
  });
});

describe("an identity service that echoes the signed client assertion", () => {
  it("the assertion (a bearer credential) is on neither /, /metrics nor the log", async () => {
    let assertion = "";
    const identity = await startIdentity(400, (form) => {
      assertion = form.get("client_assertion") ?? "";
      return { error: "invalid_client", error_description: `bad assertion ${assertion}`, hint: assertion };
    });
    const seen = await observe(
      identity.url,
      [
        `--avepoint.certificate-file=${pki.path("app.cert.pem")}`,
        `--avepoint.private-key-file=${pki.path("app.key.pem")}`,
      ],
      {},
    );
    expect(assertion.split(".")).toHaveLength(3);
    for (const [where, text] of Object.entries(seen))
      for (const part of assertion.split("."))
        expect(text.includes(part), `${where} holds the assertion`).toBe(false);
  });
});
