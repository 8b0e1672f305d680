/** buildApp(deps) → Fastify instance: /metrics, the landing page, health and readiness. Never listens. */
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import compress from "@fastify/compress";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from "fastify";
import type { Registry } from "prom-client";
import type { Rounds } from "../collect/rounds.js";
import { redactor } from "../config/secrets.js";
import { LANDING_CSS, LANDING_JS, refreshSecondsOf, renderLanding, renderLandingStatus } from "./landing.js";
import type { GuardResult } from "../web-config/basic-auth.js";
import { acceptsGzip, answerLimits, type AnswerLimits } from "./limits.js";
import { OPEN_PATHS } from "../web-config/open-paths.js";
import { SharedBodies } from "./shared-body.js";
import { scrapeDeadline } from "./scrape-deadline.js";
import { fastifyTimeoutOptions, serverTimeouts, type ServerTimeouts } from "./timeouts.js";

export interface AppDeps {
  /** Collection rounds: /metrics joins or starts one, / and /-/ready only look. */
  readonly rounds: Pick<Rounds, "serve" | "view" | "ready">;
  readonly selfRegistry: Registry;
  readonly version: string;
  readonly telemetryPath: string;
  readonly flavor: string;
  readonly apiUrl: string;
  readonly timeoutOffsetSeconds: number;
  readonly defaultTimeoutSeconds: number;
  readonly logger?: FastifyBaseLogger;
  /** Extra server options (https) from the web config. */
  readonly serverOptions?: Partial<FastifyServerOptions> & { https?: object };
  /** Guards every route but /-/healthy and /-/ready (basic auth); "busy": too many checks pending. */
  readonly guard?: (authorization: string | undefined) => GuardResult | Promise<GuardResult>;
  readonly now?: () => number;
  /** Socket and request limits; defaults in timeouts.ts. */
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Answers in progress, write timeout, connections; defaults in limits.ts. */
  readonly limits?: Partial<AnswerLimits>;
  /** Renders each view once for all the scrapes answered with it (shared across apps in tests). */
  readonly bodies?: SharedBodies;
  /** Cleans upstream error texts of known secrets on the landing page (shape-based cleaning always applies). */
  readonly redact?: (text: string) => string;
  /**
   * POST /-/reload: reads the configuration again (behind the same basic auth as the metrics). Given
   * only with --web.enable-lifecycle; without it the route does not exist.
   */
  readonly reload?: () => Promise<ReloadOutcome>;
}

/** A reload applied, or refused with one line (the running configuration stays). */
export interface ReloadOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Set on every answer unless the web config's http_server_config.headers sets the same header. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
};

/**
 * Why a request to a state-changing endpoint comes from another site, or null. Browsers name the
 * origin of a cross-site POST (`Origin`, and `Sec-Fetch-Site` in every current browser); Prometheus,
 * curl and kubectl send neither. A `text/plain` form posted from another page is refused here.
 */
export const crossSite = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | null => {
  const site = headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none")
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = headers.origin;
  if (origin === undefined) return null;
  if (typeof origin !== "string") return "cross-site request refused (several Origin headers)";
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return "cross-site request refused (Origin is not a URL)";
  }
  return host !== "" && host === headers.host ? null : "cross-site request refused (Origin is another site)";
};

