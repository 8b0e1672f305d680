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
import { basicAuthGuard, VerifiedCache, type Guard } from "./basic-auth.js";
import { isOpenPath } from "./open-paths.js";
import { peerHasAllowedSan } from "./client-san.js";
import { TokenBucket } from "./token-bucket.js";
import { readWebConfig, secureContextOptions, type TlsSettings, type WebSettings } from "./file.js";

export { basicAuthGuard } from "./basic-auth.js";

/**
 * What one re-read of the web config came to: applied (with any warnings), or refused with one line.
 * `refused` tells a change that would open the door (authentication or TLS removed) from a bad file.
 */
export type WebReload =
  | { readonly ok: true; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string; readonly opensDoor?: boolean };

export interface WebConfig {
  /** Whether the server speaks TLS; fixed for the life of the process. */
  readonly tls: boolean;
  /** For Fastify: the server with the TLS, header and rate-limit policy of the current web config. */
  readonly serverOptions: { https?: object; serverFactory: FastifyServerFactory };
  /** Basic auth of the current web config (always true when it has no users; "busy": answer 429). */
  readonly guard: Guard;
  /** Warnings of the web config in force (logged at start). */
  readonly warnings: readonly string[];
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

/** A file as far as a change is concerned: identity, size and times; content for a racy file. */
const statOf = (file: string): { stat: string; racyAt: bigint } | null => {
  try {
    const s = statSync(file, { bigint: true });
    return {
      stat: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
      racyAt: (s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs) + RACY_NS,
    };
  } catch {
    return null;
  }
};

const contentOf = (file: string): string => {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return "missing";
  }
};

/**
 * The state of one file: its stat, and for a file changed in the last moments (whose times may not
 * move again at the next write) its content too.
 */
const stateOf = (file: string, now: bigint, withContent = false): string => {
  const s = statOf(file);
  if (s === null) return "missing";
  return `${s.stat}:${withContent || now < s.racyAt ? contentOf(file) : ""}`;
};

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** A change that would leave a running exporter without its door: refused until a restart. */
class OpensDoorError extends ConfigError {}

/** The file changed while it was being read: not applied, read again on the next request. */
class UnstableError extends ConfigError {}

class LiveWebConfig implements WebConfig {
  readonly tls: boolean;
  readonly serverOptions: WebConfig["serverOptions"];
  private settings: WebSettings;
  /** Files read by the last attempt and their state then: nothing is read again until it changes. */
  private watched: readonly string[];
  private seen = new Map<string, string>();
  private users: Guard;
  /** Outcomes of password checks, kept across rewrites of the file (keyed on the hash). */
  private readonly verified = new VerifiedCache();
  private bucket: TokenBucket | null;
  private readonly servers = new Set<HttpsServer>();
  private readonly listeners: ((result: WebReload) => void)[] = [];

  constructor(private readonly path: string) {
    const touched: string[] = [];
    // Taken before reading, so that a write during the read is noticed at the first request.
    const before = new Map([[path, stateOf(path, nowNs())]]);
    this.settings = readWebConfig(path, touched);
    this.watched = [path];
    this.noticed(touched, before);
    this.tls = this.settings.tls !== null;
    this.users = this.guardFor(this.settings);
    this.bucket = this.bucketFor(this.settings);
    this.serverOptions = { ...(this.tls ? { https: {} } : {}), serverFactory: this.serverFactory };
  }

  readonly guard: Guard = (authorization) => {
    this.current();
    return this.users(authorization);
  };

  get warnings(): readonly string[] {
    return this.settings.warnings;
  }

  onReload(listener: (result: WebReload) => void): void {
    this.listeners.push(listener);
  }

  reload(): void {
    // Two writes in a row (truncate, then write) may be caught in between: read until stable.
    for (let attempt = 1; ; attempt++) {
      try {
        this.attempt();
        return;
      } catch (err) {
        if (!(err instanceof UnstableError)) throw err;
        if (attempt >= 3) {
          this.tell({ ok: false, message: err.message });
          throw err;
        }
      }
    }
  }

