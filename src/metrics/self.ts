/** The exporter's own long-lived metrics (prom-client): API traffic, retries, tokens, rounds, build info. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { RETRY_REASONS, TOKEN_ENDPOINT, type ApiObserver } from "../avepoint/index.js";
import type { BreakerListener } from "../collect/breaker.js";
import type { RoundListener, RoundResult } from "../collect/rounds.js";
import { FAILURE_REASONS, PARSE_PROBLEMS } from "../errors.js";
import { REJECT_REASONS } from "../state/file.js";
import { SAVE_FAILURE_REASONS, type RestoreResult, type StateObserver } from "../state/keeper.js";
import { BUILD_DATE, REVISION } from "../version.js";
import { METRICS, type MetricKey } from "./names.js";

export interface SelfMetrics {
  readonly registry: Registry;
  readonly observer: ApiObserver;
  /** Counts customer failures and rounds; forgets the error series of customers gone upstream. */
  readonly rounds: RoundListener;
  /** The circuit breaker's state (avepoint_collect_circuit_open). */
  readonly breaker: BreakerListener;
  /** The kept state's saves and restore. */
  readonly state: StateObserver;
  /**
   * A reload of the configuration applied or refused. `source` tells reloads apart (the config
   * file, the web config): the metric is 1 only while the latest reload of each was applied.
   */
  reloaded(source: string, ok: boolean, at?: number): void;
}

export interface SelfMetricsOptions {
  /** prom-client's process and Node.js metrics (default on). */
  readonly defaultMetrics?: boolean;
  /**
   * The API endpoint templates the flavor calls (avepoint's `apiEndpoints`): their counters by
   * endpoint start at 0, so that rate() and increase() see the first event.
   */
  readonly endpoints?: readonly string[];
}

