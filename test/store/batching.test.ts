import { afterEach, describe, expect, it, vi } from 'vitest';
import { inBatches, untilProcessed, type RetryOptions } from '../../adapters/store/batching';
import { UnwrittenItemsError } from '../../adapters/store/history-store';
import { DeadlineError } from '../../core/deadline';

const explain: RetryOptions['explain'] = (left, attempts) => `${left} left after ${attempts} attempts`;

/** Records the backoff waits (setTimeout delays) and skips them; Math.random pinned to the top of its range. */
function recordWaits(): number[] {
  const waits: number[] = [];
  vi.spyOn(Math, 'random').mockReturnValue(1);
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    waits.push(ms ?? 0);
    fn();
    return 0;
  }) as unknown as typeof setTimeout);
  return waits;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('untilProcessed', () => {
  it('sends what came back unprocessed, and only that, until nothing is left', async () => {
    // Prepare
    recordWaits();
    const sent: number[][] = [];
    const send = async (pending: number[]) => {
      sent.push(pending);
      return pending.slice(1);
    };

    // Act
    await untilProcessed([1, 2, 3], send, { maxAttempts: 5, backoffMs: 50, explain });

    // Assess
    expect(sent).toStrictEqual([[1, 2, 3], [2, 3], [3]]);
  });

  it('backs off exponentially with full jitter between attempts, capped at 5 s, and fails after the last one', async () => {
    // Prepare
    const waits = recordWaits();
    const send = vi.fn(async (pending: number[]) => pending);

    // Act
    const error = await untilProcessed([1, 2], send, { maxAttempts: 9, backoffMs: 50, explain }).catch((e: unknown) => e);

    // Assess: 9 attempts, 8 waits of up to 50 ms doubling each time, to at most 5 s; none after the last attempt.
    expect(send).toHaveBeenCalledTimes(9);
    expect(waits).toStrictEqual([50, 100, 200, 400, 800, 1600, 3200, 5000]);
    expect(error).toBeInstanceOf(UnwrittenItemsError);
    expect(error).toMatchObject({ code: 'UnprocessedItems', message: '2 left after 9 attempts' });
  });

  it.each([
    ['an SDK error', Object.assign(new Error('boom'), { name: 'InternalServerError' })],
    ['a DeadlineError', new DeadlineError('out of time')],
    ['a TypeError', new TypeError('bug')],
  ])('fails at once, without a retry or a wait, on %s', async (_what, thrown) => {
    // Prepare
    const waits = recordWaits();
    const send = vi.fn(async () => {
      throw thrown;
    });

    // Act
    const error = await untilProcessed([1], send, { maxAttempts: 12, backoffMs: 50, explain }).catch((e: unknown) => e);

    // Assess
    expect([error, send.mock.calls.length, waits]).toStrictEqual([thrown, 1, []]);
  });
});

describe('inBatches', () => {
  it('keeps at most `concurrency` batches in flight and runs each once', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const ran: number[] = [];
    const run = async (batch: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      ran.push(batch);
      inFlight--;
    };

    // Act
    await inBatches([1, 2, 3, 4, 5, 6, 7], 3, run);

    // Assess
    expect(most).toBe(3);
    expect([...ran].sort()).toStrictEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts no batch after a failure and throws the first error once the batches in flight settle', async () => {
    // Prepare
    const started: number[] = [];
    let settled = 0;
    const run = async (batch: number) => {
      started.push(batch);
      if (batch === 2) throw new Error(`batch ${batch} failed`);
      await new Promise((r) => setTimeout(r, 5));
      settled++;
    };

    // Act
    const error = await inBatches([1, 2, 3, 4, 5, 6], 3, run).catch((e: unknown) => e);

    // Assess: 1, 2 and 3 started together; 2 failed; 1 and 3 settled before the error came; 4 to 6 never started.
    expect((error as Error).message).toBe('batch 2 failed');
    expect([started, settled]).toStrictEqual([[1, 2, 3], 2]);
  });
});
