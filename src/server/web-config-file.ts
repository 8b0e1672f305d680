/**
 * `--web.config.file` in the exporter-toolkit format used by the official Prometheus exporters
 * (its docs/web-configuration.md): `tls_server_config`, `http_server_config`, `basic_auth_users` and
 * `rate_limit`. This file reads and checks one; web-config.ts keeps it current and applies it.
 * Every key of the format is either honoured or refused with a line that names it, never ignored.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createSecureContext, type SecureVersion } from "node:tls";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseDurationSeconds } from "../config/duration.js";
import { ConfigError } from "../errors.js";
import {
  CIPHER_SUITES,
  CURVES,
  INSECURE_CIPHER_SUITES,
  TLS_VERSIONS,
  type GoTlsVersion,
} from "./tls-names.js";

const SETTING = "--web.config.file";

export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** bcrypt costs 2^cost rounds: below 4 bcrypt refuses, above this each check takes seconds. */
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 17;

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

const text = z.string().min(1);
const VERSION_ORDER = Object.keys(TLS_VERSIONS) as GoTlsVersion[];
const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [GoTlsVersion, ...GoTlsVersion[]]);

const schema = z
  .object({
    tls_server_config: z
      .object({
        cert: text.nullish(),
        key: text.nullish(),
        client_ca: text.nullish(),
        cert_file: text.nullish(),
        key_file: text.nullish(),
        // "RequireClientCert" is the toolkit's old spelling of RequireAnyClientCert.
        client_auth_type: z.enum([...CLIENT_AUTH_TYPES, "RequireClientCert"]).nullish(),
        client_ca_file: text.nullish(),
        client_allowed_sans: z.array(text).nullish(),
        min_version: tlsVersion.nullish(),
        max_version: tlsVersion.nullish(),
        cipher_suites: z.array(text).nullish(),
        prefer_server_cipher_suites: z.boolean().nullish(),
        curve_preferences: z.array(text).nullish(),
      })
      .strict()
      .nullish(),
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

export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
  readonly clientAuth: ClientAuthType;
  /** Client certificates must carry one of these SANs (DNS, IP, e-mail or URI), exactly. */
  readonly allowedSans: readonly string[] | null;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** OpenSSL cipher string (TLS 1.2 and older, plus any TLS 1.3 suites named), or Node's default. */
  readonly ciphers: string | undefined;
  readonly ecdhCurve: string | undefined;
  readonly honorCipherOrder: boolean;
}

export interface WebSettings {
  readonly tls: TlsSettings | null;
  readonly headers: Readonly<Record<string, string>>;
  /** user → bcrypt hash; null: no basic auth. */
  readonly users: Readonly<Record<string, string>> | null;
  /** A token bucket: one request per interval, `burst` at once; null: no limit. */
  readonly rateLimit: { readonly intervalSeconds: number; readonly burst: number } | null;
}

const fail = (path: string, key: string, problem: string): never => {
  throw new ConfigError(SETTING, `${path}: ${key}: ${problem}`);
};

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

  const users = config.basic_auth_users;
  return {
    tls: config.tls_server_config ? readTls(path, config.tls_server_config, read) : null,
    headers,
    users: users && Object.keys(users).length > 0 ? users : null,
    rateLimit: readRateLimit(path, config.rate_limit),
  };
};

type TlsConfig = NonNullable<z.infer<typeof schema>["tls_server_config"]>;

