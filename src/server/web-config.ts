/**
 * `--web.config.file` in the exporter-toolkit format used by the official Prometheus exporters:
 * `tls_server_config` (cert_file, key_file, client_ca_file, client_auth_type, min_version) and
 * `basic_auth_users` (user: bcrypt hash).
 */
import { createHash, createPrivateKey, timingSafeEqual, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type ServerOptions } from "node:https";
import { dirname, resolve } from "node:path";
import bcrypt from "bcryptjs";
import { createSecureContext, type TLSSocket } from "node:tls";
import type { FastifyServerFactory } from "fastify";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "../errors.js";

const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;

/** bcrypt costs 2^cost rounds: below 4 bcrypt refuses, above this each check takes seconds. */
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 17;

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
    tls_server_config: z
      .object({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_ca_file: z.string().min(1).optional(),
        client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
        min_version: z.enum(["TLS10", "TLS11", "TLS12", "TLS13"]).optional(),
      })
      .strict()
      .optional(),
    basic_auth_users: z.record(z.string().min(1), bcryptHash).optional(),
    http_server_config: z.object({}).passthrough().optional(),
  })
  .strict();

export interface WebConfig {
  readonly tls: boolean;
  readonly serverOptions: { https?: object; serverFactory?: FastifyServerFactory };
  readonly guard?: (authorization: string | undefined) => Promise<boolean>;
}

const TLS_VERSIONS = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" } as const;

/** @throws ConfigError naming the web config setting that is wrong. */
export const loadWebConfig = async (path: string): Promise<WebConfig> => {
  const setting = "--web.config.file";
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(setting, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(
      setting,
      `${path} is not YAML: ${err instanceof Error ? err.message.split("\n")[0] : ""}`,
    );
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      setting,
      `${path}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const base = dirname(resolve(path));
  const read = async (key: string, file: string): Promise<Buffer> => {
    try {
      return await readFile(resolve(base, file));
    } catch (err) {
      throw new ConfigError(
        setting,
        `${key} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  };

  let https: ServerOptions | undefined;
  let serverFactory: FastifyServerFactory | undefined;
  const tls = parsed.data.tls_server_config;
  if (tls) {
    const authType =
      tls.client_auth_type ?? (tls.client_ca_file ? "RequireAndVerifyClientCert" : "NoClientCert");
    if (authType.includes("Verify") && !tls.client_ca_file)
      throw new ConfigError(setting, `client_auth_type ${authType} needs client_ca_file`);
    const cert = await read("cert_file", tls.cert_file);
    const key = await read("key_file", tls.key_file);
    const ca = tls.client_ca_file ? await read("client_ca_file", tls.client_ca_file) : undefined;
    checkTlsFiles(path, { cert, key, ca });
    https = {
      cert,
      key,
      ...(ca ? { ca } : {}),
      requestCert: authType !== "NoClientCert",
      // Node can only verify-and-require; the other two modes are enforced after the handshake.
      rejectUnauthorized: authType === "RequireAndVerifyClientCert",
      minVersion: TLS_VERSIONS[tls.min_version ?? "TLS12"],
    };
    if (authType === "VerifyClientCertIfGiven" || authType === "RequireAnyClientCert")
      serverFactory = clientCertPolicyServer(https, authType);
  }
  const users = parsed.data.basic_auth_users;
  return {
    tls: https !== undefined,
    serverOptions: https ? { https, ...(serverFactory ? { serverFactory } : {}) } : {},
    ...(users && Object.keys(users).length > 0 ? { guard: basicAuthGuard(users) } : {}),
  };
};

/**
 * Reads the certificate, key and CA as Node will, so that a broken file is reported here under its
 * own key rather than later, by the HTTPS server, as an unexplained failure to start.
 * @throws ConfigError naming `tls_server_config.<key>`.
 */
const checkTlsFiles = (path: string, files: { cert: Buffer; key: Buffer; ca: Buffer | undefined }): void => {
  const fail = (key: string, problem: string): never => {
    throw new ConfigError("--web.config.file", `${path}: tls_server_config.${key}: ${problem}`);
  };
  // Node's messages name the decoder, never the file's content.
  const reason = (err: unknown): string =>
    err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message.split("\n")[0] ?? "") : "";
  try {
    new X509Certificate(files.cert);
  } catch (err) {
    fail("cert_file", `not a PEM certificate (${reason(err)})`);
  }
  try {
    createPrivateKey(files.key);
  } catch (err) {
    fail("key_file", `not an unencrypted PEM private key (${reason(err)})`);
  }
  if (files.ca !== undefined) {
    try {
      new X509Certificate(files.ca);
    } catch (err) {
      fail("client_ca_file", `not a PEM certificate (${reason(err)})`);
    }
  }
  try {
    createSecureContext({ cert: files.cert, key: files.key, ...(files.ca ? { ca: files.ca } : {}) });
  } catch (err) {
    fail("key_file", `does not belong to tls_server_config.cert_file (${reason(err)})`);
  }
};

/**
 * An HTTPS server that drops connections breaking the client certificate policy Node cannot express:
 * RequireAnyClientCert (a certificate must be sent, not verified) and VerifyClientCertIfGiven (none,
 * or a verified one). Timeouts as Fastify sets them on the servers it creates itself.
 */
const clientCertPolicyServer =
  (
    https: ServerOptions,
    authType: "VerifyClientCertIfGiven" | "RequireAnyClientCert",
  ): FastifyServerFactory =>
  (handler, options) => {
    // Node's header and request limits (timeouts.ts) come in Fastify's `http` option.
    const node = (options as { http?: object | null }).http ?? {};
    const server = createServer({ ...https, ...node }, handler);
    server.on("secureConnection", (socket: TLSSocket) => {
      const given = Object.keys(socket.getPeerCertificate()).length > 0;
      if (authType === "RequireAnyClientCert" ? !given : given && !socket.authorized) socket.destroy();
    });
    const { keepAliveTimeout, requestTimeout, connectionTimeout } = options as Record<
      string,
      number | undefined
    >;
    if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
    if (requestTimeout !== undefined) server.requestTimeout = requestTimeout;
    if (connectionTimeout !== undefined) server.setTimeout(connectionTimeout);
    return server;
  };

/** Checks `Authorization: Basic`; successful checks are cached (bcrypt is slow on purpose). */
export const basicAuthGuard = (users: Readonly<Record<string, string>>) => {
  const verified = new Set<string>();
  const digest = (text: string): string => createHash("sha256").update(text).digest("hex");
  return async (authorization: string | undefined): Promise<boolean> => {
    if (!authorization?.startsWith("Basic ")) return false;
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = Object.hasOwn(users, user) ? users[user] : undefined;
    const key = digest(`${user}\u0000${password}`);
    if (hash === undefined) {
      // Same work for unknown users, so timing does not tell which users exist.
      await bcrypt.compare(password, "$2a$10$C6UzMDM.H6dfI/f/IKcEeO5m8yXyiZ3Eo7AFMUJ9o2Q/OqGcqLfQm");
      return false;
    }
    for (const known of verified) if (timingSafeEqual(Buffer.from(known), Buffer.from(key))) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) verified.add(key);
    return ok;
  };
};
