/**
 * How long a scrape may wait for a running round: Prometheus's X-Prometheus-Scrape-Timeout-Seconds
 * minus the offset kept back for rendering, clamped. It bounds only that scrape's answer, never the
 * round, so whatever a client sends here changes nothing another scrape sees.
 */

/** Longest any scrape waits, whatever its header says (a scrape timeout above this is not sensible). */
export const MAX_SCRAPE_WAIT_SECONDS = 120;

export interface ScrapeTimeouts {
  readonly timeoutOffsetSeconds: number;
  /** Used when the header is absent or nonsense (not a number, zero, negative, infinite). */
  readonly defaultTimeoutSeconds: number;
}

/** The time (epoch ms) by which the scrape must be answered. Never throws. */
export const scrapeDeadline = (header: unknown, timeouts: ScrapeTimeouts, now: number): number => {
  const text = Array.isArray(header) ? (header[0] as unknown) : header;
  const advertised = typeof text === "string" && text.trim() !== "" ? Number(text) : NaN;
  const timeout = Number.isFinite(advertised) && advertised > 0 ? advertised : timeouts.defaultTimeoutSeconds;
  const wait = Math.min(MAX_SCRAPE_WAIT_SECONDS, Math.max(0, timeout - timeouts.timeoutOffsetSeconds));
  return now + wait * 1000;
};
