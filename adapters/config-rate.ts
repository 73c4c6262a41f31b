/**
 * The shared, adaptive rate budget of every AWS Config call of the process (docs/decisions/engine.md, "The shared,
 * adaptive rate budget"), plugged into the SDK's own retry engine.
 *
 * Config throttles an account and Region as a whole, so one limiter paces every Config client and aggregator of the
 * process: AWS's adaptive retry mode "assumes that you are pooling clients based on the scope at which the backend
 * service may throttle requests" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 * The SDK's DefaultRateLimiter (CUBIC) was measured and misses the 1.1x target at low rates (1.13x to 2.23x), so the
 * limiter is ours; the retries are not: `configRetryStrategy` is the SDK's AdaptiveRetryStrategy with this limiter,
 * the SDK still classifies each error (THROTTLING, TRANSIENT, ...) and counts attempts. Throttled attempts wait for
 * their slot only (no backoff on top: the limiter paces them) and may take up to 30 attempts; other transient errors
 * keep the SDK's jittered exponential backoff and 10 attempts.
 *
 * The limiter:
 * - one FIFO queue for every caller; requests leave it 1/rate apart, never in a burst;
 * - cold start (never throttled, never seeded): the rate doubles every second in which callers had to wait for it,
 *   until the first throttle; then the ceiling is what the server accepted in the last second (at least half the
 *   rate, which it accepted for a second before the doubling), and the rate settles 5% under it;
 * - a later throttle: the rate that was too fast becomes the ceiling (or, far above what was accepted in the last
 *   5 s, that), the rate settles 5% under it; throttles within a second of a decrease are the server's window still
 *   full of the old rate and change nothing; a throttle never pulls a send forward, it pushes the next one back;
 * - below its target (after seeding low, or from minRate) the rate recovers 10% per success; at the target it probes
 *   upwards by 0.2% per second, and only while callers are waiting for it (an idle limiter learns nothing);
 * - errors other than throttling say nothing about the rate.
 */
import { AdaptiveRetryStrategy, MAXIMUM_RETRY_DELAY, Retry, type RateLimiter } from '@smithy/core/retry';
import type { RateBudget, RateState } from '../core/workflow';
import { systemClock, type Clock } from './store/rate-limiter';

// The SDK's retry types (@smithy/types, which is not a dependency of ours), as AdaptiveRetryStrategy declares them.
type StandardRetryToken = Parameters<AdaptiveRetryStrategy['refreshRetryTokenForRetry']>[0];
type RetryErrorInfo = Parameters<AdaptiveRetryStrategy['refreshRetryTokenForRetry']>[1];
type RetryToken = Awaited<ReturnType<AdaptiveRetryStrategy['acquireInitialRetryToken']>>;

export interface AdaptiveRateOptions {
  /** Requests per second of a cold start. */
  readonly initialRate?: number;
  readonly minRate?: number;
  readonly maxRate?: number;
  /** The settled rate, as a share of the ceiling. */
  readonly below?: number;
  /** Growth per success while below the target. */
  readonly recover?: number;
  /** Growth per second at the target while callers wait (the probe for a raised quota). */
  readonly probePerSecond?: number;
  readonly clock?: Clock;
}

const WINDOW_MS = 5_000;
/** Config's throttling is counted over a second (as the fake's is): throttles this soon after a decrease are echoes. */
const ECHO_MS = 1_000;

export class AdaptiveRateLimiter implements RateLimiter, RateBudget {
  readonly initialRate: number;
  readonly minRate: number;
  readonly maxRate: number;
  readonly below: number;
  readonly recover: number;
  readonly probePerSecond: number;
  private readonly clock: Clock;
  private rate: number;
  private ceiling: number | null = null;
  /** Cold start: doubling until the first throttle. */
  private searching = true;
  private readonly queue: (() => void)[] = [];
  private pumping = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** After a throttle: no send before this. */
  private notBefore = Number.NEGATIVE_INFINITY;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  /** A caller waited for its slot since the last growth: the limiter, not the callers, sets the pace. */
  private waited = false;
  private grewAt: number;
  private readonly successes: number[] = [];
  /** Counters, for the benchmark and the read step's log. */
  throttles = 0;
  sends = 0;

