/**
 * POST /-/reload in this process, wired as main.ts wires it: a changed exclusion, log level and
 * client secret apply without a restart; a broken file or a setting that needs a restart is refused,
 * the exporter goes on with what it had, and the reload metrics say so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import bcrypt from "bcryptjs";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { parseConfig, type ParsedArgs } from "../src/config/parse.js";
import { createExporter, type Exporter } from "../src/exporter.js";
import { createLogger } from "../src/log.js";
import { createReloader, type Reloader } from "../src/reload.js";
import { Secrets } from "../src/config/secrets.js";
import { loadWebConfig } from "../src/web-config/web-config.js";
import type { Simulator } from "avepoint-simulator";
import { parseExposition, series, value } from "./helpers/exposition.js";
import { testSimulator } from "./helpers/exporter.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "reload-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

interface Running {
  readonly exporter: Exporter;
  readonly reloader: Reloader;
  readonly logs: string[];
  scrape(): Promise<ReturnType<typeof parseExposition>>;
  reload(headers?: Record<string, string>): Promise<{ status: number; body: string }>;
}

/** An exporter with --config.file (and optionally --web.config.file), assembled as main.ts does. */
const start = async (simulator: Simulator, argv: string[] = []): Promise<Running> => {
  const read = () =>
    parseConfig(
      [
        `--avepoint.api-url=${simulator.apiUrl}`,
        `--avepoint.token-url=${simulator.tokenUrl}`,
        "--avepoint.client-id=demo-client",
        "--avepoint.adaptive-rate=false",
        `--config.file=${join(dir, "config.yml")}`,
        "--storage.path=",
        ...argv,
      ],
      { AVEPOINT_CLIENT_SECRET_FILE: join(dir, "secret") },
      (path) => readFileSync(path, "utf8"),
    ) as ParsedArgs;
  const { config } = read();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  // One holder of secrets for the logger and the exporter, as main.ts has it.
  const secrets = new Secrets();
  const logger = createLogger(config.log, sink, secrets);
  const web = config.web.configFile === null ? null : await loadWebConfig(config.web.configFile);
  let reloader: Reloader | undefined = undefined;
  const exporter = createExporter(config, {
    version: "test",
    logger,
    secrets,
    web,
    defaultMetrics: false,
    reload: () => reloader!.reload("POST /-/reload"),
  });
  onTestFinished(() => exporter.close());
  reloader = createReloader({ read, running: config, exporter, web, logger });
  await exporter.app.ready();
  return {
    exporter,
    reloader,
    logs,
    scrape: async () =>
      parseExposition((await exporter.app.inject({ method: "GET", url: "/metrics", headers: AUTH })).body),
    reload: async (headers = AUTH) => {
      const answer = await exporter.app.inject({ method: "POST", url: "/-/reload", headers });
      return { status: answer.statusCode, body: answer.body };
    },
  };
};

