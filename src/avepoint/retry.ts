/** The retry policy: what is retried, how long to wait, and Retry-After in both of its forms. */
import type { Clock } from "./call-context.js";

export const RETRY_REASONS = ["429", "5xx", "timeout", "network", "401"] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

/**
 * Why the transport may send a failed attempt again; null when it must not (3xx, 400, 403, 404, ...).
 * A 401 is null here too: a new token is the client's business (ApiClient.json), not a wait; a 429 never
 * comes here: the transport takes it as a refusal that pauses every request.
 */
export const retryReasonForStatus = (status: number): RetryReason | null => {
  if (status >= 500) return "5xx";
  return null;
};

export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 8_000;

/** Full-jitter exponential backoff: uniform in [0, min(cap, base·2^attempt)], attempt counted from 0. */
export const backoffDelayMs = (attempt: number, random: () => number = Math.random): number =>
  Math.round(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));

/**
 * `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; null when absent or
 * unreadable (the caller then backs off as usual).
 */
export const parseRetryAfterMs = (header: unknown, clock: Clock): number | null => {
  if (typeof header !== "string" || header.trim() === "") return null;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - clock.now()) : null;
};
