/** buildApp(deps) → Fastify instance: /metrics, the landing page, health and readiness. Never listens. */
import { Readable } from "node:stream";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import compress from "@fastify/compress";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from "fastify";
import type { Registry } from "prom-client";
import type { Rounds } from "../collect/rounds.js";
import type { View } from "../collect/view.js";
import { renderChunks } from "../metrics/render.js";
import { redactor } from "../config/secrets.js";
import { refreshSecondsOf, renderLanding, renderLandingStatus } from "./landing.js";
import type { GuardResult } from "./basic-auth.js";
import { OPEN_PATHS } from "./open-paths.js";
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
  /** Cleans upstream error texts of known secrets on the landing page (shape-based cleaning always applies). */
  readonly redact?: (text: string) => string;
  /** POST /-/reload: reads the configuration again (behind the same basic auth as the metrics). */
  readonly reload?: () => Promise<ReloadOutcome>;
}

/** A reload applied, or refused with one line (the running configuration stays). */
export interface ReloadOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Streams the collected series chunk by chunk, yielding to the event loop between chunks. */
async function* exposition(view: View, own: string): AsyncGenerator<string> {
  for (const chunk of renderChunks(view)) {
    if (chunk !== "") yield chunk;
    await yieldToEventLoop();
  }
  yield own;
}

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

    scope.get(deps.telemetryPath, async (request, reply) => {
      const deadline = scrapeDeadline(request.headers["x-prometheus-scrape-timeout-seconds"], deps, now());
      const view = await deps.rounds.serve(deadline);
      const own = await deps.selfRegistry.metrics();
      return reply
        .type(PROMETHEUS_CONTENT_TYPE)
        .send(Readable.from(exposition(view, own), { objectMode: false }));
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
        handler: async (_request, reply) => {
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
