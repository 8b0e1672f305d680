/** Hooks for the exporter's own metrics and logs, called by the API client; it knows nothing of Prometheus. */
import type { ParseProblem } from "../errors.js";
import type { RetryReason } from "./retry.js";

export interface ApiObserver {
  request(endpoint: string, code: string, seconds: number): void;
  retry(endpoint: string, reason: RetryReason): void;
  /** AvePoint refused a request (429, or 503 with Retry-After). */
  throttled(endpoint: string): void;
  /** A Retry-After beyond --avepoint.max-retry-after was cut down to it. */
  retryAfterCapped(endpoint: string, askedSeconds: number, cappedSeconds: number): void;
  /** An answer or a row not used, with why (`ParseProblem`) and a message for the log. */
  parseError(endpoint: string, problem: ParseProblem, message: string): void;
  tokenRequest(result: "success" | "failure"): void;
  /** An answer read as a stream (daily report): decoded bytes read, and of those the ones skipped. */
  bodyRead(endpoint: string, readBytes: number, skippedBytes: number): void;
}

export const nullObserver: ApiObserver = {
  request: () => {},
  retry: () => {},
  throttled: () => {},
  retryAfterCapped: () => {},
  parseError: () => {},
  tokenRequest: () => {},
  bodyRead: () => {},
};
