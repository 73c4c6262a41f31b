import { Retry } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, ConfigRetryStrategy, PacedBackoff } from '../../adapters/config-rate';
import { fakeClock } from '../support/fake-clock';
import { virtualTime, type VirtualTime } from '../support/virtual-time';

/** A server that accepts `quota` requests in any sliding second, account-wide, as the fake Config does. */
function quotaServer(quota: number) {
  const accepted: number[] = [];
  return {
    throttled: 0,
    accepted: 0,
    admit(t: number): boolean {
      while (accepted.length > 0 && (accepted[0] ?? 0) <= t - 1000) accepted.shift();
      if (accepted.length >= quota) {
        this.throttled++;
        return false;
      }
      accepted.push(t);
      this.accepted++;
      return true;
    },
    set quota(q: number) {
      quota = q;
    },
  };
}

interface Trace {
  /** Virtual ms at which each throttle was answered. */
  readonly throttledAt: number[];
  /** The limiter's rate after each success: [time, rate]. */
  readonly rates: [number, number][];
  maxAttempts: number;
}

/**
 * `callers` readers of `pages` pages each, calling the limiter as AdaptiveRetryStrategy does: getSendToken before
 * each attempt, updateClientSendingRate({}) after a success, the THROTTLING error info after a throttle.
 */
async function read(
  time: VirtualTime,
  limiter: AdaptiveRateLimiter,
  server: ReturnType<typeof quotaServer>,
  options: { callers: number; pages: number; latencyMs?: number },
): Promise<Trace> {
  const trace: Trace = { throttledAt: [], rates: [], maxAttempts: 0 };
  const reader = async () => {
    for (let page = 0; page < options.pages; page++) {
      for (let attempt = 1; ; attempt++) {
        await limiter.getSendToken();
        const ok = server.admit(time.now());
        await time.sleep(options.latencyMs ?? 50);
        trace.maxAttempts = Math.max(trace.maxAttempts, attempt);
        if (ok) {
          limiter.updateClientSendingRate({});
          trace.rates.push([time.now(), limiter.state().rate]);
          break;
        }
        trace.throttledAt.push(time.now());
        limiter.updateClientSendingRate({ errorType: 'THROTTLING', error: new Error('Rate exceeded') });
      }
    }
  };
  await time.run(Promise.all(Array.from({ length: options.callers }, reader)));
  return trace;
}

