/**
 * The request rate, found by itself below a configured ceiling (AIMD, as TCP finds a link's
 * capacity): AvePoint does not publish its limit, and a throttled app registration is throttled for
 * every tool the partner runs, so the exporter starts low, speeds up only while its own pacing is
 * what holds it back, and backs off multiplicatively when AvePoint refuses.
 *
 * - start: half the ceiling, at most {@link START_RATE} requests/s;
 * - slow start: while nothing was ever refused, the rate doubles every {@link SLOW_START_DOUBLING_S} s
 *   of rate-bound sending;
 * - after a refusal: +{@link INCREASE_PER_S} of the rate per second of rate-bound sending;
 * - on a refusal (429, or 503 with Retry-After): the first one halves the rate, later ones take 10 %
 *   off; refusals of requests sent before the last decrease do not decrease again (they answer to
 *   the old rate).
 * What it learned stays across rounds, and across restarts through {@link AdaptiveRate.learned} and
 * {@link AdaptiveRate.resume} (a restart must not probe the unpublished limit again).
 */

/** What the rate learned: the rate itself and whether AvePoint ever refused it. */
export interface LearnedRate {
  readonly rate: number;
  readonly refused: boolean;
}

export const START_RATE = 10;
export const SLOW_START_DOUBLING_S = 2;
export const INCREASE_PER_S = 0.01;
const FIRST_DECREASE = 0.5;
const DECREASE = 0.9;
/** A longer gap between rate-bound requests is not rate-bound sending: idle time does not raise the rate. */
const MAX_STEP_S = 1;

export class AdaptiveRate {
  private value: number;
  private refused = false;
  private lastDecreaseAt = -Infinity;
  private lastGrowthAt: number | null = null;
  private readonly floor: number;

  /**
   * @param ceiling --avepoint.rate-limit, never exceeded.
   * @param adaptive false: the rate is the ceiling, always (partners who know their limit).
   */
  constructor(
    readonly ceiling: number,
    readonly adaptive: boolean,
  ) {
    this.value = adaptive ? Math.max(Math.min(ceiling / 2, START_RATE), Math.min(ceiling, 1)) : ceiling;
    this.floor = Math.min(ceiling, 0.1);
  }

  /** Requests per second now. */
  get current(): number {
    return this.value;
  }

  /** A request had to wait for the rate at `now` (epoch ms): the rate is what limits us, probe upwards. */
  paced(now: number): void {
    if (!this.adaptive) return;
    const last = this.lastGrowthAt;
    this.lastGrowthAt = now;
    const seconds = last === null ? 0 : (now - last) / 1000;
    // At a rate below one request a second, rate-bound requests are more than a second apart.
    if (seconds <= 0 || seconds > Math.max(MAX_STEP_S, 2 / this.value)) return;
    this.value = Math.min(
      this.ceiling,
      this.refused
        ? this.value * (1 + INCREASE_PER_S * seconds)
        : this.value * 2 ** (seconds / SLOW_START_DOUBLING_S),
    );
  }

  /** The request sent at `sentAt` was refused, seen at `now` (epoch ms). */
  refusedAt(sentAt: number, now: number): void {
    if (!this.adaptive || sentAt < this.lastDecreaseAt) return;
    this.value = Math.max(this.floor, this.value * (this.refused ? DECREASE : FIRST_DECREASE));
    this.refused = true;
    this.lastDecreaseAt = now;
    this.lastGrowthAt = null;
  }

  /** What was learned so far; null when not adaptive (nothing to learn). */
  learned(): LearnedRate | null {
    return this.adaptive ? { rate: this.value, refused: this.refused } : null;
  }

  /**
   * Goes on from a rate learned earlier (by an earlier process), kept within floor and ceiling: a
   * lower ceiling configured since then wins.
   */
  resume(learned: LearnedRate): void {
    if (!this.adaptive || !Number.isFinite(learned.rate)) return;
    this.value = Math.min(this.ceiling, Math.max(this.floor, learned.rate));
    this.refused = learned.refused;
  }
}
