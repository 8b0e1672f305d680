/** The exporter's own long-lived metrics (prom-client): API traffic, retries, tokens, build info. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ApiObserver } from "../avepoint/index.js";
import type { CollectHooks } from "../collect/scheduler.js";
import { METRICS } from "./names.js";

export interface SelfMetrics {
  readonly registry: Registry;
  readonly observer: ApiObserver;
  readonly hooks: CollectHooks;
}

export const createSelfMetrics = (
  version: string,
  options: { defaultMetrics?: boolean } = {},
): SelfMetrics => {
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
  const m = METRICS;
  const requests = new Counter({
    name: m.apiRequests.name,
    help: m.apiRequests.help,
    labelNames: ["endpoint", "code"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: m.apiDuration.name,
    help: m.apiDuration.help,
    labelNames: ["endpoint"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const retries = new Counter({
    name: m.apiRetries.name,
    help: m.apiRetries.help,
    labelNames: ["endpoint", "reason"],
    registers: [registry],
  });
  const throttle = new Counter({
    name: m.apiThrottleWait.name,
    help: m.apiThrottleWait.help,
    registers: [registry],
  });
  const parse = new Counter({
    name: m.apiParseErrors.name,
    help: m.apiParseErrors.help,
    labelNames: ["endpoint"],
    registers: [registry],
  });
  const tokens = new Counter({
    name: m.tokenRequests.name,
    help: m.tokenRequests.help,
    labelNames: ["result"],
    registers: [registry],
  });
  const customerErrors = new Counter({
    name: m.customerErrors.name,
    help: m.customerErrors.help,
    labelNames: ["customer_id", "reason"],
    registers: [registry],
  });
  const build = new Gauge({
    name: m.buildInfo.name,
    help: m.buildInfo.help,
    labelNames: ["version", "node_version"],
    registers: [registry],
  });
  build.set({ version, node_version: process.version }, 1);
  tokens.inc({ result: "success" }, 0);
  tokens.inc({ result: "failure" }, 0);

  return {
    registry,
    observer: {
      request: (endpoint, code, seconds) => {
        requests.inc({ endpoint, code });
        duration.observe({ endpoint }, seconds);
      },
      retry: (endpoint, reason) => retries.inc({ endpoint, reason }),
      throttleWait: (seconds) => throttle.inc(seconds),
      parseError: (endpoint) => parse.inc({ endpoint }),
      tokenRequest: (result) => tokens.inc({ result }),
    },
    hooks: {
      collected: (snapshot) => {
        for (const result of snapshot.customers)
          if (!result.ok) customerErrors.inc({ customer_id: result.customer.id, reason: result.reason });
      },
    },
  };
};
