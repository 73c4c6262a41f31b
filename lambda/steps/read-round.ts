/**
 * ReadRound: reads every aggregator whose read is unfinished, in parallel (p-limit, aggregatorConcurrency), through
 * the process's one Config client and its shared rate budget, until its deadline: the function's time left less
 * READ_MARGIN_MS. Each chunk of up to PAGES_PER_CHUNK pages is staged (RunStore.stageChunk, idempotent keys), then
 * the cursor advances (conditional on the chunk it continued from): a round that dies between the two re-reads that
 * one chunk, and the next round continues from the cursor (docs/decisions/engine.md, "Where the cursor and the pages
 * live"). An aggregator's own failure (missing, access denied, a NextToken refused after the restart) is its
 * cursor's outcome, recorded, not the Task's error; a transient failure that outlasted the SDK's retries fails the
 * Task, which the state machine retries from the cursors.
 */
import { isThrottlingError } from '@smithy/core/retry';
import pLimit from 'p-limit';
import { AggregatorMissingError, ConfigRequestError } from '../../adapters/config-reader';
import type { Cursor } from '../../adapters/store/run-store-api';
import { ALL_SHARDS, SHARDS } from '../../adapters/store/table-schema';
import { recordedError } from '../../core/aggregator-record';
import { ATTENTION_FILTER, type ObservedSource } from '../../core/model';
import { planUnits } from '../../core/run-plan';
import { attentionSetShrank } from '../../core/sweep';
import type { ReadRoundInput, ReadRoundResult } from '../../core/workflow';
import { runTimeOf, type StepContext, type StepDeps } from './deps';

/** A round stops starting chunks this long before the function's timeout (a chunk in flight ends at its next page). */
export const READ_MARGIN_MS = 90_000;
/** Pages read between two checkpoints (stage, then cursor). */
export const PAGES_PER_CHUNK = 10;


export async function readRound(deps: StepDeps, input: Omit<ReadRoundInput, 'step'>, ctx: StepContext): Promise<ReadRoundResult> {
  const { runs, settings } = deps;
  const runAt = runTimeOf(input.runAt, 'runAt');
  deps.rate.seed(input.rate);
  const stop = () => ctx.remainingMs() < READ_MARGIN_MS;
  const reading = (await runs.cursors(runAt)).filter((c) => c.outcome === 'reading');
  const limit = pLimit(settings.aggregatorConcurrency);
  // Every aggregator's read settles before the round ends: a failure of one does not leave others running unseen.
  const results = await Promise.allSettled(reading.map((c) => limit(() => readAggregator(deps, c, stop))));
  const rate = deps.rate.state();
  const marker = await runs.getMarker(runAt);
  if (marker) await runs.putMarker({ ...marker, rate });
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;

  const cursors = await runs.cursors(runAt);
  const done = cursors.every((c) => c.outcome !== 'reading');
  const rounds = (input.rounds ?? 0) + 1;
  deps.logger.info('Read round ended', { rounds, done, rate, cursors: cursors.map(({ aggregator, mode, epoch, chunk, pages, outcome }) => ({ aggregator, mode, epoch, chunk, pages, outcome })) });
  return { done, rate, rounds, units: done ? planUnits(cursors, SHARDS) : [] };
}

/** Reads one aggregator chunk by chunk until it is read, fails, or the round's time is up (one chunk at least). */
async function readAggregator(deps: StepDeps, start: Cursor, stop: () => boolean): Promise<void> {
  const { runs, logger } = deps;
  let cursor = start;
  let first = true;
  while (cursor.outcome === 'reading' && (first || !stop())) {
    first = false;
    const next = await nextCursor(deps, cursor, stop).catch((e: unknown) => {
      if (!isAggregatorFailure(e)) throw e;
      logger.error('Aggregator read failed', { aggregator: cursor.aggregator, error: e as Error });
      const error = recordedError(e);
      return { ...cursor, calls: cursor.calls + 1, outcome: 'error', error: { name: error.code, message: error.message } } satisfies Cursor;
    });
    if (!(await runs.advanceCursor(next, cursor))) {
      logger.warn('The cursor was advanced by another invocation: this round leaves the aggregator to it', { aggregator: cursor.aggregator });
      return;
    }
    cursor = next;
  }
}

