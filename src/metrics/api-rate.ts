/** The rate limiter's state as metrics, read when scraped: pauses and pacing in wall-clock seconds, the rate and its ceiling. */
import { Counter, Gauge, type Registry } from "prom-client";
import { METRICS } from "./names.js";

export interface RateSource {
  pausedSeconds(): number;
  pacingSeconds(): number;
  readonly rate: { readonly current: number; readonly ceiling: number };
}

/** A counter that follows a monotonic total kept elsewhere. */
const followingCounter = (
  registry: Registry,
  key: "apiThrottledSeconds" | "apiPacingSeconds",
  total: () => number,
) => {
  let counted = 0;
  new Counter({
    name: METRICS[key].name,
    help: METRICS[key].help,
    registers: [registry],
    collect() {
      const now = total();
      if (now > counted) this.inc(now - counted);
      counted = Math.max(counted, now);
    },
  });
};

export const registerRateMetrics = (registry: Registry, source: RateSource): void => {
  followingCounter(registry, "apiThrottledSeconds", () => source.pausedSeconds());
  followingCounter(registry, "apiPacingSeconds", () => source.pacingSeconds());
  new Gauge({
    name: METRICS.apiRate.name,
    help: METRICS.apiRate.help,
    registers: [registry],
    collect() {
      this.set(source.rate.current);
    },
  });
  new Gauge({
    name: METRICS.apiRateCeiling.name,
    help: METRICS.apiRateCeiling.help,
    registers: [registry],
    collect() {
      this.set(source.rate.ceiling);
    },
  });
};
