/**
 * The web config as the server uses it, kept current the way exporter-toolkit does: every request
 * and every new connection first checks whether the file, or a file it names, has changed, so that a
 * rotated certificate or password needs nothing at all. A changed file that is refused leaves the
 * running web config in place; the refusal is told to the listeners (log line, reload metrics).
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { FastifyServerFactory } from "fastify";
import { ConfigError, isConfigError } from "../errors.js";
import { basicAuthGuard } from "./basic-auth.js";
import { peerHasAllowedSan } from "./client-san.js";
import { TokenBucket } from "./token-bucket.js";
import {
  readWebConfig,
  secureContextOptions,
  type TlsSettings,
  type WebSettings,
} from "./web-config-file.js";

export { basicAuthGuard } from "./basic-auth.js";

/** What one re-read of the web config came to: applied, or refused with one line. */
export type WebReload = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface WebConfig {
  /** Whether the server speaks TLS; fixed for the life of the process. */
  readonly tls: boolean;
  /** For Fastify: the server with the TLS, header and rate-limit policy of the current web config. */
  readonly serverOptions: { https?: object; serverFactory: FastifyServerFactory };
  /** Basic auth of the current web config (always true when it has no users). */
  readonly guard: (authorization: string | undefined) => Promise<boolean>;
  /**
   * Reads the file again now, whether it changed or not, and applies it.
   * @throws ConfigError when it is refused; the running web config stays.
   */
  reload(): void;
  /** Told after every re-read, whether asked for or noticed on a request. */
  onReload(listener: (result: WebReload) => void): void;
}

/** @throws ConfigError naming the file and the key that is wrong. */
export const loadWebConfig = async (path: string): Promise<WebConfig> => new LiveWebConfig(path);

/** File times move in clock ticks: two writes this close together may leave the same times. */
const RACY_NS = 2_000_000_000n;

/**
 * The state of every file as far as a change is concerned: identity, size and times, and for a file
 * changed in the last moments (whose times may not move again at the next write) its content too.
 */
const fingerprint = (files: readonly string[]): string => {
  const now = BigInt(Date.now()) * 1_000_000n;
  return files
    .map((file) => {
      try {
        const s = statSync(file, { bigint: true });
        const racy = now - s.mtimeNs < RACY_NS || now - s.ctimeNs < RACY_NS;
        const content = racy ? createHash("sha256").update(readFileSync(file)).digest("hex") : "";
        return `${file}\u0000${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${content}`;
      } catch {
        return `${file}\u0000missing`;
      }
    })
    .join("\n");
};

type Guard = (authorization: string | undefined) => Promise<boolean>;

class LiveWebConfig implements WebConfig {
  readonly tls: boolean;
  readonly serverOptions: WebConfig["serverOptions"];
  private settings: WebSettings;
  /** Files read by the last attempt and their state then: nothing is read again until it changes. */
  private watched: readonly string[];
  private seen: string;
  private users: Guard;
  private bucket: TokenBucket | null;
  private readonly servers = new Set<HttpsServer>();
  private readonly listeners: ((result: WebReload) => void)[] = [];

  constructor(private readonly path: string) {
    const touched: string[] = [];
    this.settings = readWebConfig(path, touched);
    this.watched = touched;
    this.seen = fingerprint(touched);
    this.tls = this.settings.tls !== null;
    this.users = this.guardFor(this.settings);
    this.bucket = this.bucketFor(this.settings);
    this.serverOptions = { ...(this.tls ? { https: {} } : {}), serverFactory: this.serverFactory };
  }

  readonly guard = (authorization: string | undefined): Promise<boolean> => {
    this.current();
    return this.users(authorization);
  };

  onReload(listener: (result: WebReload) => void): void {
    this.listeners.push(listener);
  }

  reload(): void {
    const touched: string[] = [];
    try {
      this.apply(readWebConfig(this.path, touched));
    } catch (err) {
      this.noticed(touched);
      const message = err instanceof Error ? err.message : String(err);
      this.tell({ ok: false, message });
      throw isConfigError(err) ? err : new ConfigError("--web.config.file", message);
    }
    this.noticed(touched);
    this.tell({ ok: true });
  }

  /** The settings to use now: read again first when a file changed since the last attempt. */
  private current(): WebSettings {
    if (fingerprint(this.watched) !== this.seen) {
      try {
        this.reload();
      } catch {
        // Told to the listeners; the running web config stays.
      }
    }
    return this.settings;
  }