async function nextCursor(deps: StepDeps, cursor: Cursor, stop: () => boolean): Promise<Cursor> {
  const { reader, runs, logger } = deps;
  const result = await reader.readChunk(cursor.aggregator, {
    token: cursor.token,
    ...(cursor.mode === 'fast' ? { statuses: ATTENTION_FILTER } : {}),
    maxPages: PAGES_PER_CHUNK,
    stop,
    restarted: cursor.restarts > 0,
  });
  if (result.kind === 'expired') {
    logger.warn('Config refused the NextToken: restarting the read from the first page', { aggregator: cursor.aggregator, epoch: cursor.epoch });
    return { ...restart(cursor), restarts: cursor.restarts + 1, calls: cursor.calls + result.calls };
  }
  const staged = await runs.stageChunk(cursor, result.sources);
  const next: Cursor = {
    ...cursor,
    chunk: cursor.chunk + 1,
    token: result.token,
    pages: cursor.pages + result.pages,
    sources: cursor.sources + result.sources.length,
    calls: cursor.calls + result.calls,
    perShard: cursor.perShard.map((n, shard) => n + (staged[shard] ?? 0)),
    outcome: result.token ? 'reading' : 'read',
  };
  if (next.outcome === 'read' && next.mode === 'fast' && (await attentionShrank(deps, next))) {
    // A source left the non-SUCCEEDED list: recovered or removed, which only a full read tells. Sweep fully now,
    // before anything of this run is recorded.
    logger.info('The attention set shrank: sweeping fully in this run', { aggregator: cursor.aggregator });
    return { ...restart(next), mode: 'full', reason: 'attention-set-shrank' };
  }
  return next;
}

/** The read from page 1 again, in a new epoch (the old epoch's staged chunks are ignored and expire). */
function restart(cursor: Cursor): Cursor {
  return { ...cursor, epoch: cursor.epoch + 1, chunk: 0, token: null, pages: 0, sources: 0, perShard: new Array<number>(SHARDS).fill(0), outcome: 'reading' };
}

/** Whether a remembered FAILED or OUTDATED source is missing from the fast read: compared shard by shard. */
async function attentionShrank(deps: StepDeps, cursor: Cursor): Promise<boolean> {
  const filtered = new Set<string>(ATTENTION_FILTER);
  for (const shard of ALL_SHARDS) {
    const remembered = (await deps.runs.shardAttention(cursor.aggregator, shard)).filter((s) => s.removedAt === undefined && filtered.has(s.status));
    if (remembered.length === 0) continue;
    const read: ObservedSource[] = [];
    for await (const page of deps.runs.staged(cursor, shard)) read.push(...page);
    if (attentionSetShrank(remembered, read)) return true;
  }
  return false;
}

/**
 * The aggregator's own failure, recorded and notified as its outcome: our explained errors (missing aggregator, a
 * refused parameter or NextToken), and any other error the service blames on the request ($fault "client":
 * AccessDeniedException, ValidationException...) apart from throttling. Anything else (5xx, network, throttling
 * that outlasted the retries) is transient: the Task fails and is retried from the cursor.
 */
export function isAggregatorFailure(e: unknown): boolean {
  if (e instanceof AggregatorMissingError || e instanceof ConfigRequestError) return true;
  const { $fault, name } = (e ?? {}) as { $fault?: unknown; name?: unknown };
  // Throttling as the SDK's own retry strategy classifies it (a 429, a throttling error code, a throttling trait).
  return $fault === 'client' && typeof name === 'string' && !isThrottlingError(e as Parameters<typeof isThrottlingError>[0]);
}
