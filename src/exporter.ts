/**
 * Assembles an exporter from a validated configuration: AvePoint client stack, collection rounds
 * (with their listeners: the log and the exporter's own metrics), own metrics and the Fastify app.
 * main.ts, the tests and the benchmarks all build it this way.
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { credentialsChanged } from "./config/changes.js";
import { Secrets, secretsOf } from "./config/secrets.js";
import { apiEndpoints, createAvePointApi } from "./avepoint/index.js";
import { withProblemLog } from "./avepoint/problem-log.js";
import { registerRateMetrics } from "./metrics/api-rate.js";
import { DEFAULT_BREAKER_THRESHOLD, UpstreamBreaker } from "./collect/breaker.js";
import { breakerLog, roundLog, type RoundLogger } from "./collect/round-log.js";
import { Rounds, type RoundsSnapshot } from "./collect/rounds.js";
import { selectCustomers, type CustomerSelection } from "./collect/select.js";
import type { Config } from "./config/config.js";
import { createSelfMetrics, type SelfMetrics } from "./metrics/self.js";
import { buildApp, type ReloadOutcome } from "./server/app.js";
import type { WebConfig } from "./web-config/web-config.js";
import { identityOf } from "./state/identity.js";
import { StateKeeper, type RestoreResult } from "./state/keeper.js";

export interface Exporter {
  readonly app: FastifyInstance;
  readonly rounds: Rounds;
  readonly self: SelfMetrics;
  /** The kept state (--storage.path); null when off. */
  readonly state: StateKeeper | null;
  /** What the restore at start did. */
  readonly restored: RestoreResult;
  /**
   * Applies what a reload may change while running: the customer selection (from the next round's
   * listing on) and the credentials (from the next token). Rounds, data and the learned rate stay.
   * @throws Error when a certificate's private key cannot be read; nothing is changed then.
   */
  reconfigure(next: Config): void;
  /**
   * What `reconfigure(next)` could fail on, checked without applying anything.
   * @throws Error when a new certificate's private key cannot be read.
   */
  checkReconfigure(next: Config): void;
  /** Stops collecting, saves the state a last time, closes the server and the idle upstream connections. */
  close(): Promise<void>;
}

export interface ExporterOptions {
  readonly version: string;
  readonly logger?: FastifyBaseLogger & RoundLogger;
  readonly web?: WebConfig | null;
  /** prom-client's process and Node.js metrics (default on). */
  readonly defaultMetrics?: boolean;
  /** What POST /-/reload does (reload.ts); without it the route answers 404. */
  readonly reload?: () => Promise<ReloadOutcome>;
  /**
   * Lock and restore the kept state at --storage.path (default true); false for --config.check,
   * which must neither lock nor read it.
   */
  readonly state?: boolean;
  /**
   * The process's one holder of secrets, shared with its logger; the exporter adds the credentials of
   * each reload to it. Default: a holder of the configuration's own.
   */
  readonly secrets?: Secrets;
  /** The clock of rounds, freshness, scrape deadlines and the kept state (ms since the epoch); tests move it. */
  readonly now?: () => number;
}

/**
 * @throws Error when a certificate's private key cannot be read (wrong password, bad PEM);
 * StateLockError when another live exporter holds --storage.path.
 */