export const createSelfMetrics = (version: string, options: SelfMetricsOptions = {}): SelfMetrics => {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // Duplicates of nodejs_active_{handles,requests,resources} that promtool rejects (gauges named _total).
    for (const name of [
      "nodejs_active_handles_total",
      "nodejs_active_requests_total",
      "nodejs_active_resources_total",
    ])
      registry.removeSingleMetric(name);
  }
  const counter = <L extends string>(key: MetricKey, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: METRICS[key].name, help: METRICS[key].help, labelNames, registers: [registry] });
  const gauge = <L extends string>(key: MetricKey, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: METRICS[key].name, help: METRICS[key].help, labelNames, registers: [registry] });

  const requests = counter("apiRequests", ["endpoint", "code"]);
  const duration = new Histogram({
    name: METRICS.apiDuration.name,
    help: METRICS.apiDuration.help,
    labelNames: ["endpoint"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const retries = counter("apiRetries", ["endpoint", "reason"]);
  const throttled = counter("apiThrottled", ["endpoint"]);
  const parse = counter("apiParseErrors", ["endpoint", "reason"]);
  const tokens = counter("tokenRequests", ["result"]);
  const reportRead = counter("apiReportReadBytes", ["endpoint"]);
  const reportSkipped = counter("apiReportSkippedBytes", ["endpoint"]);
  const customerErrors = counter("customerErrors", ["customer_id", "reason"]);
  const collectErrors = counter("collectErrors", ["reason"]);
  const roundsTotal = counter("roundsTotal", ["result"]);
  // Every known label value from 0 (never per customer: that would be reasons × customers of zeros).
  for (const result of ["complete", "cut", "halted", "listing_failed"] satisfies RoundResult[])
    roundsTotal.inc({ result }, 0);
  for (const reason of FAILURE_REASONS) collectErrors.inc({ reason }, 0);
  const endpoints = options.endpoints ?? [];
  for (const endpoint of [...endpoints, TOKEN_ENDPOINT]) {
    throttled.inc({ endpoint }, 0);
    // A 401 is retried with a new token on API requests only.
    for (const reason of RETRY_REASONS)
      if (endpoint !== TOKEN_ENDPOINT || reason !== "401") retries.inc({ endpoint, reason }, 0);
  }
  for (const endpoint of endpoints) for (const reason of PARSE_PROBLEMS) parse.inc({ endpoint, reason }, 0);
  gauge("buildInfo", ["version", "revision", "build_date", "node_version"]).set(
    { version, revision: REVISION, build_date: BUILD_DATE, node_version: process.version },
    1,
  );
  const roundFailed = gauge("roundCustomersFailed", ["reason"]);
  // Every reason from the start: 0 is an answer, an absent series is not (rules and dashboards).
  for (const reason of FAILURE_REASONS) roundFailed.set({ reason }, 0);
  const circuitOpen = gauge("circuitOpen");
  circuitOpen.set(0);
  const reloadSuccess = gauge("configReloadSuccess");
  const reloadTimestamp = gauge("configReloadTimestamp");
  // Loaded at start: that counts as the last successful load.
  reloadSuccess.set(1);
  reloadTimestamp.set(Date.now() / 1000);
  const lastSave = gauge("stateLastSave");
  const saveDuration = gauge("stateSaveDuration");
  const stateSize = gauge("stateSize");
  const saveFailures = counter("stateSaveFailures", ["reason"]);
  for (const reason of SAVE_FAILURE_REASONS) saveFailures.inc({ reason }, 0);
  const restoredCustomers = gauge("stateRestoredCustomers");
  const restoreResult = gauge("stateRestoreResult", ["result"]);
  const restoreResults: readonly RestoreResult[] = ["restored", "missing", "disabled", ...REJECT_REASONS];
  const failing = new Set<string>();
  tokens.inc({ result: "success" }, 0);
  tokens.inc({ result: "failure" }, 0);

  return {
    registry,
    reloaded: (source, ok, at = Date.now()) => {
      if (ok) {
        failing.delete(source);
        reloadTimestamp.set(at / 1000);
      } else failing.add(source);
      reloadSuccess.set(failing.size === 0 ? 1 : 0);
    },
    state: {
      restored: (result, customers) => {
        for (const r of restoreResults) restoreResult.set({ result: r }, r === result ? 1 : 0);
        restoredCustomers.set(customers);
      },
      saved: (at, seconds, bytes) => {
        lastSave.set(at);
        saveDuration.set(seconds);
        stateSize.set(bytes);
      },
      saveFailed: (reason) => saveFailures.inc({ reason }),
    },
    observer: {
      request: (endpoint, code, seconds) => {
        requests.inc({ endpoint, code });
        duration.observe({ endpoint }, seconds);
      },
      retry: (endpoint, reason) => retries.inc({ endpoint, reason }),
      throttled: (endpoint) => throttled.inc({ endpoint }),
      // Logged by the composition root; the metric is the pause itself (avepoint_api_throttled_seconds_total).
      retryAfterCapped: () => {},
      parseError: (endpoint, reason) => parse.inc({ endpoint, reason }),
      tokenRequest: (result) => tokens.inc({ result }),
      bodyRead: (endpoint, readBytes, skippedBytes) => {
        reportRead.inc({ endpoint }, readBytes);
        reportSkipped.inc({ endpoint }, skippedBytes);
      },
    },
    breaker: { changed: (open) => circuitOpen.set(open === null ? 0 : 1) },
    rounds: {
      // Zeroed, not removed, at a round's start: a series that vanished would go stale in Prometheus.
      roundStarted: () => {
        for (const reason of FAILURE_REASONS) roundFailed.set({ reason }, 0);
      },
      customerDone: (result) => {
        if (result.ok) return;
        customerErrors.inc({ customer_id: result.customer.id, reason: result.reason });
        collectErrors.inc({ reason: result.reason });
        roundFailed.inc({ reason: result.reason });
      },
      customersGone: (ids) => {
        for (const customer_id of ids)
          for (const reason of FAILURE_REASONS) customerErrors.remove({ customer_id, reason });
      },
      roundEnded: (summary) => roundsTotal.inc({ result: summary.result }),
    },
  };
};
