/**
 * ReconcileUnit: reconciles an aggregator's shards (one unit of the run's plan), each in sub-buckets when it holds
 * more than SUB_BUCKET_SOURCES, so that memory is bounded by a bucket, not by the organization. Per bucket: a
 * journal of what it computed (history, states, the run's view, the counts) is written, then applied; a retried
 * unit re-applies a pending journal and never recomputes, so no transition is lost or written twice (gap 2), and a
 * bucket whose unit summary exists is done. Stops before its deadline and returns where it got to: the state
 * machine's UnitMore? loops it.
 */
import type { Cursor, JournalEntry, JournalHead } from '../../adapters/store/run-store-api';
import { SHARDS, WRITE_ITEMS_PER_SECOND, sourceHash } from '../../adapters/store/table-schema';
import { sourceKey, type ObservedSource, type SourceState } from '../../core/model';
import { reconcile } from '../../core/reconcile';
import { bucketOf, bucketsOf, viewOf } from '../../core/run-plan';
import { nextStaleAt } from '../../core/sweep';
import type { ReconcileInput, ReconcileProgress } from '../../core/workflow';
import { cursorOf, runTimeOf, type StepContext, type StepDeps } from './deps';

/** A unit starts no new bucket with less than this left before the function's timeout (one bucket always runs)... */
export const RECONCILE_MARGIN_MS = 120_000;

/**
 * ...plus the time to write what the bucket may change at the unit's share of the table's pace: two items a source
 * (history and state, a first run's case), at WRITE_ITEMS_PER_SECOND / reconcileConcurrency (run-store.ts). A
 * bucket that cannot fit starts the next invocation, which always runs one.
 */
export function bucketTimeMs(sources: number, reconcileConcurrency: number): number {
  return RECONCILE_MARGIN_MS + Math.ceil((sources * 2 * 1000 * reconcileConcurrency) / WRITE_ITEMS_PER_SECOND);
}

const headKey = (h: Pick<JournalHead, 'shard' | 'bucket'>) => `${h.shard}#${h.bucket}`;

export async function reconcileUnit(deps: StepDeps, input: Omit<ReconcileInput, 'step'>, ctx: StepContext): Promise<ReconcileProgress> {
  const { runs, logger } = deps;
  const runAt = runTimeOf(input.runAt, 'runAt');
  const { unit } = input;
  const cursor = await cursorOf(runs, runAt, unit.aggregator);
  if (cursor.outcome !== 'read') {
    throw new Error(`Reconcile unit of aggregator ${JSON.stringify(unit.aggregator)}: its read is ${cursor.outcome}, not read: only read aggregators have units`);
  }
  const pending = new Set((await runs.pendingJournals()).filter((h) => h.runAt === runAt && h.aggregator === unit.aggregator).map(headKey));
  const summarised = new Set((await runs.unitSummaries(runAt, unit.aggregator)).map(headKey));
  let { shardIndex, bucket } = input.progress ?? { shardIndex: 0, bucket: 0 };
  let first = true;
  while (shardIndex < unit.shards.length) {
    const shard = unit.shards[shardIndex]!;
    const buckets = cursor.mode === 'full' ? bucketsOf(cursor.perShard[shard] ?? 0) : 1;
    if (bucket >= buckets) {
      shardIndex++;
      bucket = 0;
      continue;
    }
    const sources = Math.ceil((cursor.perShard[shard] ?? 0) / buckets);
    if (!first && ctx.remainingMs() < bucketTimeMs(sources, deps.settings.reconcileConcurrency)) {
      logger.info('Reconcile unit paused before its deadline', { aggregator: unit.aggregator, shard, bucket });
      return { done: false, shardIndex, bucket };
    }
    first = false;
    const head: JournalHead = { runAt, aggregator: unit.aggregator, shard, bucket };
    const journal = pending.has(headKey(head)) ? await runs.readJournal(head) : undefined;
    if (journal) {
      // Computed by an invocation that died before applying it: applied as computed, never recomputed.
      logger.warn('Re-applying the journal of an interrupted reconcile', { aggregator: unit.aggregator, shard, bucket });
      await runs.applyJournal(head, journal);
    } else if (!summarised.has(headKey(head))) {
      const entry = await compute(deps, cursor, shard, bucket, buckets);
      await runs.writeJournal(head, entry);
      await runs.applyJournal(head, entry);
      const { sourcesRead, historyWritten, stateWritten } = entry.summary;
      logger.info('Reconciled', { aggregator: unit.aggregator, shard, bucket, buckets, sourcesRead, historyWritten, stateWritten });
    }
    bucket++;
  }
  return { done: true, shardIndex: unit.shards.length, bucket: 0 };
}

/** One bucket of one shard: the staged observations against the stored states, through the pure reconcile(). */
async function compute(deps: StepDeps, cursor: Cursor, shard: number, bucket: number, buckets: number): Promise<JournalEntry> {
  const { runs, store, settings, logger } = deps;
  const { aggregator, runAt } = cursor;
  const inBucket = (key: string) => buckets === 1 || bucketOf(sourceHash(key), SHARDS, buckets) === bucket;

  // Config may repeat a source across pages: one per key, the last one read.
  const observed = new Map<string, ObservedSource>();
  let read = 0;
  for await (const page of runs.staged(cursor, shard)) {
    for (const o of page) {
      const key = sourceKey(o);
      if (!inBucket(key)) continue;
      read++;
      observed.set(key, o);
    }
  }
  if (read > observed.size) logger.warn('Config returned the same source more than once; kept the last', { aggregator, shard, duplicates: read - observed.size });

  const previous = new Map<string, SourceState>();
  if (cursor.mode === 'full') {
    for await (const page of runs.shardStates(aggregator, shard)) {
      for (const s of page) if (inBucket(sourceKey(s))) previous.set(sourceKey(s), s);
    }
  } else {
    for (const s of await runs.shardAttention(aggregator, shard)) previous.set(sourceKey(s), s);
    const unknown = [...observed.values()].filter((o) => !previous.has(sourceKey(o)));
    if (unknown.length > 0) for (const [key, s] of await store.getStates(aggregator, unknown)) previous.set(key, s);
  }

  const complete = cursor.mode === 'full';
  const rec = reconcile({
    aggregator,
    at: runAt,
    observed: [...observed.values()],
    previous,
    complete,
    ...(settings.staleAfterHours !== undefined ? { staleAfterHours: settings.staleAfterHours } : {}),
  });
  const counts: Record<string, number> = {};
  for (const o of observed.values()) counts[o.status] = (counts[o.status] ?? 0) + 1;
  const staleAt = complete ? nextStaleAt(rec.states.values(), settings.staleAfterHours) : undefined;
  return {
    history: rec.history,
    writes: rec.writes,
    deletes: rec.deletes,
    view: viewOf(rec, previous, settings),
    summary: {
      aggregator,
      shard,
      bucket,
      counts,
      sourcesRead: observed.size,
      historyWritten: rec.history.length,
      stateWritten: rec.writes.length + rec.deletes.length,
      ...(staleAt ? { nextStaleAt: staleAt } : {}),
    },
  };
}
