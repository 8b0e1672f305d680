/**
 * `--web.config.file` in the exporter-toolkit format used by the official Prometheus exporters:
 * `tls_server_config` (cert_file, key_file, client_ca_file, client_auth_type, min_version) and
 * `basic_auth_users` (user: bcrypt hash).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type ServerOptions } from "node:https";
import { dirname, resolve } from "node:path";
import bcrypt from "bcryptjs";
import type { TLSSocket } from "node:tls";
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
    basic_auth_users: z
      .record(z.string().min(1), z.string().regex(/^\$2[abxy]?\$\d\d\$/, "must be a bcrypt hash"))
      .optional(),
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
    https = {
      cert: await read("cert_file", tls.cert_file),
      key: await read("key_file", tls.key_file),
      ...(tls.client_ca_file ? { ca: await read("client_ca_file", tls.client_ca_file) } : {}),
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
    const server = createServer(https, handler);
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
