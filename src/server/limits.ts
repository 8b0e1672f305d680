/**
 * Bounds that keep slow or idle clients from holding memory and sockets: answers to /metrics in
 * progress, the time an answer may take to be read, and open connections.
 */
export interface AnswerLimits {
  /** /metrics answers in progress (waiting for a round or being written); beyond it a fast 503. */
  readonly maxScrapesInFlight: number;
  /** An answer not read to its end by then is cut (a client that does not read holds nothing longer). */
  readonly writeTimeoutMs: number;
  /** Open connections; Node closes further ones at once. */
  readonly maxConnections: number;
}

export const DEFAULT_ANSWER_LIMITS: AnswerLimits = {
  // Two Prometheus servers of an HA pair, a few ad-hoc readers, and room for retries.
  maxScrapesInFlight: 16,
  // As long as a scrape may wait plus two minutes to read tens of megabytes.
  writeTimeoutMs: 120_000,
  // Far above any number of scrapers and probes; far below a default file-descriptor limit of 65,536.
  maxConnections: 4096,
};

/** The limits for a server whose scrapes wait up to `defaultTimeoutSeconds`, with overrides. */
export const answerLimits = (
  defaultTimeoutSeconds: number,
  overrides: Partial<AnswerLimits> = {},
): AnswerLimits => ({
  ...DEFAULT_ANSWER_LIMITS,
  writeTimeoutMs: DEFAULT_ANSWER_LIMITS.writeTimeoutMs + defaultTimeoutSeconds * 1000,
  ...overrides,
});

/** Whether an Accept-Encoding header asks for gzip (and does not refuse it with q=0). */
export const acceptsGzip = (header: string | string[] | undefined): boolean => {
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  return text
    .toLowerCase()
    .split(",")
    .some((part) => {
      const [coding, ...params] = part.trim().split(";");
      if (coding?.trim() !== "gzip" && coding?.trim() !== "*") return false;
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return q === undefined || Number(q.slice(2)) > 0;
    });
};
