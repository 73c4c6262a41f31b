import type { Clock } from '../../adapters/store/rate-limiter';

/**
 * Virtual time for paced code with many concurrent sleepers: `sleep` waits until `run` moves the time to its end;
 * `run(work)` advances from one timer to the next (settling the promise chains in between) until `work` settles.
 * Deterministic: timers at the same instant fire in the order they were set.
 */
export interface VirtualTime extends Clock {
  run<T>(work: Promise<T>): Promise<T>;
}

export function virtualTime(start = 0): VirtualTime {
  let now = start;
  let seq = 0;
  const timers: { at: number; seq: number; fire: () => void }[] = [];
  const settle = async () => {
    for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: now + Math.max(0, ms), seq: seq++, fire: resolve })),
    async run<T>(work: Promise<T>): Promise<T> {
      let finished = false;
      work.then(
        () => (finished = true),
        () => (finished = true),
      );
      await settle();
      while (!finished) {
        if (timers.length === 0) throw new Error('virtualTime: nothing left to wait for, but the work is not done');
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift();
        if (!next) break;
        now = Math.max(now, next.at);
        next.fire();
        await settle();
      }
      return work;
    },
  };
}
