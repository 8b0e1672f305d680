/**
 * An in-process exporter assembled as main.ts does, but reading files for real (certificates, keys,
 * password files), with no client secret in the environment unless the test passes one.
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { createExporter } from "../../src/exporter.js";
import { createLogger } from "../../src/log.js";
import type { Simulator } from "../../src/simulator/server.js";

export interface FileExporter {
  readonly app: FastifyInstance;
  /** Everything the exporter logged (JSON lines). */
  readonly logs: string[];
  scrape(): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/** @throws ConfigError for a bad configuration, Error when the private key cannot be read (as main.ts would exit). */
export const fileExporterFor = async (
  simulator: Simulator,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<FileExporter> => {
  const { config } = parseConfig(
    [
      `--avepoint.api-url=${simulator.apiUrl}`,
      `--avepoint.token-url=${simulator.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      "--avepoint.rate-limit=2000",
      "--avepoint.adaptive-rate=false",
      ...argv,
    ],
    env,
    (path) => readFileSync(path, "utf8"),
  ) as ParsedArgs;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", format: "json" }, sink);
  const { app, close } = createExporter(config, { version: "test", logger, defaultMetrics: false });
  await app.ready();
  return {
    app,
    logs,
    scrape: async () => {
      const response = await app.inject({ method: "GET", url: config.web.telemetryPath });
      return { status: response.statusCode, text: response.body };
    },
    close,
  };
};
