/**
 * Begin: the first Task of a run. Rolls forward what dead runs left unapplied (gap 2), records the obligations the
 * dispatcher carried (gap 1), lists the aggregators (or takes the configured ones), decides per aggregator a fast
 * read or a full sweep (gap 3: also when the previous run never finished), and writes the run marker and one
 * cursor per aggregator. Everything it decides is in the table; it returns the run's control data.
 */
import type { Cursor, RunMarker } from '../../adapters/store/run-store-api';
import { SHARDS } from '../../adapters/store/table-schema';
import { metaAfterObligation, recordedError } from '../../core/aggregator-record';
import { fullSweepDue, type SweepReason } from '../../core/sweep';
import type { BeginInput, BeginResult, CarriedObligation } from '../../core/workflow';
import { DISCOVERY, putMeta, runTimeOf, type StepDeps } from './deps';

export async function begin(deps: StepDeps, input: Omit<BeginInput, 'step'>): Promise<BeginResult> {
  const { runs, store, settings, logger } = deps;
  const runAt = runTimeOf(input.at, 'at');
  const existing = await runs.getMarker(runAt);
  if (existing?.state === 'done') {
    // A run of this time already completed (the same scheduled event started again): it is not run twice.
    logger.warn('This run already completed: nothing to do', { runAt });
    return { runAt, aggregators: [], read: { done: true, rate: existing.rate ?? deps.rate.state(), rounds: 0, units: [] } };
  }
  await rollForward(deps, runAt);
  await recordCarried(deps, input.carried);

  const previous = await runs.previousMarker(runAt);
  const discovered = settings.aggregators ? { names: [...settings.aggregators] } : await discover(deps);
  const cursors: Cursor[] = [];
  for (const aggregator of discovered.names) {
    const meta = await store.getMeta(aggregator);
    const reason: SweepReason | undefined =
      fullSweepDue(meta, settings, runAt) ??
      (previous?.state === 'running' && previous.aggregators.includes(aggregator) ? 'previous-run-incomplete' : undefined);
    cursors.push(newCursor(runAt, aggregator, reason ? 'full' : 'fast', reason));
  }
  // The discovery's own outcome, when there is something to tell of it (its failure, or its recovery): in the
  // marker, and DISCOVERY among the run's aggregators for Notify and Finalize.
  const discovery = discovered.failure ? { error: discovered.failure } : discovered.recovering ? {} : undefined;
  const rate = previous?.rate ?? deps.rate.state();
  const names = cursors.map((c) => c.aggregator);
  // A retried Begin keeps the first attempt's start.
  const startedAt = existing?.startedAt ?? new Date().toISOString();
  const marker: RunMarker = { runAt, state: 'running', aggregators: names, rate, startedAt, ...(discovery ? { discovery } : {}) };
  await runs.putMarker(marker);
  if (cursors.length > 0) await runs.putCursors(cursors);
  logger.info('Run begun', { discovery, aggregators: cursors.map((c) => ({ aggregator: c.aggregator, mode: c.mode, reason: c.reason })) });
  const aggregators = discovery?.error ? [DISCOVERY] : discovery ? [...names, DISCOVERY] : names;
  const done = cursors.length === 0;
  return { runAt, aggregators, read: { done, rate, rounds: 0, units: [] } };
}

export function newCursor(runAt: string, aggregator: string, mode: Cursor['mode'], reason?: SweepReason): Cursor {
  return {
    aggregator,
    runAt,
    mode,
    ...(reason ? { reason } : {}),
    epoch: 0,
    chunk: 0,
    token: null,
    pages: 0,
    sources: 0,
    calls: 0,
    restarts: 0,
    perShard: new Array<number>(SHARDS).fill(0),
    outcome: 'reading',
  };
}

/**
 * Applies, oldest first, every journal an earlier run wrote and never applied (it died between computing and
 * recording its changes): its history and states are written at its own time, before this run reads anything.
 */
async function rollForward(deps: StepDeps, runAt: string): Promise<void> {
  for (const head of await deps.runs.pendingJournals()) {
    if (head.runAt >= runAt) continue;
    const entry = await deps.runs.readJournal(head);
    if (!entry) {
      deps.logger.error('A journal head without its journal: skipped', { head });
      continue;
    }
    await deps.runs.applyJournal(head, entry);
    deps.logger.warn('Applied the journal of a run that did not finish', { head, history: entry.history.length, states: entry.writes.length + entry.deletes.length });
  }
}

/** Writes the obligations an earlier execution could not record into the aggregator records, newest last (newest wins). */
async function recordCarried(deps: StepDeps, carried: readonly CarriedObligation[]): Promise<void> {
  const byAggregator = new Map<string, CarriedObligation[]>();
  for (const o of carried) byAggregator.set(o.aggregator, [...(byAggregator.get(o.aggregator) ?? []), o]);
  for (const [aggregator, obligations] of byAggregator) {
    const ordered = [...obligations].sort((a, b) => (a.monitorErrorNotifiedAt < b.monitorErrorNotifiedAt ? -1 : 1));
    let meta = (await deps.store.getMeta(aggregator)) ?? { aggregator };
    for (const o of ordered) meta = metaAfterObligation(meta, o);
    // As of the run that sent the notice: a newer run's record is kept.
    await putMeta(deps, meta, ordered.at(-1)!.monitorErrorNotifiedAt);
    deps.logger.info('Recorded an obligation carried from an earlier run', { aggregator, obligations: ordered.length });
  }
}

/**
 * Every aggregator of the account and region. A failure (say, a permission removed) becomes the DISCOVERY
 * pseudo-aggregator's error, notified and recorded like an aggregator's; a discovery that works again after one is
 * `recovering` (its recovery notice is Notify's).
 */
async function discover(deps: StepDeps): Promise<{ names: string[]; failure?: Cursor['error']; recovering?: boolean }> {
  const meta = await deps.store.getMeta(DISCOVERY);
  try {
    const names = await deps.reader.listAggregators();
    if (names.length === 0) deps.logger.warn('No configuration aggregator in this account and region: nothing to watch');
    return { names, recovering: meta?.monitorError !== undefined };
  } catch (e) {
    deps.logger.error('Could not list the aggregators', { error: e as Error });
    const error = recordedError(e);
    return { names: [], failure: { name: error.code, message: error.message } };
  }
}
