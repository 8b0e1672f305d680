/**
 * One log line per kind of rejected answer or row, and per capped Retry-After: the first of each
 * endpoint and reason is logged at once, repeats within a minute are only counted and reported with
 * the next line, so a page of a thousand bad rows is one line, not a thousand.
 */
import type { ParseProblem } from "../errors.js";
import type { ApiObserver } from "./observer.js";

export interface ProblemLogger {
  warn(obj: object, msg: string): void;
}

const QUIET_MS = 60_000;

/** `observer` with its parse-error hook also writing to `logger`. */
export const withProblemLog = (
  observer: ApiObserver,
  logger: ProblemLogger,
  now: () => number = Date.now,
): ApiObserver => {
  const last = new Map<string, { at: number; suppressed: number }>();
  /** The number of repeats held back since the last line, or null when this one is held back too. */
  const due = (key: string): number | null => {
    const seen = last.get(key);
    const at = now();
    if (seen && at - seen.at < QUIET_MS) {
      seen.suppressed++;
      return null;
    }
    last.set(key, { at, suppressed: 0 });
    return seen?.suppressed ?? 0;
  };
  return {
    ...observer,
    parseError(endpoint: string, problem: ParseProblem, message: string): void {
      observer.parseError(endpoint, problem, message);
      const repeated = due(`${endpoint}\u0000${problem}`);
      if (repeated === null) return;
      logger.warn(
        { endpoint, reason: problem, err: message, ...(repeated ? { repeated } : {}) },
        "upstream answer not used",
      );
    },
    retryAfterCapped(endpoint: string, askedSeconds: number, cappedSeconds: number): void {
      observer.retryAfterCapped(endpoint, askedSeconds, cappedSeconds);
      const repeated = due(`${endpoint}\u0000retry-after`);
      if (repeated === null) return;
      logger.warn(
        {
          endpoint,
          retry_after_seconds: askedSeconds,
          paused_seconds: cappedSeconds,
          ...(repeated ? { repeated } : {}),
        },
        "Retry-After beyond --avepoint.max-retry-after; pausing for the cap instead",
      );
    },
  };
};
