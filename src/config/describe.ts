/** --config.check output and --help text: every setting, secrets masked. */
import type { Config } from "./config.js";
import { SETTINGS } from "./settings.js";

const MASK = "<secret>";

export const describeConfig = (config: Config, sources: ReadonlyMap<string, string>): string => {
  const a = config.avepoint;
  const c = config.collect;
  const credentials =
    a.credentials.kind === "secret"
      ? `client secret ${MASK}`
      : `certificate (private key ${MASK}${a.credentials.privateKeyPassword === null ? "" : `, password ${MASK}`})`;
  const rows: [string, string][] = [
    [
      "web.listen-address",
      config.web.listen
        .map(
          ({ host, port }) => `${host === undefined ? "" : host.includes(":") ? `[${host}]` : host}:${port}`,
        )
        .join(","),
    ],
    ["web.telemetry-path", config.web.telemetryPath],
    ["web.config.file", config.web.configFile ?? "(none)"],
    ["avepoint.environment", a.environment],
    ["avepoint.region", a.region ?? "(none)"],
    ["avepoint.api-url", a.apiUrl],
    ["avepoint.token-url", a.tokenUrl],
    ["avepoint.api-flavor", a.flavor],
    ["avepoint.modern-daily-route", a.modernDailyRoute],
    ["avepoint.client-id", a.clientId],
    ["credentials", credentials],
    ["avepoint.scope", a.scopes.join(" ")],
    ["avepoint.concurrency", String(a.concurrency)],
    ["avepoint.rate-limit", `${a.rateLimit}/s`],
    ["avepoint.request-timeout", `${a.requestTimeoutSeconds}s`],
    ["avepoint.max-retries", String(a.maxRetries)],
    ["avepoint.adaptive-rate", String(a.adaptiveRate)],
    ["avepoint.max-retry-after", `${a.maxRetryAfterSeconds}s`],
    ["avepoint.max-response-size", `${a.maxResponseBytes}B`],
    ["collect.min-interval", `${c.minIntervalSeconds}s`],
    ["collect.customers", c.customers.join(",") || "(all)"],
    ["collect.exclude-customers", c.excludeCustomers.join(",") || "(none)"],
    ["collect.max-stale", `${c.maxStaleSeconds}s`],
    ["collect.max-round-duration", `${c.maxRoundSeconds}s`],
    ["collect.timeout-offset", `${c.timeoutOffsetSeconds}s`],
    ["collect.default-timeout", `${c.defaultTimeoutSeconds}s`],
    ["shard", `${config.shard.index} of ${config.shard.total}`],
    [
      "runtime.heap-growth-percent",
      config.runtime.heapGrowthPercent === 0 ? "0 (V8's own)" : `${config.runtime.heapGrowthPercent}%`,
    ],
    ["log", `${config.log.level} ${config.log.format}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([key, value]) => {
    const source =
      sources.get(key) ??
      (key === "credentials"
        ? sources.get(
            a.credentials.kind === "secret" ? "avepoint.client-secret-file" : "avepoint.private-key-file",
          )
        : undefined);
    return `${key.padEnd(width)}  ${value}${source && source !== "default" ? `   (from ${source})` : ""}`;
  });
  return `configuration is valid${config.configFile ? ` (config file ${config.configFile})` : ""}\n${lines.join("\n")}\n`;
};

export const helpText = (): string => {
  const lines = SETTINGS.map((s) => {
    const def = "default" in s ? ` (default ${s.default})` : "";
    const env = "env" in s ? ` [$${s.env}]` : "";
    return `  --${s.flag}=…${env}\n      ${s.help}${def}`;
  });
  return [
    "usage: avepoint-exporter [flags]",
    "",
    "Prometheus exporter for the AvePoint Elements partner API.",
    "",
    "  --config.file=… [$CONFIG_FILE]\n      YAML file with any of the settings below (flags and environment win).",
    "  --config.check\n      Validate the configuration, print the effective settings (secrets masked) and exit.",
    ...lines,
    "  --version\n      Print the version, revision and build date and exit.",
    "  -h, --help\n      Print this help and exit.",
    "",
    "POST /-/reload or SIGHUP reads --config.file, the secret files and --web.config.file again.",
    "",
  ].join("\n");
};
