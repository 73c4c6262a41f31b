import { describe, expect, it } from 'vitest';
import { RateLimiter, type Clock } from '../../lambda/store/rate-limiter';

/** A clock whose sleeps pass at once, moving only its own time, and recording how long each was. */
function fakeClock(): Clock & { slept: number[]; advance(ms: number): void } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms) => void (now += ms),
  };
}

describe('RateLimiter', () => {
  it('lets a burst through at once, then makes each taker wait for its share', async () => {
    // Prepare
    const clock = fakeClock();
    const limiter = new RateLimiter(100, 50, clock);
    // Act
    await limiter.take(50);
    await limiter.take(25);
    // Assess: the burst cost nothing; 25 more at 100/s is a quarter second.
    expect(clock.slept).toEqual([250]);
  });

  it('queues concurrent takers in order, each waiting for everything taken before it', async () => {
    // Prepare
    const clock = fakeClock();
    const limiter = new RateLimiter(1000, 25, clock);
    const waits: number[] = [];
    const slow: Clock = { now: clock.now, sleep: async (ms) => void waits.push(ms) };
    const shared = new RateLimiter(1000, 25, slow);
    // Act: four batches of 25 taken at the same instant.
    await Promise.all([shared.take(25), shared.take(25), shared.take(25), shared.take(25)]);
    await limiter.take(25);
    // Assess: 0, 25, 50, 75 ms: the first from the burst, then one batch every 25 ms.
    expect(waits).toEqual([25, 50, 75]);
    expect(clock.slept).toEqual([]);
  });

  it('refills with time, never beyond the burst', async () => {
    // Prepare
    const clock = fakeClock();
    const limiter = new RateLimiter(100, 50, clock);
    await limiter.take(50);
    // Act: ten seconds idle would be 1,000 units, but the bucket holds 50.
    clock.advance(10_000);
    await limiter.take(50);
    await limiter.take(10);
    // Assess
    expect(clock.slept).toEqual([100]);
  });

  it.each([
    [0, 10],
    [-1, 10],
    [Number.NaN, 10],
    [10, 0],
  ])('rejects a rate of %s per second with a burst of %s, naming both', (perSecond, burst) => {
    expect(() => new RateLimiter(perSecond, burst)).toThrow(`RateLimiter: perSecond ${perSecond} and burst ${burst} must be positive`);
  });
});