describe('AdaptiveRateLimiter', () => {
  it('finds the quota on a cold start by doubling every second, then settles 5% under what the server accepted', async () => {
    // Arrange: a quota of 40 req/s; the limiter starts at 2.
    const time = virtualTime();
    const limiter = new AdaptiveRateLimiter({ clock: time });
    const server = quotaServer(40);
    // Act: 3 readers, 10 ms per call (they could send 300 req/s), 1,200 pages.
    const trace = await read(time, limiter, server, { callers: 3, pages: 400, latencyMs: 10 });
    // Assert: 2, 4, 8, 16, 32, 64: throttled within 6 s, the ceiling close to the quota.
    const first = trace.throttledAt[0] ?? Number.POSITIVE_INFINITY;
    expect(first).toBeLessThan(6_500);
    const { ceiling } = limiter.state();
    expect(ceiling).toBeGreaterThanOrEqual(36);
    expect(ceiling).toBeLessThanOrEqual(42);
    // Throttle -> settle: after the first throttle the rate stays under the quota (the slow probe touches it, is
    // throttled and settles again); few throttles in all.
    const after = trace.rates.filter(([t]) => t > first + 1_000).map(([, r]) => r);
    expect(Math.max(...after)).toBeLessThanOrEqual(40 * 1.02);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(32);
    expect(server.throttled).toBeLessThanOrEqual(30);
    // The whole read within 1.1x of the floor (1,200 pages at 40/s = 30 s), cold start included.
    expect(time.now()).toBeLessThan(1.1 * 30_000 + 6_000);
  });

  it('finds a quota below its initial rate without failing a call', async () => {
    // Arrange: a quota of 1 req/s; the limiter starts at 2.
    const time = virtualTime();
    const limiter = new AdaptiveRateLimiter({ clock: time });
    const server = quotaServer(1);
    // Act
    const trace = await read(time, limiter, server, { callers: 3, pages: 20 });
    // Assert: settled under 1 req/s after a few throttles; no page needed many attempts.
    expect(limiter.state().rate).toBeLessThanOrEqual(1);
    expect(limiter.state().rate).toBeGreaterThan(0.8);
    expect(server.throttled).toBeLessThanOrEqual(8);
    expect(trace.maxAttempts).toBeLessThanOrEqual(4);
    expect(time.now()).toBeLessThan(1.15 * 60_000);
  });

  it('recovers fast to its target under a learned ceiling', async () => {
    // Arrange: seeded far under the ceiling (as after minutes of throttling), quota 20.
    const time = virtualTime();
    const limiter = new AdaptiveRateLimiter({ clock: time });
    limiter.seed({ rate: 1, ceiling: 20 });
    const server = quotaServer(20);
    // Act: 40 successes (10% each: 1.1^32 > 19).
    await read(time, limiter, server, { callers: 1, pages: 40 });
    // Assert: at the target (19) within 40 calls; the slow probe only just started above it.
    expect(limiter.state().rate).toBeGreaterThanOrEqual(19);
    expect(limiter.state().rate).toBeLessThan(19.2);
    expect(limiter.state().ceiling).toBe(20);
    expect(server.throttled).toBe(0);
  });

  it('probes upwards slowly at its target while callers wait, and not at all while they do not', async () => {
    // Arrange: the quota was raised from 10 to 20.
    const time = virtualTime();
    const busy = new AdaptiveRateLimiter({ clock: time });
    busy.seed({ rate: 9.5, ceiling: 10 });
    const idle = new AdaptiveRateLimiter({ clock: time });
    idle.seed({ rate: 9.5, ceiling: 10 });
    // Act: 60 s of 3 readers at 50 ms per call (busy: they always wait); one reader at 1 s per call (idle).
    await read(time, busy, quotaServer(20), { callers: 3, pages: 200 });
    const busyAfter = busy.state();
    const end = time.now();
    await read(time, idle, quotaServer(20), { callers: 1, pages: 60, latencyMs: 1_000 });
    // Assert: 0.2% per second for about a minute, the ceiling moving up with it; the idle limiter did not move.
    expect(end).toBeGreaterThan(55_000);
    expect(busyAfter.rate).toBeGreaterThan(9.5 * 1.08);
    expect(busyAfter.rate).toBeLessThan(9.5 * 1.2);
    expect(busyAfter.ceiling).toBeGreaterThanOrEqual(busyAfter.rate);
    expect(idle.state()).toEqual({ rate: 9.5, ceiling: 10 });
  });

  it('never sends earlier than reserved after a throttle: it pushes queued callers back', async () => {
    // Arrange: 10 req/s, learned; three callers queued at t0.
    const time = virtualTime();
    const limiter = new AdaptiveRateLimiter({ clock: time });
    limiter.seed({ rate: 10, ceiling: 10 });
    const t0 = time.now();
    const sentAt: number[] = [];
    const send = () => limiter.getSendToken().then(() => sentAt.push(time.now() - t0));
    // Act: the first is throttled 50 ms after it left, while the other two wait for their slots.
    const work = Promise.all([
      send(),
      send(),
      send(),
      time.sleep(50).then(() => limiter.updateClientSendingRate({ errorType: 'THROTTLING' })),
    ]);
    await time.run(work);
    // Assert: 9.5 req/s from the throttle on: 50 + 105.3 ms, then 105.3 ms later; never the 100 ms first reserved.
    expect(limiter.state()).toEqual({ rate: 9.5, ceiling: 10 });
    expect(sentAt[0]).toBe(0);
    expect(sentAt[1]).toBeCloseTo(50 + 1000 / 9.5, 5);
    expect(sentAt[2]).toBeCloseTo(50 + 2000 / 9.5, 5);
  });

  it('treats throttles within a second of a decrease as the same one', () => {
    // Arrange
    const clock = fakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    limiter.seed({ rate: 10, ceiling: 10 });
    // Act: two more throttles 100 and 900 ms later (requests sent before the decrease), then one 1.1 s later.
    limiter.updateClientSendingRate({ errorType: 'THROTTLING' });
    clock.advance(100);
    limiter.updateClientSendingRate({ errorType: 'THROTTLING' });
    clock.advance(800);
    limiter.updateClientSendingRate({ errorType: 'THROTTLING' });
    const afterEchoes = limiter.state();
    clock.advance(1_100);
    limiter.updateClientSendingRate({ errorType: 'THROTTLING' });
    // Assert
    expect(afterEchoes).toEqual({ rate: 9.5, ceiling: 10 });
    expect(limiter.state().ceiling).toBe(9.5);
    expect(limiter.throttles).toBe(4);
  });

  it('learns nothing from errors other than throttling', () => {
    // Arrange
    const limiter = new AdaptiveRateLimiter({ clock: fakeClock() });
    limiter.seed({ rate: 4, ceiling: 8 });
    // Act
    limiter.updateClientSendingRate({ errorType: 'TRANSIENT', error: new Error('socket hang up') });
    limiter.updateClientSendingRate({ errorType: 'SERVER_ERROR', error: new Error('InternalFailure') });
    // Assert
    expect(limiter.state()).toEqual({ rate: 4, ceiling: 8 });
  });

  it('starts from a seeded state: settled under its ceiling, or still searching without one', async () => {
    // Arrange
    const time = virtualTime();
    const settled = new AdaptiveRateLimiter({ clock: time });
    const searching = new AdaptiveRateLimiter({ clock: time });
    // Act
    settled.seed({ rate: 12, ceiling: 10 });
    searching.seed({ rate: 4, ceiling: null });
    const seeded = settled.state();
    await read(time, searching, quotaServer(1_000), { callers: 3, pages: 40, latencyMs: 10 });
    // Assert: a rate above its ceiling is capped; without one, the search doubles on (4 -> 8 -> 16 ...).
    expect(seeded).toEqual({ rate: 10, ceiling: 10 });
    expect(searching.state().rate).toBeGreaterThanOrEqual(16);
    expect(searching.state().ceiling).toBeNull();
  });

  it.each([
    [{ rate: 0, ceiling: 10 }, 'rate 0 must be a positive number'],
    [{ rate: Number.NaN, ceiling: null }, 'rate NaN must be a positive number'],
    [{ rate: 5, ceiling: -1 }, 'ceiling -1 must be a positive number or null'],
  ])('rejects the seed %o, naming the bad value', (state, message) => {
    expect(() => new AdaptiveRateLimiter().seed(state)).toThrow(message);
  });

  it('rejects bad options, naming them', () => {
    expect(() => new AdaptiveRateLimiter({ below: 1 })).toThrow('below 1 must lie between 0 and 1');
    expect(() => new AdaptiveRateLimiter({ initialRate: 1_000 })).toThrow('initialRate 1000 must lie in minRate 0.1 .. maxRate 500');
    expect(() => new AdaptiveRateLimiter({ minRate: 0 })).toThrow('minRate 0 must be a positive number');
  });

  it('paces many concurrent callers through one queue, in the order they came, 1/rate apart', async () => {
    // Arrange
    const time = virtualTime();
    const limiter = new AdaptiveRateLimiter({ clock: time });
    limiter.seed({ rate: 20, ceiling: 20 });
    const order: number[] = [];
    const sentAt: number[] = [];
    // Act: 50 callers at the same instant.
    await time.run(
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          limiter.getSendToken().then(() => {
            order.push(i);
            sentAt.push(time.now());
          }),
        ),
      ),
    );
    // Assert
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(sentAt.map((t) => Math.round(t))).toEqual(Array.from({ length: 50 }, (_, i) => i * 50));
    expect(limiter.sends).toBe(50);
  });
});

