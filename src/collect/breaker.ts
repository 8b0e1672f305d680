/**
 * The round's circuit breaker: when AvePoint fails for everyone, a round stops asking. After
 * `threshold` consecutive customers fail for the same upstream-wide reason (a 5xx, a timeout, a
 * network error, a throttle that outlasted the retries, a refused token), the rest of the round is
 * not attempted: those customers count as not reached and keep their previous data and result, so
 * that an outage neither hammers an API that is down nor turns every customer into a failure.
 *
 * The breaker then stays open across rounds until a customer is collected again: while it is open,
 * the first such failure of a round ends that round (a probe of the customers already in flight, not
 * a full round). A failure that belongs to one customer (forbidden, not found, a malformed answer)
 * neither counts nor resets the streak.
 */
import type { FailureReason } from "../errors.js";
import type { CustomerResult } from "./view.js";

/** Reasons that say something about AvePoint (or the way to it), not about one customer. */
export const UPSTREAM_WIDE_REASONS: ReadonlySet<FailureReason> = new Set<FailureReason>([
  "http_5xx",
  "timeout",
  "network",
  "tls",
  "throttled",
  "auth",
]);

/**
 * Ten consecutive failures: twice the five customers the rules ask for before they call a round's
 * failures an outage (prometheus/rules, avepoint:upstream_outage), and few enough that a fleet of
 * thousands stops within the first seconds of an outage.
 */
export const DEFAULT_BREAKER_THRESHOLD = 10;

export interface BreakerListener {
  /** The breaker opened (`reason`) or closed again (null), with the streak that opened it. */
  changed?(open: FailureReason | null, consecutive: number): void;
  /** A round stops early because the breaker is open. */
  halted?(reason: FailureReason, consecutive: number): void;
}

export class UpstreamBreaker {
  private streak: { reason: FailureReason; count: number } | null = null;
  private openReason: FailureReason | null = null;
  private haltedThisRound = false;

  constructor(
    private readonly threshold: number = DEFAULT_BREAKER_THRESHOLD,
    private readonly listener: BreakerListener = {},
  ) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError("threshold must be >= 1");
  }

  /** The reason the breaker is open for, or null while it is closed. */
  get open(): FailureReason | null {
    return this.openReason;
  }

  /** Records one customer's result; true when the rest of the round is not to be attempted. */
  record(result: CustomerResult): boolean {
    if (result.ok) {
      this.streak = null;
      if (this.openReason !== null) {
        this.openReason = null;
        this.listener.changed?.(null, 0);
      }
      return false;
    }
    if (!UPSTREAM_WIDE_REASONS.has(result.reason)) return false;
    const count = this.streak?.reason === result.reason ? this.streak.count + 1 : 1;
    this.streak = { reason: result.reason, count };
    const needed = this.openReason === result.reason ? 1 : this.threshold;
    if (count < needed) return false;
    if (this.openReason !== result.reason) {
      this.openReason = result.reason;
      this.listener.changed?.(result.reason, count);
    }
    if (!this.haltedThisRound) this.listener.halted?.(result.reason, count);
    this.haltedThisRound = true;
    return true;
  }

  /** A new round starts: the streak is per round, the open state is not. */
  roundStarted(): void {
    this.streak = null;
    this.haltedThisRound = false;
  }
}
