/**
 * How the store sends its batch requests: a bounded number at once (p-limit), and each until DynamoDB has processed
 * all of it (p-retry), with exponential backoff in between, as the API reference asks of UnprocessedItems and
 * UnprocessedKeys (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html).
 */
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import { UnwrittenItemsError } from './errors';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Backoff base in ms (doubled each attempt, capped at 5 s, with full jitter). */
  readonly backoffMs: number;
  /** What is left after `attempts` attempts, for the UnwrittenItemsError. */
  readonly explain: (left: number, attempts: number) => string;
}

/**
 * Runs the batches with at most `concurrency` in flight. After a failure no further batch starts, and the first
 * error is thrown once the batches in flight have settled: the caller never runs ahead of writes still landing.
 */
export async function inBatches<T>(batches: readonly T[], concurrency: number, run: (batch: T) => Promise<void>): Promise<void> {
  const limit = pLimit(concurrency);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        if (failure) return;
        try {
          await run(batch);
        } catch (error) {
          failure ??= { error };
        }
      }),
    ),
  );
  if (failure) throw failure.error;
}

/**
 * Sends `requests` until DynamoDB has processed all of them, `send` returning what came back unprocessed
 * (BatchWriteItem's UnprocessedItems, BatchGetItem's UnprocessedKeys). Only that is retried, maxAttempts in all:
 * whatever `send` throws (an SDK error after the client's own retries, a DeadlineError) fails at once. After the
 * last attempt an UnwrittenItemsError says what is left.
 */
export async function untilProcessed<R>(
  requests: R[],
  send: (pending: R[]) => Promise<R[]>,
  options: RetryOptions,
): Promise<void> {
  let pending = requests;
  await pRetry(
    async (attempt) => {
      pending = await send(pending);
      if (pending.length > 0) throw new UnwrittenItemsError(options.explain(pending.length, attempt));
    },
    {
      retries: Math.max(0, options.maxAttempts - 1),
      // The wait between attempts is ours: p-retry's own randomisation spreads a delay over 1x to 2x only.
      minTimeout: 0,
      shouldRetry: ({ error }) => error instanceof UnwrittenItemsError,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (error instanceof UnwrittenItemsError && retriesLeft > 0) await backoff(attemptNumber + 1, options.backoffMs);
      },
    },
  );
}

/** Full-jitter exponential backoff before `attempt` (2 or more): retried batches of many writers do not fall back in step. */
async function backoff(attempt: number, baseMs: number): Promise<void> {
  const cap = Math.min(5_000, baseMs * 2 ** (attempt - 2));
  await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
