#!/usr/bin/env node
/** The composition root: configuration, logger, AvePoint client, collection rounds, server; signals. */
import type { Config } from "./config/config.js";
import { describeConfig, helpText } from "./config/describe.js";
import { parseConfig, type CliAction, type ParsedArgs } from "./config/parse.js";
import {
  readLimitedFile,
  Secrets,
  secretsOf,
  takeSecretFileWarnings,
  unusableKeyMessage,
} from "./config/secrets.js";
import { isConfigError } from "./errors.js";
import { createExporter } from "./exporter.js";
import { setHeapGrowth } from "./heap.js";
import { createLogger } from "./log.js";
import { createReloader, type Reloader } from "./reload.js";
import { loadWebConfig } from "./web-config/web-config.js";
import { isStateLockError } from "./state/lock.js";
import { listenAll, type Listening } from "./server/listen.js";
import { REVISION, VERSION, versionText } from "./version.js";

/** Cleans the one line printed on failure; knows the configuration's secrets once it is read. */
const secrets = new Secrets();

const fail = (message: string): never => {
  process.stderr.write(`avepoint-exporter: ${secrets.redact(message)}\n`);
  process.exit(2);
};

const describeListen = (config: Config): string =>
  config.web.listen.map(({ host, port }) => `${host ?? ""}:${port}`).join(",");

/** The configuration from the process's flags and environment and the files they name, as read now. */
const readConfig = (): ParsedArgs | CliAction =>
  parseConfig(process.argv.slice(2), process.env, (path) => readLimitedFile(path));

const main = async (): Promise<void> => {
  let parsed;
  try {
    parsed = readConfig();
  } catch (err) {
    if (isConfigError(err)) return fail(`config error: ${err.message}`);
    throw err;
  }
  if ("action" in parsed) {
    process.stdout.write(parsed.action === "help" ? helpText() : versionText());
    return;
  }
  const { config } = parsed;
  secrets.add(secretsOf(config.avepoint.credentials, config.avepoint.clientId));
  setHeapGrowth(config.runtime.heapGrowthPercent);
  let web;
  try {
    web = config.web.configFile === null ? null : await loadWebConfig(config.web.configFile);
  } catch (err) {
    if (isConfigError(err)) return fail(`config error: ${err.message}`);
    throw err;
  }
  const rootLogger = createLogger(config.log, process.stderr, secrets);
  for (const warning of web?.warnings ?? []) rootLogger.warn({ file: config.web.configFile }, warning);
  for (const warning of takeSecretFileWarnings()) rootLogger.warn(warning);
  let reloader: Reloader | undefined = undefined;
  let exporter;
  try {
    exporter = createExporter(config, {
      version: VERSION,
      web,
      logger: rootLogger,
      secrets,
      state: !parsed.check,
      // As Prometheus: the lifecycle endpoint only when asked for (SIGHUP always reloads).
      ...(config.web.enableLifecycle
        ? {
            reload: () =>
              reloader
                ? reloader.reload("POST /-/reload")
                : Promise.resolve({ ok: false, message: "not started yet" }),
          }
        : {}),
    });
  } catch (err) {
    if (isStateLockError(err)) return fail(`cannot start: ${err.message}`);
    // Web config files are checked by loadWebConfig; what fails here is the certificate credential.
    const detail = err instanceof Error ? (err.message.split("\n")[0] ?? "") : "unknown error";
    return fail(
      config.avepoint.credentials.kind === "certificate"
        ? `config error: ${unusableKeyMessage(detail)}`
        : `cannot start: ${detail}`,
    );
  }
  if (parsed.check) {
    process.stdout.write(describeConfig(config, parsed.sources, parsed.given));
    return;
  }

  const { app, rounds } = exporter;
  const logger = app.log;
  reloader = createReloader({
    read: () => readConfig() as ParsedArgs,
    running: config,
    exporter,
    web,
    logger: rootLogger,
  });

  let listening: Listening | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    // The further listeners first, so that no new connection reaches a server that is closing.
    Promise.all([listening?.close(), exporter.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => void reloader?.reload("SIGHUP"));
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  process.on("uncaughtException", (err) => {
    // Logged through the scrubbing logger rather than Node's default stack dump.
    logger.fatal({ err }, "uncaught exception");
    process.exit(1);
  });

  try {
    listening = await listenAll(app, config.web.listen, web?.tls ?? false);
    for (const address of listening.urls)
      logger.info(
        {
          version: VERSION,
          revision: REVISION,
          address,
          flavor: config.avepoint.flavor,
          api_url: config.avepoint.apiUrl,
          tls: web?.tls ?? false,
        },
        "avepoint-exporter listening",
      );
  } catch (err) {
    return fail(
      `cannot listen on --web.listen-address ${describeListen(config)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // A first round right away, so that /-/ready turns true without waiting for a scrape.
  rounds.start();
};

await main();