export const createExporter = (initial: Config, options: ExporterOptions): Exporter => {
  let config = initial;
  const self = createSelfMetrics(options.version, {
    defaultMetrics: options.defaultMetrics ?? true,
    endpoints: apiEndpoints(config.avepoint),
  });
  const { api, transport, tokens } = createAvePointApi(
    config.avepoint,
    options.logger
      ? withProblemLog(self.observer, options.logger.child({ component: "api" }))
      : self.observer,
    `avepoint-exporter/${options.version}`,
  );
  registerRateMetrics(self.registry, transport.limiter);
  const selectionOf = (c: Config) =>
    selectCustomers({
      include: c.collect.customers,
      exclude: c.collect.excludeCustomers,
      shardIndex: c.shard.index,
      shardTotal: c.shard.total,
    });
  // Read through on every use, so that a reload's selection applies without a new Rounds.
  let current = selectionOf(config);
  const selection: CustomerSelection = {
    accept: (customer) => current.accept(customer),
    takeUnmatched: () => current.takeUnmatched(),
  };
  const collectorLog = options.logger?.child({ component: "collector" });
  const breakerLogger = collectorLog ? breakerLog(collectorLog) : {};
  const breaker = new UpstreamBreaker(DEFAULT_BREAKER_THRESHOLD, {
    changed: (open, consecutive) => {
      self.breaker.changed?.(open, consecutive);
      breakerLogger.changed?.(open, consecutive);
    },
    halted: (reason, consecutive) => breakerLogger.halted?.(reason, consecutive),
  });
  const keeper: StateKeeper | null =
    config.storage.path === null || options.state === false
      ? null
      : new StateKeeper({
          dir: config.storage.path,
          identity: identityOf(config),
          saveIntervalSeconds: config.storage.saveIntervalSeconds,
          rounds: {
            snapshot: (): RoundsSnapshot => rounds.snapshot(),
            restore: (kept) => rounds.restore(kept),
          },
          rate: transport.limiter.rate,
          // A fresh selection: the restore is no listing, and must not count as one for its warnings.
          accept: selectionOf(config).accept,
          observer: self.state,
          ...(options.now ? { now: options.now } : {}),
          ...(options.logger ? { logger: options.logger.child({ component: "state" }) } : {}),
        });
  const rounds: Rounds = new Rounds(api, {
    minIntervalSeconds: config.collect.minIntervalSeconds,
    maxStaleSeconds: config.collect.maxStaleSeconds,
    maxRoundSeconds: config.collect.maxRoundSeconds,
    parallelism: config.avepoint.concurrency * 4,
    accept: selection.accept,
    breaker,
    ...(options.now ? { now: options.now } : {}),
    listeners: [
      self.rounds,
      ...(keeper ? [keeper.listener] : []),
      ...(collectorLog ? [roundLog(collectorLog, selection)] : []),
    ],
  });
  // Before the app exists: the first scrape is served the restored fleet.
  let restored: RestoreResult = "disabled";
  if (keeper === null) self.state.restored("disabled", 0);
  else restored = keeper.open();
  const web = options.web ?? null;
  // What reaches the landing page is scrubbed of the credentials, the rotated ones included: an
  // identity service or API that echoes them must not put them on `/`.
  const secrets = options.secrets ?? new Secrets();
  secrets.add(secretsOf(config.avepoint.credentials, config.avepoint.clientId));
  const app = buildApp({
    rounds,
    redact: secrets.redact,
    selfRegistry: self.registry,
    version: options.version,
    telemetryPath: config.web.telemetryPath,
    flavor: config.avepoint.flavor,
    apiUrl: config.avepoint.apiUrl,
    timeoutOffsetSeconds: config.collect.timeoutOffsetSeconds,
    defaultTimeoutSeconds: config.collect.defaultTimeoutSeconds,
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(web ? { serverOptions: web.serverOptions, ...(web.guard ? { guard: web.guard } : {}) } : {}),
    ...(options.reload ? { reload: options.reload } : {}),
  });
  return {
    app,
    rounds,
    self,
    state: keeper,
    restored,
    checkReconfigure: (next) => {
      if (credentialsChanged(config, next)) tokens.checkCredentials(next.avepoint.credentials);
    },
    reconfigure: (next) => {
      if (credentialsChanged(config, next)) {
        tokens.setCredentials(next.avepoint.credentials);
        secrets.add(secretsOf(next.avepoint.credentials, next.avepoint.clientId));
      }
      current = selectionOf(next);
      keeper?.setIdentity(identityOf(next));
      config = next;
    },
    close: async () => {
      rounds.stop();
      await keeper?.close();
      await app.close();
      transport.close();
    },
  };
};
