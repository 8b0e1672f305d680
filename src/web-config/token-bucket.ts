/** exporter-toolkit's rate_limit: a token bucket (Go's rate.Limiter), full at the start. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly intervalSeconds: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Takes a token if there is one. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.at) / (this.intervalSeconds * 1000));
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
