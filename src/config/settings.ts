/**
 * Every setting, declared once: flag (also its key in the config file), environment variable, type,
 * default, help, and the Config field it lands in. Parsing, --help, --config.check and reload's change
 * detection are derived from this table; rules.ts holds what relates settings to each other.
 */
import { API_FLAVORS } from "./config.js";
import { setting, type AnyDeclaration, type ValueOf } from "./declaration.js";
import { COMMERCIAL_REGIONS, ENVIRONMENTS } from "./environments.js";
import { MAX_TIMER_SECONDS } from "./duration.js";
import * as t from "./setting-types.js";

const MINUTE = 60;
const DAY = 86_400;

export const SETTINGS = [
  setting({
    flag: "web.listen-address",
    env: "WEB_LISTEN_ADDRESS",
    type: t.listenAddresses,
    default: ":10123",
    help: "Address to listen on, [host]:port; repeat the flag (or separate by commas) to listen on several.",
    to: "web.listen",
    repeatable: true,
  }),
  setting({
    flag: "web.telemetry-path",
    env: "WEB_TELEMETRY_PATH",
    type: t.metricsPath,
    default: "/metrics",
    help: "Path of the metrics.",
    to: "web.telemetryPath",
  }),
  setting({
    flag: "web.config.file",
    env: "WEB_CONFIG_FILE",
    type: t.optional(t.text),
    help: "exporter-toolkit web config (TLS, basic auth, headers, rate limit) for the HTTP server; read again whenever it changes.",
    to: "web.configFile",
  }),
  setting({
    flag: "avepoint.environment",
    env: "AVEPOINT_ENVIRONMENT",
    type: t.oneOf(Object.keys(ENVIRONMENTS) as (keyof typeof ENVIRONMENTS)[]),
    default: "commercial",
    help: "commercial, gov, aos2 or fedramp: picks the token and API URLs.",
    to: "avepoint.environment",
  }),
  setting({
    flag: "avepoint.region",
    env: "AVEPOINT_REGION",
    type: t.optional(t.oneOf(COMMERCIAL_REGIONS, "region")),
    help: "Commercial data center (us, we, gcp-jp, ...): picks the regional API URL.",
    to: "avepoint.region",
  }),
  setting({
    flag: "avepoint.api-url",
    env: "AVEPOINT_API_URL",
    type: t.optional(t.httpUrl),
    help: "API base URL; overrides environment/region.",
    to: "avepoint.apiUrl",
  }),
  setting({
    flag: "avepoint.token-url",
    env: "AVEPOINT_TOKEN_URL",
    type: t.optional(t.httpUrl),
    help: "Token URL; overrides the environment.",
    to: "avepoint.tokenUrl",
  }),
  setting({
    flag: "avepoint.api-flavor",
    env: "AVEPOINT_API_FLAVOR",
    type: t.oneOf(API_FLAVORS),
    default: "v3",
    help: "API generation: v3, modern or v3-batch.",
    to: "avepoint.flavor",
  }),
  setting({
    flag: "avepoint.modern-daily-route",
    env: "AVEPOINT_MODERN_DAILY_ROUTE",
    type: t.oneOf(["auto", "legacy", "summary"]),
    default: "auto",
    help: "modern flavor: daily endpoint spelling, auto (try each, remember), legacy or summary.",
    to: "avepoint.modernDailyRoute",
  }),
  setting({
    flag: "avepoint.client-id",
    env: "AVEPOINT_CLIENT_ID",
    type: t.trimmed,
    help: "Application (client) ID. Required.",
    to: "avepoint.clientId",
  }),
  setting({
    flag: "avepoint.client-secret-file",
    env: "AVEPOINT_CLIENT_SECRET",
    type: t.secretFile,
    help: "File holding the client secret (or the secret itself in AVEPOINT_CLIENT_SECRET, or its path in AVEPOINT_CLIENT_SECRET_FILE).",
    to: "avepoint.credentials",
    line: "credentials",
    reloadable: true,
  }),
  setting({
    flag: "avepoint.certificate-file",
    env: "AVEPOINT_CERTIFICATE_FILE",
    type: t.pemFile,
    help: "PEM certificate registered for the app (certificate authentication).",
    to: "avepoint.credentials",
    line: "credentials",
    reloadable: true,
  }),
  setting({
    flag: "avepoint.private-key-file",
    env: "AVEPOINT_PRIVATE_KEY_FILE",
    type: t.pemFile,
    help: "PEM private key of the certificate (PKCS#8 or PKCS#1, may be encrypted).",
    to: "avepoint.credentials",
    line: "credentials",
    reloadable: true,
  }),
  setting({
    flag: "avepoint.private-key-password-file",
    env: "AVEPOINT_PRIVATE_KEY_PASSWORD",
    type: t.secretFile,
    help: "File holding the private key's password (or AVEPOINT_PRIVATE_KEY_PASSWORD / _FILE).",
    to: "avepoint.credentials",
    line: "credentials",
    reloadable: true,
  }),
  setting({
    flag: "avepoint.scope",
    env: "AVEPOINT_SCOPE",
    type: t.optional(t.words),
    help: "Space-separated scopes; default: the flavor's read scopes.",
    to: "avepoint.scopes",
  }),
  setting({
    flag: "avepoint.concurrency",
    env: "AVEPOINT_CONCURRENCY",
    type: t.int(1, 1000),
    default: "8",
    help: "Most requests in flight to AvePoint at once.",
    to: "avepoint.concurrency",
  }),
  setting({
    flag: "avepoint.rate-limit",
    env: "AVEPOINT_RATE_LIMIT",
    type: t.number(0.01, 100_000),
    default: "20",
    help: "Most requests per second to AvePoint, token requests included: the ceiling of the adaptive rate.",
    to: "avepoint.rateLimit",
    show: (rate) => `${rate}/s`,
  }),
  setting({
    flag: "avepoint.adaptive-rate",
    env: "AVEPOINT_ADAPTIVE_RATE",
    type: t.bool,
    default: "true",
    help: "Find the rate below --avepoint.rate-limit by itself (start low, back off on 429, speed up slowly); false sends at --avepoint.rate-limit always.",
    to: "avepoint.adaptiveRate",
  }),
  setting({
    flag: "avepoint.max-retry-after",
    env: "AVEPOINT_MAX_RETRY_AFTER",
    type: t.duration(1, DAY),
    default: "2m",
    help: "Longest pause a Retry-After from AvePoint may impose; longer ones are cut to this and logged.",
    to: "avepoint.maxRetryAfterSeconds",
  }),
  setting({
    flag: "avepoint.request-timeout",
    env: "AVEPOINT_REQUEST_TIMEOUT",
    type: t.duration(0.001, 10 * MINUTE),
    default: "15s",
    help: "Longest time one request to AvePoint may take, from sending to the last byte of the answer.",
    to: "avepoint.requestTimeoutSeconds",
  }),
  setting({
    flag: "avepoint.max-response-size",
    env: "AVEPOINT_MAX_RESPONSE_SIZE",
    type: t.bytes(1024, 1024 ** 3),
    default: "10MiB",
    help: "Largest answer read from AvePoint (bytes, or with KiB/MiB/GiB); a larger one is cut off and counted as too_large.",
    to: "avepoint.maxResponseBytes",
  }),
  setting({
    flag: "avepoint.max-retries",
    env: "AVEPOINT_MAX_RETRIES",
    type: t.int(0, 20),
    default: "3",
    help: "Retries of one request after 5xx, timeouts and network errors (a 429 is waited out, not counted).",
    to: "avepoint.maxRetries",
  }),
  setting({
    flag: "collect.min-interval",
    env: "COLLECT_MIN_INTERVAL",
    type: t.duration(0, 7 * DAY),
    default: "0s",
    help: "No new collection round starts within this long of the last one's end; scrapes meanwhile are served the data already collected.",
    to: "collect.minIntervalSeconds",
  }),
  setting({
    flag: "collect.customers",
    env: "COLLECT_CUSTOMERS",
    type: t.list("(all)"),
    help: "Comma-separated customer IDs or name globs (*, ?) to collect; default all.",
    to: "collect.customers",
    reloadable: true,
  }),
  setting({
    flag: "collect.exclude-customers",
    env: "COLLECT_EXCLUDE_CUSTOMERS",
    type: t.list(),
    help: "Comma-separated customer IDs or name globs to skip.",
    to: "collect.excludeCustomers",
    reloadable: true,
  }),
  setting({
    flag: "collect.max-stale",
    env: "COLLECT_MAX_STALE",
    type: t.duration(0, MAX_TIMER_SECONDS),
    default: "1h",
    help: "How long a failing customer's last known values are still served.",
    to: "collect.maxStaleSeconds",
  }),
  setting({
    flag: "collect.max-round-duration",
    env: "COLLECT_MAX_ROUND_DURATION",
    type: t.duration(1, 7 * DAY),
    default: "15m",
    help: "Longest a collection round may run; a round cut by it is logged and the next round starts with the customers it did not reach.",
    to: "collect.maxRoundSeconds",
  }),
  setting({
    flag: "collect.timeout-offset",
    env: "COLLECT_TIMEOUT_OFFSET",
    type: t.duration(0, MINUTE),
    default: "0.5s",
    help: "Time kept back from Prometheus's scrape timeout for rendering the answer.",
    to: "collect.timeoutOffsetSeconds",
  }),
  setting({
    flag: "collect.default-timeout",
    env: "COLLECT_DEFAULT_TIMEOUT",
    // A scrape answer is bounded by this and the offset; the server's socket timeouts sit above the longest.
    type: t.duration(0.1, 10 * MINUTE),
    default: "30s",
    help: "Scrape timeout assumed when a scrape has no usable X-Prometheus-Scrape-Timeout-Seconds header; bounds only that scrape's answer, never the round.",
    to: "collect.defaultTimeoutSeconds",
  }),
  setting({
    flag: "shard.index",
    env: "SHARD_INDEX",
    type: t.int(0, 999_999),
    default: "0",
    help: "This instance's shard (0-based) when customers are split over instances.",
    to: "shard.index",
    line: "shard",
    reloadable: true,
  }),
  setting({
    flag: "shard.total",
    env: "SHARD_TOTAL",
    type: t.int(1, 1_000_000),
    default: "1",
    help: "Number of shards.",
    to: "shard.total",
    line: "shard",
    reloadable: true,
  }),
  setting({
    flag: "runtime.heap-growth-percent",
    env: "RUNTIME_HEAP_GROWTH_PERCENT",
    type: t.int(0, 1000),
    default: "50",
    help: "How far the JavaScript heap may grow past its live data before a full garbage collection, in percent (like Go's GOGC); 0 leaves V8's own choice (up to 300 % on large machines).",
    to: "runtime.heapGrowthPercent",
    show: (percent) => (percent === 0 ? "0 (V8's own)" : `${percent}%`),
  }),
  setting({
    flag: "log.level",
    env: "LOG_LEVEL",
    type: t.oneOf(["debug", "info", "warn", "error"]),
    default: "info",
    help: "debug, info, warn or error.",
    to: "log.level",
    line: "log",
    reloadable: true,
  }),
  setting({
    flag: "log.format",
    env: "LOG_FORMAT",
    type: t.oneOf(["logfmt", "json"]),
    default: "logfmt",
    help: "logfmt or json.",
    to: "log.format",
    line: "log",
  }),
] as const satisfies readonly AnyDeclaration[];

export type SettingFlag = (typeof SETTINGS)[number]["flag"];

/** Each setting's value by flag, as parsed, before the rules relate them. */
export type SettingValues = {
  readonly [D in (typeof SETTINGS)[number] as D["flag"]]: ValueOf<D>;
};

/** Flags of the command itself rather than of the exporter: never in the config file. */
export const COMMAND_FLAGS = [
  {
    flag: "config.file",
    env: "CONFIG_FILE",
    help: "YAML file with any of the settings below (flags and environment win).",
  },
  {
    flag: "config.check",
    help: "Validate the configuration, print the effective settings (secrets masked) and exit.",
  },
  { flag: "version", help: "Print the version, revision and build date and exit.", afterSettings: true },
  { flag: "help", short: "h", help: "Print this help and exit.", afterSettings: true },
] as const satisfies readonly CommandFlag[];

export interface CommandFlag {
  readonly flag: string;
  /** Takes a value (`--config.file=…`), read also from this environment variable. */
  readonly env?: string;
  readonly short?: string;
  readonly help: string;
  /** Listed by --help after the settings rather than before. */
  readonly afterSettings?: true;
}