export const buildApp = (deps: AppDeps): FastifyInstance => {
  const now = deps.now ?? Date.now;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    ...deps.serverOptions,
    ...fastifyTimeoutOptions(
      serverTimeouts(deps.defaultTimeoutSeconds, deps.timeouts),
      deps.serverOptions?.https,
    ),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  const limits = answerLimits(deps.defaultTimeoutSeconds, deps.limits);
  const bodies = deps.bodies ?? new SharedBodies();
  let scrapesInFlight = 0;
  // Node refuses connections beyond this at once (the server of a web config gets it too: same object).
  app.server.maxConnections = limits.maxConnections;

  // On every answer unless the web config sets its own: no sniffing, no framing, nothing but this origin.
  app.addHook("onSend", async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!reply.raw.hasHeader(name) && !reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });

  // Prometheus asks for gzip; tens of megabytes of exposition shrink about twentyfold.
  void app.register(compress, { global: true, threshold: 1024, encodings: ["gzip"] });

  // Routes in a plugin registered after compress, so that its onSend hook applies to them.
  void app.register(async (scope) => {
    if (deps.guard) {
      const guard = deps.guard;
      scope.addHook("onRequest", async (request, reply) => {
        // Only the health endpoints stay open, by the route matched (not by a prefix of the URL).
        if (OPEN_PATHS.has(request.routeOptions.url ?? "")) return;
        const allowed = await guard(request.headers.authorization);
        if (allowed === "busy") {
          // Too many password checks pending: answered at once rather than queued without bound.
          await reply
            .code(429)
            .header("Retry-After", "1")
            .type("text/plain")
            .send("Too many authentication attempts in progress\n");
          return;
        }
        if (!allowed) {
          await reply
            .code(401)
            .header("WWW-Authenticate", 'Basic realm="avepoint-exporter"')
            .type("text/plain")
            .send("Unauthorized\n");
        }
      });
    }

    // Before the GET route, which would otherwise get an implicit HEAD route that collects.
    scope.head(deps.telemetryPath, async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send());

    // Compressed here, once per view (compress would gzip each answer's copy on its own).
    scope.get(deps.telemetryPath, { compress: false }, async (request, reply) => {
      if (scrapesInFlight >= limits.maxScrapesInFlight)
        return reply
          .code(503)
          .header("Retry-After", "1")
          .type("text/plain")
          .send("Too many /metrics answers in progress\n");
      scrapesInFlight += 1;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        scrapesInFlight -= 1;
        clearTimeout(cut);
      };
      // A client that does not read its answer to the end by then is cut; its socket and buffers go.
      const cut = setTimeout(() => reply.raw.destroy(), limits.writeTimeoutMs);
      cut.unref();
      reply.raw.once("close", release);
      try {
        const deadline = scrapeDeadline(request.headers["x-prometheus-scrape-timeout-seconds"], deps, now());
        const view = await deps.rounds.serve(deadline);
        const own = await deps.selfRegistry.metrics();
        const body = await bodies.bodyOf(view);
        reply.type(PROMETHEUS_CONTENT_TYPE).header("Vary", "Accept-Encoding");
        // The shared buffers are streamed with back-pressure: nothing is copied per socket.
        if (acceptsGzip(request.headers["accept-encoding"]))
          return reply
            .header("Content-Encoding", "gzip")
            .send(Readable.from([await body.gzipped(), gzipSync(own)], { objectMode: false }));
        return reply.send(Readable.from([...body.plain, Buffer.from(own, "utf8")], { objectMode: false }));
      } catch (err) {
        release();
        throw err;
      }
    });

    // `?part=status` answers the part the page refreshes in place, behind the same guard as the page.
    scope.get<{ Querystring: { part?: string; refresh?: string } }>("/", async (request, reply) => {
      const options = {
        version: deps.version,
        telemetryPath: deps.telemetryPath,
        flavor: deps.flavor,
        apiUrl: deps.apiUrl,
        view: deps.rounds.view(),
        now: now() / 1000,
        redact: deps.redact ?? redactor([]),
        refreshSeconds: refreshSecondsOf(request.query.refresh),
      };
      return reply
        .type("text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .send(request.query.part === "status" ? renderLandingStatus(options) : renderLanding(options));
    });

    if (deps.reload) {
      const reload = deps.reload;
      // As Prometheus: POST or PUT; 500 with the reason when the new configuration is refused.
      scope.route({
        method: ["POST", "PUT"],
        url: "/-/reload",
        handler: async (request, reply) => {
          const refusal = crossSite(request.headers);
          if (refusal !== null) return reply.code(403).type("text/plain; charset=utf-8").send(`${refusal}\n`);
          const outcome = await reload();
          return reply
            .code(outcome.ok ? 200 : 500)
            .type("text/plain; charset=utf-8")
            .send(outcome.ok ? `${outcome.message}\n` : `failed to reload config: ${outcome.message}\n`);
        },
      });
      scope.get("/-/reload", async (_request, reply) =>
        reply
          .code(405)
          .header("Allow", "POST, PUT")
          .type("text/plain")
          .send("Only POST or PUT requests allowed\n"),
      );
    }

    // The page's style and script as files of this origin, so that it works under a strict policy.
    scope.get("/static/landing.css", async (_request, reply) =>
      reply.type("text/css; charset=utf-8").header("Cache-Control", "max-age=300").send(LANDING_CSS),
    );
    scope.get("/static/landing.js", async (_request, reply) =>
      reply.type("text/javascript; charset=utf-8").header("Cache-Control", "max-age=300").send(LANDING_JS),
    );

    scope.get("/-/healthy", async (_request, reply) => reply.type("text/plain").send("Healthy\n"));
    scope.get("/-/ready", async (_request, reply) => {
      // Ready once a round could authenticate and list customers; a round still running is no failure.
      const ready = deps.rounds.ready;
      return reply
        .code(ready ? 200 : 503)
        .type("text/plain")
        .send(ready ? "Ready\n" : "Not ready: no successful collection yet\n");
    });
  });
  return app;
};
