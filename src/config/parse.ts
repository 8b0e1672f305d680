/** parseConfig(argv, env, readFile) → Config, or a ConfigError naming the setting. Pure but for readFile. */
import { parseArgs } from "node:util";
import { isScalar, parseDocument, visit } from "yaml";
import { ConfigError } from "../errors.js";
import { API_FLAVORS, DEFAULT_SCOPES, type Config, type Credentials } from "./config.js";
import { formatDuration, MAX_TIMER_SECONDS } from "./duration.js";
import { COMMERCIAL_REGIONS, ENVIRONMENTS, regionApiUrl } from "./environments.js";
import { SETTINGS, type SettingFlag, type SettingSpec } from "./settings.js";
import { Validator } from "./validator.js";

export type ReadFile = (path: string) => string;

export interface ParsedArgs {
  readonly config: Config;
  readonly check: boolean;
  /** Where each setting's value came from, for --config.check. */
  readonly sources: ReadonlyMap<string, string>;
}

export interface CliAction {
  readonly action: "help" | "version";
}

interface RawValue {
  readonly value: string;
  readonly source: string;
}

const EXTRA_FLAGS = { "config.file": "CONFIG_FILE" } as const;

const MINUTE = 60;
const DAY = 86_400;

/** @throws ConfigError for any unknown, missing or invalid setting. */
export const parseConfig = (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readFile: ReadFile,
): ParsedArgs | CliAction => {
  const flags = readFlags(argv);
  if (flags.help) return { action: "help" };
  if (flags.version) return { action: "version" };

  const configFile = flags.values.get("config.file") ?? env[EXTRA_FLAGS["config.file"]] ?? null;
  const fileValues = configFile === null ? new Map<string, string>() : readConfigFile(configFile, readFile);

  const sources = new Map<string, string>();
  const raw = (spec: SettingSpec): RawValue | undefined => {
    const fromFlag = flags.values.get(spec.flag);
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${spec.flag}` };
    if (spec.env !== undefined) {
      const fromEnv = env[spec.env];
      if (fromEnv !== undefined && fromEnv !== "") {
        return spec.secretFile
          ? { value: fromEnv, source: `$${spec.env}` }
          : { value: fromEnv, source: `$${spec.env}` };
      }
      const fileEnv = spec.secretFile ? env[`${spec.env}_FILE`] : undefined;
      if (fileEnv !== undefined && fileEnv !== "") return { value: fileEnv, source: `$${spec.env}_FILE` };
    }
    const fromFile = fileValues.get(spec.flag);
    if (fromFile !== undefined) return { value: fromFile, source: `config file` };
    return spec.default === undefined ? undefined : { value: spec.default, source: "default" };
  };

  const values = new Map<string, RawValue>();
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const value = raw(spec);
    if (value === undefined) continue;
    values.set(spec.flag, value);
    sources.set(spec.flag, value.source);
  }
  const get = (flag: SettingFlag): string | undefined => values.get(flag)?.value;
  const v = new Validator(get);

  const flavor = v.oneOf("avepoint.api-flavor", API_FLAVORS);
  const environment = v.oneOf(
    "avepoint.environment",
    Object.keys(ENVIRONMENTS) as (keyof typeof ENVIRONMENTS)[],
  );
  const region = get("avepoint.region") ?? null;
  if (region !== null) {
    if (environment !== "commercial")
      throw new ConfigError(
        "--avepoint.region",
        `regions exist only in the commercial environment, not ${environment}`,
      );
    if (!(COMMERCIAL_REGIONS as readonly string[]).includes(region))
      throw new ConfigError(
        "--avepoint.region",
        `unknown region "${region}"; valid: ${COMMERCIAL_REGIONS.join(", ")}`,
      );
  }
  const envUrls = ENVIRONMENTS[environment];
  const apiUrl = v.url("avepoint.api-url") ?? (region === null ? envUrls.apiUrl : regionApiUrl(region));
  const tokenUrl = v.url("avepoint.token-url") ?? envUrls.tokenUrl;

  const clientId = get("avepoint.client-id");
  if (clientId === undefined || clientId.trim() === "")
    throw new ConfigError("--avepoint.client-id", "missing (set the flag or AVEPOINT_CLIENT_ID)");

  const credentials = readCredentials(values, readFile);
  const scopeText = get("avepoint.scope");
  const scopes = scopeText === undefined ? DEFAULT_SCOPES[flavor] : scopeText.split(/[\s,]+/).filter(Boolean);

  const listen = v.listenAddresses("web.listen-address");
  const [{ host, port }] = listen;
  const telemetryPath = get("web.telemetry-path") ?? "/metrics";
  // Paths under /-/ are the open health endpoints: metrics there would escape basic auth.
  if (!telemetryPath.startsWith("/") || telemetryPath === "/" || telemetryPath.startsWith("/-/"))
    throw new ConfigError(
      "--web.telemetry-path",
      `must start with /, and be neither / nor under /-/, got "${telemetryPath}"`,
    );

  const shardTotal = v.int("shard.total", 1, 1_000_000);
  const shardIndex = v.int("shard.index", 0, 999_999);
  if (shardIndex >= shardTotal)
    throw new ConfigError("--shard.index", `must be below --shard.total (${shardTotal}), got ${shardIndex}`);

  // A scrape answer is bounded by these two; the server's socket timeouts are set above the longest.
  const defaultTimeoutSeconds = v.duration("collect.default-timeout", 0.1, 10 * MINUTE);
  const timeoutOffsetSeconds = v.duration("collect.timeout-offset", 0, MINUTE);
  if (timeoutOffsetSeconds >= defaultTimeoutSeconds)
    throw new ConfigError(
      "--collect.timeout-offset",
      `must be shorter than --collect.default-timeout (${formatDuration(defaultTimeoutSeconds)}), got ${formatDuration(timeoutOffsetSeconds)}`,
    );

  const config: Config = {
    web: { host, port, listen, telemetryPath, configFile: get("web.config.file") ?? null },
    avepoint: {
      environment,
      region,
      apiUrl: apiUrl.replace(/\/+$/, ""),
      tokenUrl,
      flavor,
      modernDailyRoute: v.oneOf("avepoint.modern-daily-route", ["auto", "legacy", "summary"] as const),
      clientId: clientId.trim(),
      credentials,
      scopes,
      concurrency: v.int("avepoint.concurrency", 1, 1000),
      rateLimit: v.number("avepoint.rate-limit", 0.01, 100_000),
      adaptiveRate: v.oneOf("avepoint.adaptive-rate", ["true", "false"] as const) === "true",
      maxRetryAfterSeconds: v.duration("avepoint.max-retry-after", 1, DAY),
      requestTimeoutSeconds: v.duration("avepoint.request-timeout", 0.001, 10 * MINUTE),
      maxRetries: v.int("avepoint.max-retries", 0, 20),
      maxResponseBytes: v.bytes("avepoint.max-response-size", 1024, 1024 ** 3),
    },
    collect: {
      minIntervalSeconds: v.duration("collect.min-interval", 0, 7 * DAY),
      customers: v.list("collect.customers"),
      excludeCustomers: v.list("collect.exclude-customers"),
      maxStaleSeconds: v.duration("collect.max-stale", 0, MAX_TIMER_SECONDS),
      maxRoundSeconds: v.duration("collect.max-round-duration", 1, 7 * DAY),
      timeoutOffsetSeconds,
      defaultTimeoutSeconds,
    },
    shard: { index: shardIndex, total: shardTotal },
    runtime: { heapGrowthPercent: v.int("runtime.heap-growth-percent", 0, 1000) },
    log: {
      level: v.oneOf("log.level", ["debug", "info", "warn", "error"] as const),
      format: v.oneOf("log.format", ["logfmt", "json"] as const),
    },
    configFile,
  };
  return { config, check: flags.check, sources };
};

/** Flags that may be given more than once (as in exporter-toolkit); their values are joined by commas. */
const REPEATABLE: ReadonlySet<string> = new Set(["web.listen-address"]);

const readFlags = (argv: readonly string[]) => {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    "config.file": { type: "string" },
    "config.check": { type: "boolean" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  };
  for (const spec of SETTINGS)
    options[spec.flag] = { type: "string", ...(REPEATABLE.has(spec.flag) ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A stray argument is not echoed: it may be a secret typed in the wrong place.
    if (/positional/i.test(message))
      throw new ConfigError("arguments", "unexpected argument without a flag name (write --name=value)");
    const flag = /'(-{1,2}[^'= ]+)/.exec(message)?.[1] ?? "arguments";
    const problem = /unknown option/i.test(message)
      ? "unknown flag (see --help)"
      : /argument missing/i.test(message)
        ? "needs a value (--name=value)"
        : "cannot be read (see --help)";
    throw new ConfigError(flag, problem);
  }
  // A flag given twice would silently keep its last value: refused, unless it is meant to repeat.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || REPEATABLE.has(token.name)) continue;
    if (seen.has(token.name))
      throw new ConfigError(`--${token.name}`, "given more than once (only --web.listen-address repeats)");
    seen.add(token.name);
  }
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed.values)) {
    if (typeof value === "string") values.set(key, value);
    if (Array.isArray(value)) values.set(key, value.join(","));
  }
  return {
    values,
    check: parsed.values["config.check"] === true,
    help: parsed.values.help === true,
    version: parsed.values.version === true,
  };
};

const readConfigFile = (path: string, readFile: ReadFile): Map<string, string> => {
  const doc = readYaml(path, readFile);
  const known = new Set<string>(SETTINGS.map((s) => s.flag));
  // Every beginning of a setting's name ("collect", "web.config"): anything else is refused at once.
  const branches = new Set(
    SETTINGS.flatMap((s) => s.flag.split(".").map((_, i, parts) => parts.slice(0, i + 1).join("."))),
  );
  const out = new Map<string, string>();
  const walk = (node: unknown, prefix: string): void => {
    if (node === null || node === undefined) return;
    if (prefix !== "" && !branches.has(prefix))
      throw new ConfigError("--config.file", `unknown setting "${prefix}" in ${path}`);
    if (typeof node === "object" && !Array.isArray(node)) {
      for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
      return;
    }
    if (!known.has(prefix)) throw new ConfigError("--config.file", `unknown setting "${prefix}" in ${path}`);
    out.set(prefix, Array.isArray(node) ? node.map(String).join(",") : String(node));
  };
  walk(doc, "");
  return out;
};

/**
 * The file as plain data. yaml's own duplicate-key check compares every key with every other one
 * (80,000 keys took minutes), so it is off and done here with one set per mapping.
 */
const readYaml = (path: string, readFile: ReadFile): unknown => {
  const fail = (message: string): never => {
    throw new ConfigError("--config.file", `cannot read ${path}: ${message.split("\n")[0] ?? ""}`);
  };
  let text = "";
  try {
    text = readFile(path);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const error = doc.errors[0];
  if (error !== undefined) fail(error.message);
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) fail(`duplicate key "${String(key)}"`);
        seen.add(key);
      }
    },
  });
  try {
    return doc.toJS();
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
};

const readCredentials = (values: ReadonlyMap<string, RawValue>, readFile: ReadFile): Credentials => {
  const secretSpec = values.get("avepoint.client-secret-file");
  const certFile = values.get("avepoint.certificate-file")?.value;
  const keyFile = values.get("avepoint.private-key-file")?.value;
  const readSecret = (flag: string, raw: RawValue | undefined): string | null => {
    if (raw === undefined) return null;
    // The plain environment variable holds the secret itself; flags, files and _FILE hold a path.
    const text =
      raw.source.startsWith("$") && !raw.source.endsWith("_FILE")
        ? raw.value
        : readPath(flag, raw.value, readFile, `named by ${raw.source}`);
    const trimmed = text.trim();
    if (trimmed === "") throw new ConfigError(`--${flag}`, "is empty");
    return trimmed;
  };
  if (certFile !== undefined || keyFile !== undefined) {
    if (secretSpec !== undefined)
      throw new ConfigError(
        "--avepoint.client-secret-file",
        "give either a client secret or a certificate, not both",
      );
    if (certFile === undefined)
      throw new ConfigError("--avepoint.certificate-file", "missing (the private key needs its certificate)");
    if (keyFile === undefined)
      throw new ConfigError("--avepoint.private-key-file", "missing (the certificate needs its private key)");
    return {
      kind: "certificate",
      certificatePem: readPath("avepoint.certificate-file", certFile, readFile),
      privateKeyPem: readPath("avepoint.private-key-file", keyFile, readFile),
      privateKeyPassword: readSecret(
        "avepoint.private-key-password-file",
        values.get("avepoint.private-key-password-file"),
      ),
    };
  }
  const clientSecret = readSecret("avepoint.client-secret-file", secretSpec);
  if (clientSecret === null)
    throw new ConfigError(
      "--avepoint.client-secret-file",
      "missing credentials: set AVEPOINT_CLIENT_SECRET, AVEPOINT_CLIENT_SECRET_FILE or this flag, or a certificate",
    );
  return { kind: "secret", clientSecret };
};

/**
 * @param hidden for secret files: how to name the file instead of printing its path (a secret
 *   pasted where its path belongs must not be echoed).
 */
const readPath = (flag: string, path: string, readFile: ReadFile, hidden?: string): string => {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`--${flag}`, `cannot read file ${hidden ?? path} (${code})`);
  }
};
