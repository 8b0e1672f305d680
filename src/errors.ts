/** The exporter's error hierarchy. Upstream failures carry a `reason` used for metrics and logs. */

export const FAILURE_REASONS = [
  "throttled",
  "timeout",
  "auth",
  "forbidden",
  "not_found",
  "http_4xx",
  "http_5xx",
  "parse",
  "network",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

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

export const reasonForStatus = (status: number): FailureReason => {
  if (status === 429) return "throttled";
  if (status === 401) return "auth";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status >= 500) return "http_5xx";
  return "http_4xx";
};

/** The reason of any error met during collection; unknown errors count as network problems. */
export const reasonOf = (err: unknown): FailureReason => {
  if (err instanceof UpstreamError) return err.reason;
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) return "timeout";
  return "network";
};