describe('PacedBackoff', () => {
  it('adds no backoff to a throttled retry and the SDK full jitter to the others', () => {
    // Arrange
    const backoff = new PacedBackoff(() => 0.5);
    // Act
    backoff.setDelayBase(Retry.throttlingDelay());
    const throttled = backoff.computeNextBackoffDelay(3);
    backoff.setDelayBase(Retry.delay());
    const transient = [0, 1, 2, 20].map((i) => backoff.computeNextBackoffDelay(i));
    // Assert: 0.5 x min(50 x 2^i, 20 s)
    expect(throttled).toBe(0);
    expect(transient).toEqual([25, 50, 100, 10_000]);
  });
});

describe('ConfigRetryStrategy', () => {
  // The error info the SDK's retry middleware builds (its classification, the error itself for the log).
  const throttling = { errorType: 'THROTTLING' } as const;
  const transient = { errorType: 'TRANSIENT' } as const;

  it('retries throttling up to 30 attempts, pacing each retry through the limiter', async () => {
    // Arrange: a limiter on a fake clock (its waits return at once).
    const limiter = new AdaptiveRateLimiter({ clock: fakeClock() });
    const strategy = new ConfigRetryStrategy(limiter);
    let token = await strategy.acquireInitialRetryToken('');
    // Act: 29 throttled attempts are retried; the 30th is refused.
    for (let i = 0; i < 29; i++) token = await strategy.refreshRetryTokenForRetry(token, throttling);
    const refused = strategy.refreshRetryTokenForRetry(token, throttling);
    // Assert
    expect(token.getRetryCount()).toBe(29);
    await expect(refused).rejects.toThrow('No retry token available');
    expect(limiter.sends).toBe(30);
    expect(limiter.throttles).toBe(30);
  });

  it('allows other errors their own budget, however many throttles came before', async () => {
    // Arrange: 3 attempts for other errors (10 in production; 3 keeps the jittered waits short).
    const strategy = new ConfigRetryStrategy(new AdaptiveRateLimiter({ clock: fakeClock() }), 3);
    let token = await strategy.acquireInitialRetryToken('');
    // Act: 5 throttles, then 2 transient errors retried, the 3rd refused.
    for (let i = 0; i < 5; i++) token = await strategy.refreshRetryTokenForRetry(token, throttling);
    token = await strategy.refreshRetryTokenForRetry(token, transient);
    token = await strategy.refreshRetryTokenForRetry(token, throttling);
    token = await strategy.refreshRetryTokenForRetry(token, transient);
    const refused = strategy.refreshRetryTokenForRetry(token, transient);
    // Assert
    expect(token.getRetryCount()).toBe(8);
    await expect(refused).rejects.toThrow('No retry token available');
  });
});
