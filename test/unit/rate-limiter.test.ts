import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../adapters/store/rate-limiter';
import { fakeClock } from '../support/fake-clock';

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
    const clock = fakeClock({ frozen: true });
    const limiter = new RateLimiter(1000, 25, clock);
    // Act: four batches of 25 taken at the same instant.
    await Promise.all([limiter.take(25), limiter.take(25), limiter.take(25), limiter.take(25)]);
    // Assess: 0, 25, 50, 75 ms: the first from the burst, then one batch every 25 ms.
    expect(clock.slept).toEqual([25, 50, 75]);
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
