#!/usr/bin/env node
/**
 * The container's HEALTHCHECK: reads the running exporter's own configuration (its flags, environment
 * and config files, parsed exactly as the exporter parses them) and asks its /-/healthy on its first
 * --web.listen-address, over HTTPS when its web config has TLS. Exit 0 healthy, 1 not.
 *
 *   node dist/src/healthcheck.js [--pid=N] [--timeout=4s]
 *
 * Without --pid it finds the exporter itself (process 1 in the image).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../config/parse.js";
import { parseDurationSeconds } from "../config/duration.js";
import { redactor } from "../config/secrets.js";
import { findExporterProcess, readExporterProcess } from "./exporter-process.js";
import { probeHealth } from "./probe.js";
import { readWebConfig } from "../web-config/file.js";

const unhealthy = (message: string): never => {
  process.stderr.write(`unhealthy: ${message}\n`);
  process.exit(1);
};

const check = async (): Promise<void> => {
  const { values } = parseArgs({
    options: { pid: { type: "string" }, timeout: { type: "string", default: "4s" } },
  });
  const timeoutSeconds = parseDurationSeconds(values.timeout);
  if (timeoutSeconds === null || timeoutSeconds <= 0)
    return unhealthy(`--timeout: not a duration: ${values.timeout}`);
  const exporter = values.pid === undefined ? findExporterProcess() : readExporterProcess(Number(values.pid));
  // Relative paths in its settings are the exporter's, from its working directory.
  const readFile = (path: string): string => readFileSync(resolve(exporter.cwd, path), "utf8");
  const parsed = parseConfig(exporter.args, exporter.env, readFile);
  if ("action" in parsed) return unhealthy(`process ${exporter.pid} prints --${parsed.action} and exits`);
  const { web } = parsed.config;
  const tls = web.configFile === null ? null : readWebConfig(resolve(exporter.cwd, web.configFile)).tls;
  const result = await probeHealth(web.listen[0], tls, timeoutSeconds * 1000);
  if (!result.ok) return unhealthy(result.detail);
  process.stdout.write(`healthy: ${result.detail}\n`);
};

try {
  await check();
} catch (err) {
  // Messages may quote settings; shape-based scrubbing keeps secrets out of `docker inspect`.
  unhealthy(redactor([])(err instanceof Error ? err.message : String(err)));
}