  private noticed(touched: readonly string[]): void {
    // Also after a refusal: the files it named are watched, so that fixing any of them is noticed.
    this.watched = [...new Set([...touched, ...this.watched])];
    this.seen = fingerprint(this.watched);
  }

  private tell(result: WebReload): void {
    for (const listener of this.listeners) listener(result);
  }

  private apply(next: WebSettings): void {
    if ((next.tls !== null) !== this.tls)
      throw new ConfigError(
        "--web.config.file",
        `${this.path}: tls_server_config: turning TLS ${this.tls ? "off" : "on"} needs a restart`,
      );
    const previous = this.settings;
    this.settings = next;
    if (JSON.stringify(next.users) !== JSON.stringify(previous.users)) this.users = this.guardFor(next);
    if (JSON.stringify(next.rateLimit) !== JSON.stringify(previous.rateLimit))
      this.bucket = this.bucketFor(next);
    if (next.tls) for (const server of this.servers) applyTls(server, next.tls);
  }

  private guardFor(settings: WebSettings): Guard {
    if (settings.users === null) return async () => true;
    return basicAuthGuard(settings.users);
  }

  private bucketFor(settings: WebSettings): TokenBucket | null {
    return settings.rateLimit
      ? new TokenBucket(settings.rateLimit.intervalSeconds, settings.rateLimit.burst)
      : null;
  }

  /**
   * Rate limit before anything else (429 before the auth check, as exporter-toolkit does), and the
   * configured headers on every answer.
   */
  private readonly handle =
    (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const settings = this.current();
      for (const [name, value] of Object.entries(settings.headers)) res.setHeader(name, value);
      if (this.bucket && !this.bucket.take()) {
        res.writeHead(429, { "Content-Type": "text/plain; charset=utf-8" }).end("Too Many Requests\n");
        return;
      }
      handler(req, res);
    };

  private readonly serverFactory: FastifyServerFactory = (handler, options) => {
    // Node's header and request limits (timeouts.ts) come in Fastify's `http` option.
    const node = (options as { http?: object | null }).http ?? {};
    const tls = this.settings.tls;
    let server;
    if (tls) {
      const https = createHttpsServer({ ...node, ...secureContextOptions(tls) }, this.handle(handler));
      applyTls(https, tls);
      // Before Node wraps the socket in TLS with the server's context: a changed file is read first.
      https.prependListener("connection", () => this.current());
      https.on("secureConnection", (socket: TLSSocket) => {
        const policy = this.settings.tls;
        if (policy && !clientCertificateAccepted(socket, policy)) socket.destroy();
      });
      this.servers.add(https);
      https.once("close", () => this.servers.delete(https));
      server = https;
    } else {
      server = createHttpServer(node, this.handle(handler));
    }
    // Timeouts as Fastify sets them on the servers it creates itself.
    const { keepAliveTimeout, requestTimeout, connectionTimeout } = options as Record<
      string,
      number | undefined
    >;
    if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
    if (requestTimeout !== undefined) server.requestTimeout = requestTimeout;
    if (connectionTimeout !== undefined) server.setTimeout(connectionTimeout);
    return server;
  };
}

/** The secure context and client-certificate request of these settings, for connections from now on. */
const applyTls = (server: HttpsServer, tls: TlsSettings): void => {
  server.setSecureContext(secureContextOptions(tls));
  // Read by Node for each new connection. Node can only verify-and-require; the other policies are
  // enforced once the handshake is done (clientCertificateAccepted).
  const target = server as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
  target.requestCert = tls.clientAuth !== "NoClientCert";
  target.rejectUnauthorized = tls.clientAuth === "RequireAndVerifyClientCert";
};

/** The client-certificate policies Node cannot express, and client_allowed_sans. */
const clientCertificateAccepted = (socket: TLSSocket, tls: TlsSettings): boolean => {
  const peer = socket.getPeerCertificate();
  const given = peer !== null && Object.keys(peer).length > 0;
  if (tls.clientAuth === "RequireAnyClientCert" && !given) return false;
  if (tls.clientAuth === "VerifyClientCertIfGiven" && given && !socket.authorized) return false;
  if (tls.allowedSans !== null) return given && peerHasAllowedSan(peer.raw, tls.allowedSans);
  return true;
};
