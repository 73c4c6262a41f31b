/**
 * A token bucket for write units: at most `perSecond` on average, `burst` at once. Callers take what they are
 * about to send; one that overdraws the bucket waits until its share has accrued. Waits queue in the order the
 * units were taken, so concurrent writers are paced fairly, without polling.
 *
 * Ours, not a library's: no installed package paces by units (p-limit bounds concurrency; the SDK's adaptive
 * retry limiter is internal and reads the system clock), and this one takes the injectable Clock the tests fake.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) {
      throw new RangeError(`RateLimiter: perSecond ${perSecond} and burst ${burst} must be positive (burst at least 1)`);
    }
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Resolves when `units` may be sent. */
  async take(units: number): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.perSecond) / 1000);
    this.updatedAt = now;
    this.tokens -= units;
    if (this.tokens < 0) await this.clock.sleep((-this.tokens * 1000) / this.perSecond);
  }
}