  constructor(options: AdaptiveRateOptions = {}) {
    this.initialRate = positive('initialRate', options.initialRate ?? 2);
    this.minRate = positive('minRate', options.minRate ?? 0.1);
    this.maxRate = positive('maxRate', options.maxRate ?? 500);
    this.below = share('below', options.below ?? 0.95);
    this.recover = positive('recover', options.recover ?? 0.1);
    this.probePerSecond = positive('probePerSecond', options.probePerSecond ?? 0.002);
    if (this.minRate > this.maxRate || this.initialRate < this.minRate || this.initialRate > this.maxRate) {
      throw new RangeError(`AdaptiveRateLimiter: initialRate ${this.initialRate} must lie in minRate ${this.minRate} .. maxRate ${this.maxRate}`);
    }
    this.clock = options.clock ?? systemClock;
    this.rate = this.initialRate;
    this.grewAt = this.clock.now();
  }

  state(): RateState {
    return { rate: this.rate, ceiling: this.ceiling };
  }

  /** Starts from a learned state: at its rate, under its ceiling; with no ceiling, the search goes on from its rate. */
  seed(state: RateState): void {
    if (!Number.isFinite(state.rate) || state.rate <= 0) {
      throw new RangeError(`AdaptiveRateLimiter.seed: rate ${state.rate} must be a positive number of requests per second`);
    }
    if (state.ceiling !== null && (!Number.isFinite(state.ceiling) || state.ceiling <= 0)) {
      throw new RangeError(`AdaptiveRateLimiter.seed: ceiling ${state.ceiling} must be a positive number or null (none learned)`);
    }
    this.ceiling = state.ceiling === null ? null : this.clamp(state.ceiling);
    this.rate = this.clamp(this.ceiling === null ? state.rate : Math.min(state.rate, this.ceiling));
    this.searching = this.ceiling === null;
    this.grewAt = this.clock.now();
    this.waited = false;
  }

  /** Resolves when the caller may send: callers leave in the order they came, 1/rate apart. */
  getSendToken(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  /** After each attempt: `{}` on success (AdaptiveRetryStrategy.recordSuccess), the RetryErrorInfo on an error. */
  updateClientSendingRate(response: unknown): void {
    const t = this.clock.now();
    const info = response as Partial<RetryErrorInfo> | undefined;
    if (info?.errorType === 'THROTTLING') return this.throttled(t);
    if (info && Object.keys(info).length > 0) return; // another error: nothing about the rate
    this.succeeded(t);
  }

  private throttled(t: number): void {
    this.throttles++;
    // Whatever else happens, the next send waits a whole slot after this answer: never earlier than reserved.
    const settle = () => {
      this.notBefore = Math.max(this.notBefore, t + 1000 / this.rate);
    };
    if (t - this.decreasedAt < ECHO_MS) return settle();
    const acceptedLastSecond = this.successes.filter((s) => s > t - 1000).length;
    if (this.searching) {
      // The server held its quota in the last second; half this rate it accepted for a second (or, throttled at the
      // initial rate, nothing is known below it: halving is the guess, and the next throttles correct it).
      this.ceiling = this.clamp(Math.min(this.rate, Math.max(this.rate / 2, acceptedLastSecond)));
      this.searching = false;
    } else {
      const accepted = this.acceptedRate(t);
      const far = accepted > 0 && this.rate > 2 * accepted;
      this.ceiling = this.clamp(Math.min(this.ceiling ?? Number.POSITIVE_INFINITY, far ? accepted : this.rate));
    }
    this.rate = this.clamp(this.below * this.ceiling);
    this.decreasedAt = t;
    this.grewAt = t;
    this.waited = false;
    settle();
  }

  private succeeded(t: number): void {
    this.successes.push(t);
    while ((this.successes[0] ?? t) <= t - WINDOW_MS) this.successes.shift();
    const binding = this.waited;
    const dt = (t - this.grewAt) / 1000;
    if (this.searching) {
      if (binding && dt >= 1) this.grow(t, this.rate * 2);
      return;
    }
    const ceiling = this.ceiling ?? this.maxRate;
    const target = this.below * ceiling;
    if (this.rate < target) {
      this.grow(t, Math.min(target, this.rate * (1 + this.recover)));
    } else if (binding && dt > 0) {
      this.grow(t, this.rate * (1 + this.probePerSecond * dt));
      // Probed past the ceiling unthrottled: the quota is higher than learned (raised, or the estimate was low).
      if (this.rate > ceiling) this.ceiling = this.rate;
    }
  }

  private grow(t: number, rate: number): void {
    this.rate = this.clamp(rate);
    this.grewAt = t;
    this.waited = false;
  }

  /** Successes per second over the last 5 s (or since the first one). */
  private acceptedRate(t: number): number {
    const first = this.successes[0];
    if (first === undefined) return 0;
    return this.successes.length / (Math.max(1000, Math.min(WINDOW_MS, t - first)) / 1000);
  }

  private clamp(rate: number): number {
    return Math.min(this.maxRate, Math.max(this.minRate, rate));
  }

  /** Releases the queue's head at its slot, re-reading the rate after every wait (a throttle meanwhile delays it). */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let next = this.queue[0]; next; next = this.queue[0]) {
        const t = this.clock.now();
        const at = Math.max(t, this.lastSentAt + 1000 / this.rate, this.notBefore);
        if (at > t) {
          this.waited = true;
          await this.clock.sleep(at - t);
          continue;
        }
        this.queue.shift();
        this.lastSentAt = t;
        this.sends++;
        next();
      }
    } finally {
      this.pumping = false;
    }
  }
}

