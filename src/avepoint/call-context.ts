/** Clock and waits that respect an abort signal and a deadline. Injected so tests can use fake timers. */
import { DeadlineError } from "../errors.js";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** What every upstream call carries: the collection's abort signal and its deadline (epoch ms). */
export interface CallContext {
  readonly signal: AbortSignal;
  readonly deadline: number;
}

/**
 * Resolves after `ms`; rejects at once when the signal aborts, with the DeadlineError `aborted`
 * makes (the caller says which request the bound ended and how).
 */
export const sleep = (
  ms: number,
  signal: AbortSignal,
  aborted: () => DeadlineError = () => new DeadlineError("aborted"),
): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
