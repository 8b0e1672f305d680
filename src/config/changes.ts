/**
 * What a reload may change while the exporter runs, and which changed settings need a restart
 * instead. Every field of Config is named here under its flag; a test checks that none is missing.
 */
import type { Config } from "./config.js";

/** Settings a reload applies without a restart. */
export const RELOADABLE = new Set([
  "collect.customers",
  "collect.exclude-customers",
  "shard.index",
  "shard.total",
  "log.level",
  // The client secret (or certificate, key and password) read again from its file.
  "credentials",
]);

/** Each setting's value in a configuration, by flag name. */
export const SETTING_VALUES: Readonly<Record<string, (c: Config) => unknown>> = {
  "web.listen-address": (c) => [c.web.listen, c.web.host, c.web.port],
  "web.telemetry-path": (c) => c.web.telemetryPath,
  "web.config.file": (c) => c.web.configFile,
  "config.file": (c) => c.configFile,
  "avepoint.environment": (c) => c.avepoint.environment,
  "avepoint.region": (c) => c.avepoint.region,
  "avepoint.api-url": (c) => c.avepoint.apiUrl,
  "avepoint.token-url": (c) => c.avepoint.tokenUrl,
  "avepoint.api-flavor": (c) => c.avepoint.flavor,
  "avepoint.modern-daily-route": (c) => c.avepoint.modernDailyRoute,
  "avepoint.client-id": (c) => c.avepoint.clientId,
  credentials: (c) => c.avepoint.credentials,
  "avepoint.scope": (c) => c.avepoint.scopes,
  "avepoint.concurrency": (c) => c.avepoint.concurrency,
  "avepoint.rate-limit": (c) => c.avepoint.rateLimit,
  "avepoint.adaptive-rate": (c) => c.avepoint.adaptiveRate,
  "avepoint.max-retry-after": (c) => c.avepoint.maxRetryAfterSeconds,
  "avepoint.request-timeout": (c) => c.avepoint.requestTimeoutSeconds,
  "avepoint.max-retries": (c) => c.avepoint.maxRetries,
  "avepoint.max-response-size": (c) => c.avepoint.maxResponseBytes,
  "collect.min-interval": (c) => c.collect.minIntervalSeconds,
  "collect.customers": (c) => c.collect.customers,
  "collect.exclude-customers": (c) => c.collect.excludeCustomers,
  "collect.max-stale": (c) => c.collect.maxStaleSeconds,
  "collect.max-round-duration": (c) => c.collect.maxRoundSeconds,
  "collect.timeout-offset": (c) => c.collect.timeoutOffsetSeconds,
  "collect.default-timeout": (c) => c.collect.defaultTimeoutSeconds,
  "shard.index": (c) => c.shard.index,
  "shard.total": (c) => c.shard.total,
  "runtime.heap-growth-percent": (c) => c.runtime.heapGrowthPercent,
  "log.level": (c) => c.log.level,
  "log.format": (c) => c.log.format,
};

export interface ConfigChanges {
  /** Every setting whose value differs. */
  readonly changed: readonly string[];
  /** Those of them a reload cannot apply. */
  readonly needRestart: readonly string[];
}

export const compareConfigs = (running: Config, next: Config): ConfigChanges => {
  const changed = Object.entries(SETTING_VALUES)
    .filter(([, value]) => JSON.stringify(value(running)) !== JSON.stringify(value(next)))
    .map(([flag]) => flag);
  return { changed, needRestart: changed.filter((flag) => !RELOADABLE.has(flag)) };
};
