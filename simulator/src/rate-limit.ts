/**
 * The API's real rate limit, unknown to clients as AvePoint's is: a token bucket per app registration
 * (client id), refilled at `rate` requests/s up to `burst`. A refused request takes no token.
 */

export interface RateLimitSettings {
  /** Requests per second. */
  rate: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** Clock reading of the last refill, in milliseconds. */
  at: number;
}

/** The burst when none is set: one second's worth of requests, and at least one request. */
export const defaultBurst = (rate: number): number => Math.max(1, rate);

/** Seconds until `missing` tokens have dripped in, as a Retry-After: a whole number, at least 1. */
export function retryAfterSeconds(missing: number, rate: number): number {
  // The epsilon keeps float noise (2.9999999999999996 or 3.0000000000000004) from costing a second.
  return Math.max(1, Math.ceil(missing / rate - 1e-9));
}

export class RateLimiter {
  readonly #now: () => number;
  #settings: RateLimitSettings | null = null;
  #buckets = new Map<string, Bucket>();

  /** @param now a monotonic clock in milliseconds (tests pass a fake one). */
  constructor(now: () => number) {
    this.#now = now;
  }

  get settings(): RateLimitSettings | null {
    return this.#settings;
  }

  /**
   * Changes the limit at run time. Buckets keep what they held (refilled at the old rate up to now,
   * then cut to the new burst), as a service's limiter does when its quota changes; switching the
   * limit off forgets them, so switching it on again starts with full buckets.
   */
  configure(settings: RateLimitSettings | null): void {
    const old = this.#settings;
    if (old !== null && settings !== null && old.rate === settings.rate && old.burst === settings.burst)
      return;
    if (settings === null || old === null) {
      this.#buckets = new Map();
    } else {
      for (const bucket of this.#buckets.values()) {
        this.#refill(bucket, old);
        bucket.tokens = Math.min(bucket.tokens, settings.burst);
      }
    }
    this.#settings = settings === null ? null : { ...settings };
  }

  /** Takes one token from `key`'s bucket, or says how many whole seconds until one is there. */
  take(key: string): RateDecision {
    const settings = this.#settings;
    if (settings === null) return { ok: true };
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: settings.burst, at: this.#now() };
      this.#buckets.set(key, bucket);
    } else {
      this.#refill(bucket, settings);
    }
    // The tolerance lets a token that float arithmetic left a hair short of whole count as whole.
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: retryAfterSeconds(1 - bucket.tokens, settings.rate) };
  }

  #refill(bucket: Bucket, settings: RateLimitSettings): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(settings.burst, bucket.tokens + elapsed * settings.rate);
    bucket.at = now;
  }
}