const USER = "prometheus";
const PASSWORD = "Reload-Passw0rd";
const AUTH = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` };
const customers = (samples: ReturnType<typeof parseExposition>): string[] =>
  series(samples, "avepoint_customer_info")
    .map((s) => s.labels.customer_id!)
    .sort();

describe("POST /-/reload", () => {
  it("applies a changed exclusion and log level; data, rounds and the rate stay", async () => {
    const simulator = await testSimulator({ customers: 4, profilesPerCustomer: 1 });
    write("secret", "demo-secret\n");
    write("config.yml", "log:\n  level: info\n  format: json\n");
    const running = await start(simulator);
    const before = customers(await running.scrape());
    expect(before).toHaveLength(4);
    const excluded = before[0]!;
    expect(running.logs.some((line) => line.includes('"level":"debug"'))).toBe(false);

    write(
      "config.yml",
      `log:\n  level: debug\n  format: json\ncollect:\n  exclude-customers: [${excluded}]\n`,
    );
    const answer = await running.reload();
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("Reloaded: collect.exclude-customers, log.level\n");

    const after = await running.scrape();
    expect(customers(after)).toEqual(before.slice(1));
    expect(value(after, "avepoint_exporter_config_last_reload_successful")).toBe(1);
    // The collector's child logger follows the root's new level.
    expect(running.logs.some((line) => line.includes('"msg":"collection round started"'))).toBe(true);
  });

  it("refuses a broken file with one line; keeps serving with the old settings; the metric is 0 until fixed", async () => {
    const simulator = await testSimulator({ customers: 3, profilesPerCustomer: 1 });
    write("secret", "demo-secret\n");
    write("config.yml", "collect:\n  exclude-customers: []\n");
    const running = await start(simulator);
    const all = customers(await running.scrape());
    const okAt = value(
      await running.scrape(),
      "avepoint_exporter_config_last_reload_success_timestamp_seconds",
    );

    for (const broken of [
      "collect: [\n",
      "collect:\n  exclude-customerz: [a]\n",
      "avepoint:\n  concurrency: 0\n",
    ]) {
      write("config.yml", broken);
      const answer = await running.reload();
      expect(answer.status, broken).toBe(500);
      expect(answer.body.trimEnd().split("\n"), broken).toHaveLength(1);
      expect(answer.body).toMatch(
        /^failed to reload config: (--config\.file|avepoint\.concurrency in \S+): /,
      );
      const samples = await running.scrape();
      expect(customers(samples)).toEqual(all);
      expect(value(samples, "avepoint_up")).toBe(1);
      expect(value(samples, "avepoint_exporter_config_last_reload_successful")).toBe(0);
      expect(value(samples, "avepoint_exporter_config_last_reload_success_timestamp_seconds")).toBe(okAt);
    }
    expect(running.logs.filter((line) => line.includes("reload refused"))).toHaveLength(3);

    write("config.yml", "collect:\n  exclude-customers: []\n");
    expect((await running.reload()).status).toBe(200);
    expect(value(await running.scrape(), "avepoint_exporter_config_last_reload_successful")).toBe(1);
  });

  it("names the settings that need a restart and applies none of the change", async () => {
    const simulator = await testSimulator({ customers: 2, profilesPerCustomer: 1 });
    write("secret", "demo-secret\n");
    write("config.yml", "avepoint:\n  rate-limit: 50\n");
    const running = await start(simulator);
    const all = customers(await running.scrape());
    write(
      "config.yml",
      `avepoint:\n  rate-limit: 10\n  concurrency: 2\ncollect:\n  exclude-customers: [${all[0]}]\n`,
    );
    const answer = await running.reload();
    expect(answer.status).toBe(500);
    expect(answer.body).toBe(
      "failed to reload config: cannot change without a restart: --avepoint.concurrency, --avepoint.rate-limit\n",
    );
    expect(customers(await running.scrape())).toEqual(all);
  });

  it("a rotated client secret is used for the next token", async () => {
    const simulator = await testSimulator({
      customers: 2,
      profilesPerCustomer: 1,
      clientSecret: "rotated-secret",
    });
    write("secret", "revoked-secret\n");
    write("config.yml", "");
    const running = await start(simulator);
    expect(value(await running.scrape(), "avepoint_up")).toBe(0);

    write("secret", "rotated-secret\n");
    expect(await running.reload()).toEqual({ status: 200, body: "Reloaded: credentials\n" });
    const samples = await running.scrape();
    expect(value(samples, "avepoint_up")).toBe(1);
    expect(customers(samples)).toHaveLength(2);
    // Neither secret reaches the log.
    expect(running.logs.join("\n")).not.toMatch(/rotated-secret|revoked-secret/);
  });

  it("is behind the web config's basic auth, and the web config is read again with it", async () => {
    const simulator = await testSimulator({ customers: 1, profilesPerCustomer: 1 });
    write("secret", "demo-secret\n");
    write("config.yml", "");
    const users = (password: string) => `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(password, 4)}\n`;
    const webFile = write("web.yml", users(PASSWORD));
    const running = await start(simulator, [`--web.config.file=${webFile}`]);
    expect((await running.reload({})).status).toBe(401);
    expect(
      (await running.exporter.app.inject({ method: "GET", url: "/-/reload", headers: AUTH })).statusCode,
    ).toBe(405);

    // A broken web config refuses the whole reload; the running one stays.
    write("web.yml", `basic_auth_users:\n  ${USER}: plain-text\n`);
    const refused = await running.reload();
    expect(refused.status).toBe(500);
    expect(refused.body).toContain("basic_auth_users.prometheus: must be a bcrypt hash");
    expect(value(await running.scrape(), "avepoint_exporter_config_last_reload_successful")).toBe(0);

    write("web.yml", users("another-Passw0rd"));
    expect((await running.reload()).status).toBe(401);
  });
});
