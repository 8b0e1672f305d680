/** The exporter's error hierarchy. Upstream failures carry a `reason` used for metrics and logs. */

export const FAILURE_REASONS = [
  "throttled",
  "timeout",
  "auth",
  "forbidden",
  "not_found",
  "http_4xx",
  "http_3xx",
  "http_5xx",
  "parse",
  "network",
  "tls",
  "too_large",
  "paging",
  "unsafe_link",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Why an answer, or a part of one, was not used (the `reason` of avepoint_api_parse_errors_total):
 * `body` not JSON or not the flavor's schema, `record` a malformed row skipped, `duplicate` a row
 * whose ID was already seen, `unsafe_link` a next link off the API's origin, `paging` pages past what the
 * list promised or past the cap, `too_large` an answer over --avepoint.max-response-size.
 */
export const PARSE_PROBLEMS = ["body", "record", "duplicate", "unsafe_link", "paging", "too_large"] as const;
export type ParseProblem = (typeof PARSE_PROBLEMS)[number];

export class ExporterError extends Error {
  override name = "ExporterError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A setting is missing or invalid; the message names the setting and is meant for a human. */
export class ConfigError extends ExporterError {
  override name = "ConfigError";
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`${setting}: ${problem}`);
  }
}

/**
 * The round's bound, not AvePoint, ended this: a wait for the rate or a Retry-After pause would have
 * ended past the round's deadline, or the round's signal aborted a wait. Not an UpstreamError: the
 * customer was not reached. Thrown by the rate limiter's wait and by every sleep, never re-wrapped.
 */
export class DeadlineError extends ExporterError {
  override name = "DeadlineError";
  /** @param reason what the request met last: throttled while an upstream pause held it, else timeout. */
  constructor(
    message = "deadline reached",
    readonly reason: "timeout" | "throttled" = "timeout",
  ) {
    super(message);
  }
}

/** Any failure talking to AvePoint; `reason` classifies it for metrics. */
export class UpstreamError extends ExporterError {
  override name = "UpstreamError";
  constructor(
    message: string,
    readonly reason: FailureReason,
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** AvePoint answered with a non-success HTTP status. */
export class UpstreamHttpError extends UpstreamError {
  override name = "UpstreamHttpError";
  constructor(
    readonly status: number,
    endpoint: string,
    detail = "",
  ) {
    super(
      `${endpoint} answered HTTP ${status}${detail ? `: ${detail}` : ""}`,
      reasonForStatus(status),
      endpoint,
    );
  }
}

/** The identity service refused to issue a token (bad credentials, scope) or could not be reached. */
export class AuthError extends UpstreamError {
  override name = "AuthError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "auth", "token", options);
  }
}

/** An answer could not be read as the flavor's schema. */
export class ParseError extends UpstreamError {
  override name = "ParseError";
  constructor(message: string, endpoint: string) {
    super(message, "parse", endpoint);
  }
}

/**
 * The upstream broke a limit this exporter sets on what it accepts: an answer too large, a list
 * paging past its promise or the cap, a next link to another origin. `problem` is its parse-error reason.
 */
export class UpstreamLimitError extends UpstreamError {
  override name = "UpstreamLimitError";
  constructor(message: string, reason: "too_large" | "paging" | "unsafe_link", endpoint: string) {
    super(message, reason, endpoint);
  }

  get problem(): ParseProblem {
    return this.reason as ParseProblem;
  }
}

export const reasonForStatus = (status: number): FailureReason => {
  if (status === 429) return "throttled";
  if (status === 401) return "auth";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status >= 500) return "http_5xx";
  if (status >= 300 && status < 400) return "http_3xx";
  return "http_4xx";
};

/**
 * The reason of any error met during collection; unknown errors count as network problems. `network`
 * is a name lookup, connection or reset failure; `tls` a handshake or certificate failure.
 */
export const reasonOf = (err: unknown): FailureReason => {
  if (isUpstreamError(err) || isDeadlineError(err)) return err.reason;
  if (err instanceof Error && err.name === "AbortError") return "timeout";
  return "network";
};

/*
 * Type guards, one per class (as ky has them): true for that class and its subclasses. Callers test
 * errors with these rather than with `instanceof` or names.
 */
export const isConfigError = (err: unknown): err is ConfigError => err instanceof ConfigError;
export const isDeadlineError = (err: unknown): err is DeadlineError => err instanceof DeadlineError;
export const isUpstreamError = (err: unknown): err is UpstreamError => err instanceof UpstreamError;
export const isUpstreamHttpError = (err: unknown, status?: number): err is UpstreamHttpError =>
  err instanceof UpstreamHttpError && (status === undefined || err.status === status);
export const isAuthError = (err: unknown): err is AuthError => err instanceof AuthError;
export const isParseError = (err: unknown): err is ParseError => err instanceof ParseError;
export const isUpstreamLimitError = (err: unknown): err is UpstreamLimitError =>
  err instanceof UpstreamLimitError;
