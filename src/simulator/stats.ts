/** Request counters of the simulator. */
import type { SimStats } from "./types.js";

export class StatsRecorder {
  apiRequests = 0;
  tokenRequests = 0;
  inFlight = 0;
  maxInFlight = 0;
  #byEndpoint = new Map<string, number>();

  /** Counts an arriving API request; call `finish` once its response is closed. */
  start(endpoint: string): void {
    this.apiRequests += 1;
    this.#byEndpoint.set(endpoint, (this.#byEndpoint.get(endpoint) ?? 0) + 1);
    this.inFlight += 1;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  finish(): void {
    this.inFlight -= 1;
  }

  snapshot(usedJti: number): SimStats {
    return {
      apiRequests: this.apiRequests,
      tokenRequests: this.tokenRequests,
      byEndpoint: Object.fromEntries(this.#byEndpoint),
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
    this.#byEndpoint = new Map();
  }
}
