/**
 * `tls_server_config` of the exporter-toolkit web config: every key read, checked and turned into
 * Node's TLS options, or refused with a line that names it.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createSecureContext, type SecureVersion } from "node:tls";
import { z } from "zod";
import { ConfigError } from "../errors.js";
import {
  CIPHER_SUITES,
  CURVES,
  groupSupported,
  INSECURE_CIPHER_SUITES,
  TLS_VERSIONS,
  type GoTlsVersion,
} from "./tls-names.js";

export const SETTING = "--web.config.file";
const VERSION_ORDER = Object.keys(TLS_VERSIONS) as GoTlsVersion[];

/** A refusal naming the file and the key. */
export const fail = (path: string, key: string, problem: string): never => {
  throw new ConfigError(SETTING, `${path}: ${key}: ${problem}`);
};

export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const text = z.string().min(1);
const tlsVersion = z.enum(VERSION_ORDER as [GoTlsVersion, ...GoTlsVersion[]]);

/** The `tls_server_config` section as written in the file, before it is checked. */
export const tlsServerConfigSchema = z
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
  .strict();
export type TlsConfig = z.infer<typeof tlsServerConfigSchema>;

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

export const readTls = (
  path: string,
  tls: TlsConfig,
  read: (key: string, file: string) => Buffer,
  warn: (line: string) => void = () => {},
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
  // As exporter-toolkit (Go verifies against the system's roots then): loaded, with a word about it.
  if (clientAuth.includes("Verify") && !ca)
    warn(
      `${path}: tls_server_config.client_auth_type: ${clientAuth} without client_ca_file or client_ca verifies client certificates against the system's certificate authorities`,
    );
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
  if (tls.curve_preferences && tls.curve_preferences.length > 0) {
    const groups = tls.curve_preferences.map(
      (name) =>
        CURVES[name] ??
        fail(
          path,
          key("curve_preferences"),
          `unknown curve "${name}"; valid: ${Object.keys(CURVES).join(", ")}`,
        ),
    );
    // A curve the toolkit knows but this Node's OpenSSL lacks (X25519MLKEM768 before OpenSSL 3.5) is
    // left out with a warning, as long as another one remains: the file loads as it does in the toolkit.
    const usable = groups.filter((group) => groupSupported(group));
    const lacking = tls.curve_preferences.filter((_, i) => !groupSupported(groups[i]!));
    if (usable.length === 0)
      fail(
        path,
        key("curve_preferences"),
        `${lacking.join(", ")} not offered by this Node's OpenSSL ${process.versions.openssl}; add another curve`,
      );
    if (lacking.length > 0)
      warn(
        `${path}: ${key("curve_preferences")}: ${lacking.join(", ")} left out, not offered by this Node's OpenSSL ${process.versions.openssl}`,
      );
    ecdhCurve = usable.join(":");
  }

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
