/**
 * One limiter for every request to AvePoint, token requests included: a token bucket for the
 * rate plus a global pause that a 429 sets for everybody, not only for the request that got it.
 */
import { DeadlineError, sleep, systemClock, type CallContext, type Clock } from "./timing.js";

export class RateLimiter {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;

  /**
   * @param ratePerSecond steady rate; the bucket holds one second's worth (at least one request).
   * @param onWait called with the seconds actually spent waiting (for the throttle-wait counter).
   */
  constructor(
    private readonly ratePerSecond: number,
    private readonly onWait: (seconds: number) => void = () => {},
    private readonly clock: Clock = systemClock,
  ) {
    this.capacity = Math.max(1, ratePerSecond);
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
  }

  private readonly capacity: number;

  /** Pause every request until `until` (epoch ms); a later pause wins over an earlier one. */
  pause(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    // Restart gently: no saved-up burst when the pause ends; one request then, the rest at the rate.
    this.tokens = Math.min(this.tokens, 1);
    this.updatedAt = Math.max(this.updatedAt, until);
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /**
   * Waits for the global pause and a rate token.
   * @throws DeadlineError at once if the wait would end past the deadline (no sleep is wasted).
   */
  async acquire(ctx: CallContext): Promise<void> {
    const start = this.clock.now();
    // Reserve a token now (the bucket may go negative): waiters are served in arrival order,
    // spaced at the rate from the end of any pause.
    const from = Math.max(start, this.pausedUntil);
    this.refill(from);
    this.tokens -= 1;
    const rateWait = this.tokens < 0 ? (-this.tokens / this.ratePerSecond) * 1000 : 0;
    const readyAt = from + rateWait;
    if (readyAt > ctx.deadline) {
      this.tokens += 1;
      throw new DeadlineError("rate limit wait would pass the deadline");
    }
    if (readyAt > start) {
      try {
        await sleep(readyAt - start, ctx.signal);
      } catch (err) {
        this.tokens += 1;
        throw err;
      } finally {
        this.onWait((this.clock.now() - start) / 1000);
      }
      // A 429 elsewhere may have extended the pause while we slept.
      if (this.pausedUntil > this.clock.now()) {
        this.tokens += 1;
        return this.acquire(ctx);
      }
    }
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    const elapsed = (now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
    this.updatedAt = now;
  }
}