const readTls = (
  path: string,
  tls: TlsConfig,
  read: (key: string, file: string) => Buffer,
): TlsSettings | null => {
  const key = (name: string): string => `tls_server_config.${name}`;
  const given = Object.entries(tls).filter(([, value]) => value !== null && value !== undefined);
  if (given.length === 0) return null;
  for (const [inline, file] of [
    ["cert", "cert_file"],
    ["key", "key_file"],
    ["client_ca", "client_ca_file"],
  ] as const) {
    if (tls[inline] && tls[file]) fail(path, key(inline), `give either ${inline} or ${file}, not both`);
  }
  // Without a certificate the toolkit serves plain HTTP and ignores the other TLS keys: refused here.
  if (!tls.cert && !tls.cert_file)
    fail(
      path,
      key("cert_file"),
      `missing (one of cert or cert_file is needed; set: ${given.map(([k]) => k).join(", ")})`,
    );
  if (!tls.key && !tls.key_file) fail(path, key("key_file"), "missing (one of key or key_file is needed)");

  const cert = tls.cert_file ? read("cert_file", tls.cert_file) : Buffer.from(tls.cert ?? "");
  const privateKey = tls.key_file ? read("key_file", tls.key_file) : Buffer.from(tls.key ?? "");
  const ca = tls.client_ca_file
    ? read("client_ca_file", tls.client_ca_file)
    : tls.client_ca
      ? Buffer.from(tls.client_ca)
      : undefined;
  const caKey = tls.client_ca_file ? "client_ca_file" : "client_ca";
  const certKey = tls.cert_file ? "cert_file" : "cert";
  const privateKeyKey = tls.key_file ? "key_file" : "key";

  const rawAuth =
    tls.client_auth_type === "RequireClientCert" ? "RequireAnyClientCert" : tls.client_auth_type;
  // A CA without a policy means verified client certificates: the safe reading of such a file.
  const clientAuth: ClientAuthType = rawAuth ?? (ca ? "RequireAndVerifyClientCert" : "NoClientCert");
  if (clientAuth.includes("Verify") && !ca)
    fail(path, key("client_auth_type"), `${clientAuth} needs client_ca_file or client_ca`);
  if (ca && clientAuth === "NoClientCert")
    fail(path, key(caKey), "is set, but client_auth_type NoClientCert never asks for a client certificate");
  const allowedSans = tls.client_allowed_sans ?? null;
  if (allowedSans && clientAuth !== "RequireAnyClientCert" && clientAuth !== "RequireAndVerifyClientCert")
    fail(
      path,
      key("client_allowed_sans"),
      `needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert (with ${clientAuth} a client may send no certificate)`,
    );

  const min = tls.min_version ?? "TLS12";
  const max = tls.max_version ?? "TLS13";
  if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(max))
    fail(path, key("max_version"), `${max} is below min_version ${min}`);

  let ciphers: string | undefined;
  if (tls.cipher_suites && tls.cipher_suites.length > 0) {
    const names = tls.cipher_suites.map((name) => {
      const suite = CIPHER_SUITES[name];
      if (!suite)
        fail(
          path,
          key("cipher_suites"),
          INSECURE_CIPHER_SUITES.has(name)
            ? `${name} is insecure and not accepted`
            : `unknown cipher suite "${name}" (Go's names from tls.CipherSuites(), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`,
        );
      return suite!.openssl;
    });
    ciphers = names.join(":");
  }
  // OpenSSL 3 allows TLS 1.0 and 1.1 only at security level 0; asked for, they are made to work.
  if (VERSION_ORDER.indexOf(min) < VERSION_ORDER.indexOf("TLS12"))
    ciphers = `${ciphers ?? "DEFAULT"}:@SECLEVEL=0`;

  let ecdhCurve: string | undefined;
  if (tls.curve_preferences && tls.curve_preferences.length > 0)
    ecdhCurve = tls.curve_preferences
      .map(
        (name) =>
          CURVES[name] ??
          fail(
            path,
            key("curve_preferences"),
            `unknown curve "${name}"; valid: ${Object.keys(CURVES).join(", ")}`,
          ),
      )
      .join(":");

  checkPem(path, { cert, certKey, key: privateKey, privateKeyKey, ca, caKey });
  const settings: TlsSettings = {
    cert,
    key: privateKey,
    ca,
    clientAuth,
    allowedSans,
    minVersion: TLS_VERSIONS[min],
    maxVersion: TLS_VERSIONS[max],
    ciphers,
    ecdhCurve,
    honorCipherOrder: tls.prefer_server_cipher_suites ?? true,
  };
  try {
    createSecureContext(secureContextOptions(settings));
  } catch (err) {
    // Certificate and key were checked above: what is left is a cipher or curve OpenSSL lacks.
    fail(
      path,
      key(ecdhCurve ? "curve_preferences" : "cipher_suites"),
      `not usable by this Node's OpenSSL (${reason(err)})`,
    );
  }
  return settings;
};

/** Options of `tls.createSecureContext` / `server.setSecureContext` for these settings. */
export const secureContextOptions = (tls: TlsSettings) => ({
  cert: tls.cert,
  key: tls.key,
  ...(tls.ca ? { ca: tls.ca } : {}),
  minVersion: tls.minVersion,
  maxVersion: tls.maxVersion,
  ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
  ...(tls.ecdhCurve ? { ecdhCurve: tls.ecdhCurve } : {}),
  honorCipherOrder: tls.honorCipherOrder,
});

// Node's messages name the decoder, never the file's content.
const reason = (err: unknown): string =>
  err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message.split("\n")[0] ?? "") : "";

/**
 * Reads the certificate, key and CA as Node will, so that a broken one is reported under its own key
 * rather than later, by the HTTPS server, as an unexplained failure.
 */
const checkPem = (
  path: string,
  pem: {
    cert: Buffer;
    certKey: string;
    key: Buffer;
    privateKeyKey: string;
    ca: Buffer | undefined;
    caKey: string;
  },
): void => {
  const key = (name: string): string => `tls_server_config.${name}`;
  try {
    new X509Certificate(pem.cert);
  } catch (err) {
    fail(path, key(pem.certKey), `not a PEM certificate (${reason(err)})`);
  }
  try {
    createPrivateKey(pem.key);
  } catch (err) {
    fail(path, key(pem.privateKeyKey), `not an unencrypted PEM private key (${reason(err)})`);
  }
  if (pem.ca !== undefined) {
    try {
      new X509Certificate(pem.ca);
    } catch (err) {
      fail(path, key(pem.caKey), `not a PEM certificate (${reason(err)})`);
    }
  }
  try {
    createSecureContext({ cert: pem.cert, key: pem.key, ...(pem.ca ? { ca: pem.ca } : {}) });
  } catch (err) {
    fail(
      path,
      key(pem.privateKeyKey),
      `does not belong to tls_server_config.${pem.certKey} (${reason(err)})`,
    );
  }
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
  const burst = limit.burst ?? 0;
  if (burst < 1)
    return fail(
      path,
      "rate_limit.burst",
      "must be at least 1 when rate_limit.interval is set (0 would refuse every request)",
    );
  return { intervalSeconds: seconds, burst };
};
