/**
 * One log line per kind of rejected answer or row: the first of each endpoint and reason is logged
 * at once, repeats within a minute are only counted and reported with the next line, so a page of
 * a thousand bad rows is one line, not a thousand.
 */
import type { ParseProblem } from "../errors.js";
import type { ApiObserver } from "./http.js";

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
  return {
    ...observer,
    parseError(endpoint: string, problem: ParseProblem, message: string): void {
      observer.parseError(endpoint, problem, message);
      const key = `${endpoint}\u0000${problem}`;
      const seen = last.get(key);
      const at = now();
      if (seen && at - seen.at < QUIET_MS) {
        seen.suppressed++;
        return;
      }
      last.set(key, { at, suppressed: 0 });
      logger.warn(
        {
          endpoint,
          reason: problem,
          err: message,
          ...(seen?.suppressed ? { repeated: seen.suppressed } : {}),
        },
        "upstream answer not used",
      );
    },
  };
};
