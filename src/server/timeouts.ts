/**
 * Time limits of the HTTP server, so that clients that connect and then send nothing, half a request
 * or read nothing cannot hold sockets (and file descriptors) for ever. None of them may cut a scrape
 * that is waiting for its answer: only the idle limit runs while the answer is prepared, and it is
 * well above the longest wait.
 */
export interface ServerTimeouts {
  /** From connecting (or the previous answer) until the request's headers are complete. */
  readonly headersMs: number;
  /** Until the whole request has arrived; the answer does not count. */
  readonly requestMs: number;
  /** How long an idle keep-alive connection is kept between two requests. */
  readonly keepAliveMs: number;
  /** A socket with no traffic either way; covers an answer that takes up to a scrape timeout to start. */
  readonly idleMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  // A scraper sends its few hundred bytes of headers at once.
  headersMs: 10_000,
  // GET requests have no body; this only bounds a client that trickles one.
  requestMs: 30_000,
  // Fastify's default: above the 60 s that load balancers commonly keep idle connections open.
  keepAliveMs: 72_000,
  // Prometheus's longest sensible scrape timeout is a few minutes.
  idleMs: 600_000,
};

/**
 * The limits for a server whose scrapes without a timeout header wait up to `defaultTimeoutSeconds`:
 * the idle limit is at least twice that.
 */
export const serverTimeouts = (
  defaultTimeoutSeconds: number,
  overrides: Partial<ServerTimeouts> = {},
): ServerTimeouts => ({
  ...DEFAULT_SERVER_TIMEOUTS,
  idleMs: Math.max(DEFAULT_SERVER_TIMEOUTS.idleMs, 2 * defaultTimeoutSeconds * 1000),
  ...overrides,
});

/** Options of Node's http/https `createServer`. Node checks the header limit every `connectionsCheckingInterval`. */
export const nodeServerOptions = (timeouts: ServerTimeouts) => ({
  headersTimeout: timeouts.headersMs,
  requestTimeout: Math.max(timeouts.requestMs, timeouts.headersMs),
  keepAliveTimeout: timeouts.keepAliveMs,
  connectionsCheckingInterval: Math.min(5000, Math.max(10, Math.floor(timeouts.headersMs / 4))),
});

/**
 * Fastify options for these limits; an `https` object (from the web config) gets Node's options too,
 * since Fastify hands it to `https.createServer` as is.
 */
export const fastifyTimeoutOptions = (timeouts: ServerTimeouts, https: object | undefined) => {
  const node = nodeServerOptions(timeouts);
  return {
    connectionTimeout: timeouts.idleMs,
    requestTimeout: node.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: node,
    ...(https === undefined ? {} : { https: { ...https, ...node } }),
  };
};
