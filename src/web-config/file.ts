/**
 * `--web.config.file` in the exporter-toolkit format used by the official Prometheus exporters
 * (its docs/web-configuration.md): `tls_server_config`, `http_server_config`, `basic_auth_users` and
 * `rate_limit`. This file reads and checks one; web-config.ts keeps it current and applies it.
 * Every key of the format is either honoured or refused with a line that names it, never ignored.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseDurationSeconds } from "../config/duration.js";
import { ConfigError } from "../errors.js";
import { fail, readTls, SETTING, tlsServerConfigSchema, type TlsSettings } from "./tls.js";

export {
  CLIENT_AUTH_TYPES,
  secureContextOptions,
  type ClientAuthType,
  type TlsConfig,
  type TlsSettings,
} from "./tls.js";

/**
 * bcrypt costs 2^cost rounds: below 4 and above 31 bcrypt refuses. Above BCRYPT_SLOW_COST a check takes
 * seconds: loaded with a warning (checks run on worker threads and are cached, so it is slow once).
 */
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 31;
export const BCRYPT_SLOW_COST = 17;

/**
 * The headers exporter-toolkit lets a web config set, with the values it allows (none listed: any).
 * Kept to these few on purpose, as the toolkit does, so that every Prometheus server behaves alike.
 */
export const ALLOWED_HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  "Strict-Transport-Security": null,
  "X-Content-Type-Options": ["nosniff"],
  "X-Frame-Options": ["deny", "sameorigin"],
  "X-XSS-Protection": null,
  "Content-Security-Policy": null,
};

/**
 * `$2a$`, `$2b$`, `$2y$` (or `$2$`), a two-digit cost, then 22 characters of salt and 31 of hash in
 * bcrypt's base64 alphabet. Anything else would never match a password and lock everyone out.
 */
const bcryptHash = z
  .string()
  .regex(/^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/, "must be a bcrypt hash ($2b$<cost>$ and 53 characters)")
  .refine(
    (hash) => {
      const cost = Number(hash.split("$")[2]);
      return cost >= BCRYPT_MIN_COST && cost <= BCRYPT_MAX_COST;
    },
    { message: `bcrypt cost must be from ${BCRYPT_MIN_COST} to ${BCRYPT_MAX_COST}` },
  );

const schema = z
  .object({
    tls_server_config: tlsServerConfigSchema.nullish(),
    http_server_config: z
      .object({
        http2: z.boolean().nullish(),
        // Go's YAML reads `X-XSS-Protection: 1` as the string "1".
        headers: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable())
          .transform((headers) =>
            Object.fromEntries(
              Object.entries(headers).map(([name, value]) => [name, value === null ? null : String(value)]),
            ),
          )
          .nullish(),
      })
      .strict()
      .nullish(),
    basic_auth_users: z.record(z.string().min(1), bcryptHash).nullish(),
    rate_limit: z
      .object({
        interval: z.union([z.string(), z.number()]).nullish(),
        burst: z.number().int().min(0).nullish(),
      })
      .strict()
      .nullish(),
  })
  .strict();

export interface WebSettings {
  readonly tls: TlsSettings | null;
  readonly headers: Readonly<Record<string, string>>;
  /** user → bcrypt hash; null: no basic auth. */
  readonly users: Readonly<Record<string, string>> | null;
  /** A token bucket: one request per interval, `burst` at once; null: no limit. */
  readonly rateLimit: { readonly intervalSeconds: number; readonly burst: number } | null;
  /** Loaded, but worth a log line (one line each). */
  readonly warnings: readonly string[];
}

/**
 * Reads and checks a web config and every file it names (relative paths are taken from the config
 * file's directory). `touched` receives each path read, also when the config is refused, so that a
 * caller can tell when trying again is worth it.
 * @throws ConfigError naming the file and the key that is wrong, in one line.
 */
export const readWebConfig = (path: string, touched: string[] = []): WebSettings => {
  touched.push(path);
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(SETTING, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(source) ?? {};
  } catch (err) {
    throw new ConfigError(
      SETTING,
      `${path} is not YAML: ${err instanceof Error ? (err.message.split("\n")[0] ?? "") : ""}`,
    );
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(path, issue?.path.join(".") || "(root)", issue?.message ?? "invalid");
  }
  const config = parsed.data;
  const base = dirname(resolve(path));
  const read = (key: string, file: string): Buffer => {
    const full = resolve(base, file);
    touched.push(full);
    try {
      return readFileSync(full);
    } catch (err) {
      return fail(
        path,
        `tls_server_config.${key}`,
        `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  };

  const http = config.http_server_config;
  if (http?.http2 === true)
    fail(
      path,
      "http_server_config.http2",
      "HTTP/2 is not offered by this exporter; remove the key or set it to false (HTTP/1.1 is served)",
    );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(http?.headers ?? {})) {
    const allowed = ALLOWED_HEADERS[name];
    if (allowed === undefined)
      fail(
        path,
        `http_server_config.headers.${name}`,
        `this header cannot be configured; allowed: ${Object.keys(ALLOWED_HEADERS).join(", ")}`,
      );
    if (value === null || value === "") continue; // "Unset if blank", as in the toolkit.
    if (allowed && !allowed.includes(value))
      fail(
        path,
        `http_server_config.headers.${name}`,
        `must be one of ${allowed.join(", ")}, got "${value}"`,
      );
    headers[name] = value;
  }

  const warnings: string[] = [];
  const users = config.basic_auth_users;
  for (const [user, hash] of Object.entries(users ?? {})) {
    const cost = Number(hash.split("$")[2]);
    if (cost > BCRYPT_SLOW_COST)
      warnings.push(
        `${path}: basic_auth_users.${user}: bcrypt cost ${cost} takes seconds per check (checked once per client and password, then cached)`,
      );
  }
  return {
    tls: config.tls_server_config
      ? readTls(path, config.tls_server_config, read, (line) => warnings.push(line))
      : null,
    headers,
    users: users && Object.keys(users).length > 0 ? users : null,
    rateLimit: readRateLimit(path, config.rate_limit),
    warnings,
  };
};

const readRateLimit = (
  path: string,
  limit: z.infer<typeof schema>["rate_limit"],
): WebSettings["rateLimit"] => {
  if (!limit) return null;
  const interval = limit.interval ?? 0;
  // A bare number is nanoseconds to Go's YAML; only 0 (off) is taken without a unit.
  const seconds =
    interval === 0 || interval === "0"
      ? 0
      : typeof interval === "string"
        ? parseDurationSeconds(interval)
        : null;
  if (seconds === null || (!/[a-z]$/.test(String(interval)) && seconds !== 0))
    return fail(
      path,
      "rate_limit.interval",
      `must be a duration like 100ms, 1s or 1m (0 turns the limit off), got "${interval}"`,
    );
  if (seconds === 0) return null;
  // burst 0 refuses every request but the health checks, as exporter-toolkit's limiter does.
  return { intervalSeconds: seconds, burst: limit.burst ?? 0 };
};
