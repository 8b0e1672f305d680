/** Request counters of the simulator. */
import type { SimStats } from "./types.js";

const increment = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

export class StatsRecorder {
  apiRequests = 0;
  tokenRequests = 0;
  inFlight = 0;
  maxInFlight = 0;
  served = 0;
  throttled = 0;
  rateLimited = 0;
  #byEndpoint = new Map<string, number>();
  #byStatus = new Map<string, number>();
  #servedByEndpoint = new Map<string, number>();
  #throttledByEndpoint = new Map<string, number>();

  /** Counts an arriving API request; call `finish` once its response is closed. */
  start(endpoint: string): void {
    this.apiRequests += 1;
    increment(this.#byEndpoint, endpoint);
    this.inFlight += 1;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  /** Counts the answer of an API request once it is written. */
  answered(endpoint: string, status: number): void {
    increment(this.#byStatus, String(status));
    if (status >= 200 && status < 300) {
      this.served += 1;
      increment(this.#servedByEndpoint, endpoint);
    } else if (status === 429) {
      this.throttled += 1;
      increment(this.#throttledByEndpoint, endpoint);
    }
  }

  finish(): void {
    this.inFlight -= 1;
  }

  snapshot(usedJti: number): SimStats {
    return {
      apiRequests: this.apiRequests,
      tokenRequests: this.tokenRequests,
      byEndpoint: Object.fromEntries(this.#byEndpoint),
      served: this.served,
      throttled: this.throttled,
      rateLimited: this.rateLimited,
      byStatus: Object.fromEntries(this.#byStatus),
      servedByEndpoint: Object.fromEntries(this.#servedByEndpoint),
      throttledByEndpoint: Object.fromEntries(this.#throttledByEndpoint),
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      usedJti,
    };
  }

  /** Zeroes the counters; requests still open stay counted in inFlight. */
  reset(): void {
    this.apiRequests = 0;
    this.tokenRequests = 0;
    this.maxInFlight = this.inFlight;
    this.served = 0;
    this.throttled = 0;
    this.rateLimited = 0;
    this.#byEndpoint = new Map();
    this.#byStatus = new Map();
    this.#servedByEndpoint = new Map();
    this.#throttledByEndpoint = new Map();
  }
}
