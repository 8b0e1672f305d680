/** An exporter assembled exactly as main.ts does, for tests: config from argv/env, real client, Fastify app. */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { onTestFinished } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Rounds } from "../../src/collect/rounds.js";
import type { Config } from "../../src/config/config.js";
import type { StateKeeper } from "../../src/state/keeper.js";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { createExporter } from "../../src/exporter.js";
import { createLogger } from "../../src/log.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "avepoint-simulator";
import { parseExposition, type Sample } from "./exposition.js";

export interface TestExporter {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly rounds: Rounds;
  /** The kept state, when the test gave --storage.path a directory. */
  readonly state: StateKeeper | null;
  /** Everything the exporter logged, one string per line. */
  readonly logs: string[];
  scrape(headers?: Record<string, string>): Promise<{ status: number; text: string; samples: Sample[] }>;
  close(): Promise<void>;
}

export const SECRET = "demo-secret";

export interface ExporterOptions {
  /** Read files named by settings for real (certificates, keys, password files); default: none allowed. */
  readonly files?: boolean;
  /** Put the simulator's client secret in the environment (default true; false for certificate logins). */
  readonly secret?: boolean;
  /** The exporter's clock (default the system's); see `shiftedClock`. */
  readonly now?: () => number;
}

/**
 * A clock that runs with the system's and that a test moves forward: the exporter sees minutes pass
 * in an instant, while the sockets, timers and the upstream keep real time (ahead of it, never behind).
 */
export const shiftedClock = (): { now: () => number; advance: (ms: number) => void } => {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
};

/** @throws ConfigError for a bad configuration, Error when a private key cannot be read (as main.ts would exit). */
export const exporterFor = async (
  simulator: Pick<Simulator, "apiUrl" | "tokenUrl">,
  argv: readonly string[] = [],
  env: Record<string, string> = {},
  options: ExporterOptions = {},
): Promise<TestExporter> => {
  const defaults = [
    `--avepoint.api-url=${simulator.apiUrl}`,
    `--avepoint.token-url=${simulator.tokenUrl}`,
    "--avepoint.client-id=demo-client",
    "--log.level=debug",
    // A fixed fast rate: tests about finding the rate turn adaptation back on.
    "--avepoint.rate-limit=2000",
    "--avepoint.adaptive-rate=false",
    // No kept state unless the test gives its own directory: tests never share one.
    "--storage.path=",
  ];
  // A flag may be given once: the test's own value replaces the default.
  const given = new Set(argv.map((arg) => arg.split("=")[0]));
  const parsed = parseConfig(
    [...defaults.filter((arg) => !given.has(arg.split("=")[0])), ...argv],
    options.secret === false ? env : { AVEPOINT_CLIENT_SECRET: SECRET, ...env },
    options.files
      ? (path) => readFileSync(path, "utf8")
      : () => {
          throw new Error("no files in this test");
        },
  ) as ParsedArgs;
  const { config } = parsed;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level: "debug", format: "json" }, sink);
  const { app, rounds, close, state } = createExporter(config, {
    version: "test",
    logger,
    defaultMetrics: false,
    ...(options.now ? { now: options.now } : {}),
  });
  await app.ready();
  return {
    app,
    config,
    rounds,
    state,
    logs,
    scrape: async (headers = {}) => {
      const response = await app.inject({ method: "GET", url: config.web.telemetryPath, headers });
      return { status: response.statusCode, text: response.body, samples: parseExposition(response.body) };
    },
    close,
  };
};

/** A simulator for the running test, closed when the test finishes. */
export const testSimulator = async (options: Partial<SimulatorOptions> = {}): Promise<Simulator> => {
  const simulator = await startSimulator(options);
  onTestFinished(() => simulator.close());
  return simulator;
};

/** An exporter for the running test, closed when the test finishes. */
export const testExporter = async (
  simulator: Pick<Simulator, "apiUrl" | "tokenUrl">,
  argv: readonly string[] = [],
  env: Record<string, string> = {},
  options: ExporterOptions = {},
): Promise<TestExporter> => {
  const exporter = await exporterFor(simulator, argv, env, options);
  onTestFinished(() => exporter.close());
  return exporter;
};