/**
 * The SDK's backoff for everything but throttling: its DefaultRetryBackoffStrategy's full jitter, random() x
 * min(base x 2^retry, MAXIMUM_RETRY_DELAY) (that class is not exported; the retry-behaviour guide above describes the
 * formula); none for throttling, whose retry waits for its slot in the limiter instead. StandardRetryStrategy sets
 * the delay base for each retry (Retry.throttlingDelay() for a throttling error) just before it asks for the delay,
 * in the same synchronous step, so one instance serves concurrent calls.
 */
export class PacedBackoff {
  private base: number = Retry.delay();
  private throttling = false;

  constructor(private readonly random: () => number = Math.random) {}

  setDelayBase(delayBase: number): void {
    this.throttling = delayBase === Retry.throttlingDelay();
    this.base = delayBase;
  }

  computeNextBackoffDelay(retryAttempt: number): number {
    if (this.throttling) return 0;
    return Math.floor(this.random() * Math.min(this.base * 2 ** retryAttempt, MAXIMUM_RETRY_DELAY));
  }
}

export const THROTTLING_ATTEMPTS = 30;
export const OTHER_ATTEMPTS = 10;

/**
 * The SDK's AdaptiveRetryStrategy with the shared limiter and PacedBackoff, allowing THROTTLING_ATTEMPTS in all but
 * only OTHER_ATTEMPTS - 1 retries of other errors: the SDK has one attempt budget for every error type, so the
 * retries of other errors are counted here, along the tokens the SDK hands back.
 */
export class ConfigRetryStrategy {
  readonly mode = 'adaptive';
  private readonly adaptive: AdaptiveRetryStrategy;
  private readonly otherRetries = new WeakMap<RetryToken, number>();

  constructor(
    limiter: RateLimiter,
    private readonly otherAttempts = OTHER_ATTEMPTS,
    readonly throttlingAttempts = THROTTLING_ATTEMPTS,
  ) {
    this.adaptive = new AdaptiveRetryStrategy(throttlingAttempts, { rateLimiter: limiter, backoff: new PacedBackoff() });
  }

  acquireInitialRetryToken(retryTokenScope: string): Promise<RetryToken> {
    return this.adaptive.acquireInitialRetryToken(retryTokenScope);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const others = (this.otherRetries.get(token) ?? 0) + (errorInfo.errorType === 'THROTTLING' ? 0 : 1);
    // As the SDK refuses a retry: the middleware then throws the call's own error.
    if (others >= this.otherAttempts) throw new Error('No retry token available');
    const next = await this.adaptive.refreshRetryTokenForRetry(token as StandardRetryToken, errorInfo);
    this.otherRetries.set(next, others);
    return next;
  }

  recordSuccess(token: RetryToken): void {
    this.adaptive.recordSuccess(token as StandardRetryToken);
  }
}

/** The ConfigServiceClient's retry configuration: the shared limiter's strategy (maxAttempts: the SDK's header). */
export function configRetry(limiter: RateLimiter): { readonly retryStrategy: ConfigRetryStrategy; readonly maxAttempts: number } {
  return { retryStrategy: new ConfigRetryStrategy(limiter), maxAttempts: THROTTLING_ATTEMPTS };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`AdaptiveRateLimiter: ${name} ${value} must be a positive number`);
  return value;
}

function share(name: string, value: number): number {
  if (!(value > 0 && value < 1)) throw new RangeError(`AdaptiveRateLimiter: ${name} ${value} must lie between 0 and 1 (exclusive)`);
  return value;
}
