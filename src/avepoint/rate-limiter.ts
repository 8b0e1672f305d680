/**
 * One limiter for every request to AvePoint, token requests included: a token bucket at the
 * adaptive rate plus a global pause that a 429 sets for everybody, not only for the request that
 * got it. It keeps two clocks apart: wall-clock seconds under an upstream pause (AvePoint's refusal)
 * and wall-clock seconds during which requests waited for the exporter's own pacing.
 */
import type { AdaptiveRate } from "./adaptive-rate.js";
import { DeadlineError } from "../errors.js";
import { sleep, systemClock, type CallContext, type Clock } from "./call-context.js";

export class RateLimiter {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private pauseBegin = 0;
  private pausedMsBefore = 0;
  private waiting = 0;
  private pacingSince = 0;
  private pacingMsBefore = 0;

  /** @param rate the adaptive rate to follow (requests per second). */
  constructor(
    readonly rate: AdaptiveRate,
    private readonly clock: Clock = systemClock,
  ) {
    // The bucket holds one second's worth at the ceiling (at least one request).
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
  }

  private get capacity(): number {
    return Math.max(1, this.rate.current);
  }

  /** Pause every request until `until` (epoch ms); a later pause wins over an earlier one. */
  pause(until: number): void {
    if (until <= this.pausedUntil) return;
    const now = this.clock.now();
    if (now >= this.pausedUntil) {
      // The previous pause is over: book it whole and start a new interval.
      this.pausedMsBefore += this.pausedUntil - this.pauseBegin;
      this.pauseBegin = now;
    }
    this.pausedUntil = until;
    // Restart gently: no saved-up burst when the pause ends; one request then, the rest at the rate.
    this.tokens = Math.min(this.tokens, 1);
    this.updatedAt = Math.max(this.updatedAt, until);
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Wall-clock seconds under an upstream pause so far (overlapping pauses counted once). */
  pausedSeconds(): number {
    const now = this.clock.now();
    return (this.pausedMsBefore + Math.max(0, Math.min(now, this.pausedUntil) - this.pauseBegin)) / 1000;
  }

  /** Wall-clock seconds during which at least one request waited for the exporter's own pacing. */
  pacingSeconds(): number {
    const open = this.waiting > 0 ? this.clock.now() - this.pacingSince : 0;
    return (this.pacingMsBefore + open) / 1000;
  }

  /**
   * Waits for the global pause and a rate token, for the request `endpoint` names.
   * @throws DeadlineError at once if the wait would end past the deadline (no sleep is wasted), or
   *   when the round's signal aborts the wait; `throttled` while an upstream pause holds requests.
   */
  async acquire(ctx: CallContext, endpoint: string): Promise<void> {
    const bound = (why: string): DeadlineError =>
      new DeadlineError(`${endpoint}: ${why}`, this.pausedUntil > this.clock.now() ? "throttled" : "timeout");
    const start = this.clock.now();
    // Reserve a token now (the bucket may go negative): waiters are served in arrival order,
    // spaced at the rate from the end of any pause.
    const from = Math.max(start, this.pausedUntil);
    this.refill(from);
    this.tokens -= 1;
    const rate = this.rate.current;
    const rateWait = this.tokens < 0 ? (-this.tokens / rate) * 1000 : 0;
    const readyAt = from + rateWait;
    if (readyAt > ctx.deadline) {
      this.tokens += 1;
      throw bound("rate limit wait would pass the deadline");
    }
    if (rateWait > 0) this.rate.paced(start);
    if (readyAt <= start) return;
    const pacing = rateWait > 0 && this.pausedUntil <= start;
    if (pacing) this.startPacing(start);
    try {
      await sleep(readyAt - start, ctx.signal, () => bound("aborted"));
    } catch (err) {
      this.tokens += 1;
      throw err;
    } finally {
      if (pacing) this.stopPacing();
    }
    // A 429 elsewhere may have extended the pause while we slept.
    if (this.pausedUntil > this.clock.now()) {
      this.tokens += 1;
      return this.acquire(ctx, endpoint);
    }
  }

  private startPacing(now: number): void {
    if (this.waiting++ === 0) this.pacingSince = now;
  }

  private stopPacing(): void {
    if (--this.waiting === 0) this.pacingMsBefore += this.clock.now() - this.pacingSince;
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    const elapsed = (now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.rate.current);
    this.updatedAt = now;
  }
}