  /**
   * One read. The files' state is taken before reading, so that a write during or after the read is
   * always noticed at the next check; a read during which any file changed is not applied (nor told:
   * the next check reads again).
   * @throws ConfigError when refused, UnstableError when a file changed while being read.
   */
  private attempt(): void {
    const files = [...new Set([this.path, ...this.watched])];
    const now = nowNs();
    const before = new Map(files.map((file) => [file, stateOf(file, now)]));
    const touched: string[] = [];
    let next: WebSettings;
    try {
      next = readWebConfig(this.path, touched);
      if (files.some((file) => stateOf(file, now) !== before.get(file)))
        throw new UnstableError("--web.config.file", `${this.path} changed while being read`);
      this.check(next);
    } catch (err) {
      this.noticed(touched, err instanceof UnstableError ? null : before);
      if (err instanceof UnstableError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.tell({ ok: false, message, ...(err instanceof OpensDoorError ? { opensDoor: true } : {}) });
      throw isConfigError(err) ? err : new ConfigError("--web.config.file", message);
    }
    this.apply(next);
    this.noticed(touched, before);
    this.tell({ ok: true, warnings: next.warnings });
  }

  /** The settings to use now: read again first when a file changed since the last attempt. */
  private current(): WebSettings {
    if (this.changed()) {
      try {
        this.attempt();
      } catch {
        // Told to the listeners; the running web config stays.
      }
    }
    return this.settings;
  }

  /**
   * Also after a refusal: the files it named are watched, so that fixing any of them is noticed. The
   * state recorded is the one taken before the read (files named for the first time: as they are
   * now); null records nothing, so that the next check reads again.
   */
  private noticed(touched: readonly string[], before: ReadonlyMap<string, string> | null): void {
    this.watched = [...new Set([this.path, ...this.watched, ...touched])];
    const now = nowNs();
    this.seen = new Map(
      before === null ? [] : this.watched.map((file) => [file, before.get(file) ?? stateOf(file, now)]),
    );
  }

  /**
   * Whether any watched file differs from its recorded state. A state recorded with content (the file
   * was racy then) is compared with content; once equal and no longer racy, the cheaper state is kept.
   */
  private changed(): boolean {
    const now = nowNs();
    for (const file of this.watched) {
      const seen = this.seen.get(file);
      if (seen === undefined) return true;
      const state = stateOf(file, now);
      if (state === seen) continue;
      if (!seen.endsWith(":") && state.endsWith(":") && stateOf(file, now, true) === seen) {
        this.seen.set(file, state);
        continue;
      }
      return true;
    }
    return false;
  }

  private tell(result: WebReload): void {
    for (const listener of this.listeners) listener(result);
  }

  /**
   * A running exporter never loses its door by a rewrite of the file: a web config that would turn TLS
   * or basic auth off (an empty file caught while being written, a partial one) is refused, as turning
   * TLS on or off always was; a restart does it on purpose.
   */
  private check(next: WebSettings): void {
    if ((next.tls !== null) !== this.tls)
      throw new OpensDoorError(
        "--web.config.file",
        `${this.path}: tls_server_config: turning TLS ${this.tls ? "off" : "on"} needs a restart`,
      );
    if (this.settings.users !== null && next.users === null)
      throw new OpensDoorError(
        "--web.config.file",
        `${this.path}: basic_auth_users: turning basic auth off needs a restart (the running users stay)`,
      );
  }

  private apply(next: WebSettings): void {
    const previous = this.settings;
    this.settings = next;
    if (JSON.stringify(next.users) !== JSON.stringify(previous.users)) this.users = this.guardFor(next);
    if (JSON.stringify(next.rateLimit) !== JSON.stringify(previous.rateLimit))
      this.bucket = this.bucketFor(next);
    if (next.tls) for (const server of this.servers) applyTls(server, next.tls);
  }

  private guardFor(settings: WebSettings): Guard {
    if (settings.users === null) return async () => true;
    return basicAuthGuard(settings.users, undefined, this.verified);
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
      // The health checks are never rate limited: a busy limiter must not make Kubernetes restart us.
      if (this.bucket && !isOpenPath(req.url) && !this.bucket.take()) {
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
