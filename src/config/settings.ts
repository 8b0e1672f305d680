/** Every setting once: flag, environment variable, default and help. Drives parsing, --help and docs. */

export interface SettingSpec {
  /** Flag name without the leading dashes; also the key in the YAML config file. */
  readonly flag: string;
  readonly env?: string;
  readonly default?: string;
  readonly help: string;
  /** Read from a file whose path is given (flag value or `<env>_FILE`); value never printed. */
  readonly secretFile?: boolean;
}

export const SETTINGS = [
  {
    flag: "web.listen-address",
    env: "WEB_LISTEN_ADDRESS",
    default: ":10123",
    help: "Address to listen on, [host]:port; repeat the flag (or separate by commas) to listen on several.",
  },
  {
    flag: "web.telemetry-path",
    env: "WEB_TELEMETRY_PATH",
    default: "/metrics",
    help: "Path of the metrics.",
  },
  {
    flag: "web.config.file",
    env: "WEB_CONFIG_FILE",
    help: "exporter-toolkit web config (TLS, basic auth, headers, rate limit) for the HTTP server; read again whenever it changes.",
  },
  {
    flag: "avepoint.environment",
    env: "AVEPOINT_ENVIRONMENT",
    default: "commercial",
    help: "commercial, gov, aos2 or fedramp: picks the token and API URLs.",
  },
  {
    flag: "avepoint.region",
    env: "AVEPOINT_REGION",
    help: "Commercial data center (us, we, gcp-jp, ...): picks the regional API URL.",
  },
  { flag: "avepoint.api-url", env: "AVEPOINT_API_URL", help: "API base URL; overrides environment/region." },
  { flag: "avepoint.token-url", env: "AVEPOINT_TOKEN_URL", help: "Token URL; overrides the environment." },
  {
    flag: "avepoint.api-flavor",
    env: "AVEPOINT_API_FLAVOR",
    default: "v3",
    help: "API generation: v3, modern or v3-batch.",
  },
  {
    flag: "avepoint.modern-daily-route",
    env: "AVEPOINT_MODERN_DAILY_ROUTE",
    default: "auto",
    help: "modern flavor: daily endpoint spelling, auto (try each, remember), legacy or summary.",
  },
  { flag: "avepoint.client-id", env: "AVEPOINT_CLIENT_ID", help: "Application (client) ID. Required." },
  {
    flag: "avepoint.client-secret-file",
    env: "AVEPOINT_CLIENT_SECRET",
    secretFile: true,
    help: "File holding the client secret (or the secret itself in AVEPOINT_CLIENT_SECRET, or its path in AVEPOINT_CLIENT_SECRET_FILE).",
  },
  {
    flag: "avepoint.certificate-file",
    env: "AVEPOINT_CERTIFICATE_FILE",
    help: "PEM certificate registered for the app (certificate authentication).",
  },
  {
    flag: "avepoint.private-key-file",
    env: "AVEPOINT_PRIVATE_KEY_FILE",
    help: "PEM private key of the certificate (PKCS#8 or PKCS#1, may be encrypted).",
  },
  {
    flag: "avepoint.private-key-password-file",
    env: "AVEPOINT_PRIVATE_KEY_PASSWORD",
    secretFile: true,
    help: "File holding the private key's password (or AVEPOINT_PRIVATE_KEY_PASSWORD / _FILE).",
  },
  {
    flag: "avepoint.scope",
    env: "AVEPOINT_SCOPE",
    help: "Space-separated scopes; default: the flavor's read scopes.",
  },
  {
    flag: "avepoint.concurrency",
    env: "AVEPOINT_CONCURRENCY",
    default: "8",
    help: "Most requests in flight to AvePoint at once.",
  },
  {
    flag: "avepoint.rate-limit",
    env: "AVEPOINT_RATE_LIMIT",
    default: "20",
    help: "Most requests per second to AvePoint, token requests included: the ceiling of the adaptive rate.",
  },
  {
    flag: "avepoint.adaptive-rate",
    env: "AVEPOINT_ADAPTIVE_RATE",
    default: "true",
    help: "Find the rate below --avepoint.rate-limit by itself (start low, back off on 429, speed up slowly); false sends at --avepoint.rate-limit always.",
  },
  {
    flag: "avepoint.max-retry-after",
    env: "AVEPOINT_MAX_RETRY_AFTER",
    default: "2m",
    help: "Longest pause a Retry-After from AvePoint may impose; longer ones are cut to this and logged.",
  },
  {
    flag: "avepoint.request-timeout",
    env: "AVEPOINT_REQUEST_TIMEOUT",
    default: "15s",
    help: "Longest time one request to AvePoint may take, from sending to the last byte of the answer.",
  },
  {
    flag: "avepoint.max-response-size",
    env: "AVEPOINT_MAX_RESPONSE_SIZE",
    default: "10MiB",
    help: "Largest answer read from AvePoint (bytes, or with KiB/MiB/GiB); a larger one is cut off and counted as too_large.",
  },
  {
    flag: "avepoint.max-retries",
    env: "AVEPOINT_MAX_RETRIES",
    default: "3",
    help: "Retries of one request after 5xx, timeouts and network errors (a 429 is waited out, not counted).",
  },
  {
    flag: "collect.min-interval",
    env: "COLLECT_MIN_INTERVAL",
    default: "0s",
    help: "No new collection round starts within this long of the last one's end; scrapes meanwhile are served the data already collected.",
  },
  {
    flag: "collect.customers",
    env: "COLLECT_CUSTOMERS",
    help: "Comma-separated customer IDs or name globs (*, ?) to collect; default all.",
  },
  {
    flag: "collect.exclude-customers",
    env: "COLLECT_EXCLUDE_CUSTOMERS",
    help: "Comma-separated customer IDs or name globs to skip.",
  },
  {
    flag: "collect.max-stale",
    env: "COLLECT_MAX_STALE",
    default: "1h",
    help: "How long a failing customer's last known values are still served.",
  },
  {
    flag: "collect.max-round-duration",
    env: "COLLECT_MAX_ROUND_DURATION",
    default: "15m",
    help: "Longest a collection round may run; a round cut by it is logged and the next round starts with the customers it did not reach.",
  },
  {
    flag: "collect.timeout-offset",
    env: "COLLECT_TIMEOUT_OFFSET",
    default: "0.5s",
    help: "Time kept back from Prometheus's scrape timeout for rendering the answer.",
  },
  {
    flag: "collect.default-timeout",
    env: "COLLECT_DEFAULT_TIMEOUT",
    default: "30s",
    help: "Scrape timeout assumed when a scrape has no usable X-Prometheus-Scrape-Timeout-Seconds header; bounds only that scrape's answer, never the round.",
  },
  {
    flag: "shard.index",
    env: "SHARD_INDEX",
    default: "0",
    help: "This instance's shard (0-based) when customers are split over instances.",
  },
  { flag: "shard.total", env: "SHARD_TOTAL", default: "1", help: "Number of shards." },
  {
    flag: "runtime.heap-growth-percent",
    env: "RUNTIME_HEAP_GROWTH_PERCENT",
    default: "50",
    help: "How far the JavaScript heap may grow past its live data before a full garbage collection, in percent (like Go's GOGC); 0 leaves V8's own choice (up to 300 % on large machines).",
  },
  { flag: "log.level", env: "LOG_LEVEL", default: "info", help: "debug, info, warn or error." },
  { flag: "log.format", env: "LOG_FORMAT", default: "logfmt", help: "logfmt or json." },
] as const satisfies readonly SettingSpec[];

export type SettingFlag = (typeof SETTINGS)[number]["flag"];
