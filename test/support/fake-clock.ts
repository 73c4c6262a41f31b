import type { Clock } from '../../adapters/store/rate-limiter';

/**
 * A clock for paced code: each sleep returns at once and is recorded. By default it also moves the clock's own
 * time on by its length (one sleeper at a time); `frozen` leaves the time still, so concurrent sleeps stay apart.
 */
export function fakeClock(options: { frozen?: boolean } = {}): Clock & { readonly slept: number[]; advance(ms: number): void } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      if (!options.frozen) now += ms;
    },
    advance: (ms) => void (now += ms),
  };
}
