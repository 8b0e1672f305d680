#!/usr/bin/env node
/** The composition root: configuration, logger, AvePoint client, scheduler, server; signals. */
import { readFileSync } from "node:fs";
import { createAvePointApi } from "./avepoint/index.js";
import { Scheduler } from "./collect/scheduler.js";
import { selectCustomers } from "./collect/select.js";
import { describeConfig, helpText } from "./config/describe.js";
import { parseConfig } from "./config/parse.js";
import { ConfigError } from "./errors.js";
import { createLogger } from "./log.js";
import { createSelfMetrics } from "./metrics/self.js";
import { buildApp } from "./server/app.js";
import { loadWebConfig } from "./server/web-config.js";
import { VERSION } from "./version.js";

const fail = (message: string): never => {
  process.stderr.write(`avepoint-exporter: ${message}\n`);
  process.exit(2);
};

const main = async (): Promise<void> => {
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env, (path) => readFileSync(path, "utf8"));
  } catch (err) {
    if (err instanceof ConfigError) return fail(`config error: ${err.message}`);
    throw err;
  }
  if ("action" in parsed) {
    process.stdout.write(
      parsed.action === "help" ? helpText() : `avepoint-exporter ${VERSION} (node ${process.version})\n`,
    );
    return;
  }
  const { config } = parsed;
  let web;
  try {
    web = config.web.configFile === null ? null : await loadWebConfig(config.web.configFile);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`config error: ${err.message}`);
    throw err;
  }
  const self = createSelfMetrics(VERSION);
  let stack;
  try {
    stack = createAvePointApi(config.avepoint, self.observer, `avepoint-exporter/${VERSION}`);
  } catch (err) {
    return fail(
      `config error: --avepoint.private-key-file: cannot read the private key (${err instanceof Error ? err.message.split("\n")[0] : "unknown error"})`,
    );
  }
  if (parsed.check) {
    process.stdout.write(describeConfig(config, parsed.sources));
    return;
  }

  const credentials = config.avepoint.credentials;
  const logger = createLogger(
    config.log,
    process.stderr,
    credentials.kind === "secret"
      ? [credentials.clientSecret]
      : [
          credentials.privateKeyPassword ?? "",
          ...credentials.privateKeyPem.split("\n").filter((l) => !l.startsWith("-----")),
        ],
  );
  const scheduler = new Scheduler(stack.api, {
    minIntervalSeconds: config.collect.minIntervalSeconds,
    maxStaleSeconds: config.collect.maxStaleSeconds,
    selection: selectCustomers({
      include: config.collect.customers,
      exclude: config.collect.excludeCustomers,
      shardIndex: config.shard.index,
      shardTotal: config.shard.total,
    }),
    logger: logger.child({ component: "collector" }),
    hooks: self.hooks,
  });
  const app = buildApp({
    scheduler,
    selfRegistry: self.registry,
    version: VERSION,
    telemetryPath: config.web.telemetryPath,
    flavor: config.avepoint.flavor,
    apiUrl: config.avepoint.apiUrl,
    timeoutOffsetSeconds: config.collect.timeoutOffsetSeconds,
    defaultTimeoutSeconds: config.collect.defaultTimeoutSeconds,
    logger,
    ...(web ? { serverOptions: web.serverOptions, ...(web.guard ? { guard: web.guard } : {}) } : {}),
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    scheduler.stop();
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  process.on("uncaughtException", (err) => {
    // Logged through the scrubbing logger rather than Node's default stack dump.
    logger.fatal({ err }, "uncaught exception");
    process.exit(1);
  });

  try {
    const address = await app.listen({
      port: config.web.port,
      ...(config.web.host ? { host: config.web.host } : { host: "::" }),
    });
    logger.info(
      {
        version: VERSION,
        address,
        flavor: config.avepoint.flavor,
        api_url: config.avepoint.apiUrl,
        tls: web?.tls ?? false,
      },
      "avepoint-exporter listening",
    );
  } catch (err) {
    return fail(
      `cannot listen on ${config.web.host ?? ""}:${config.web.port}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // A first collection right away, so that /-/ready turns true without waiting for a scrape.
  void scheduler.get(Date.now() + config.collect.defaultTimeoutSeconds * 1000);
};

await main();
