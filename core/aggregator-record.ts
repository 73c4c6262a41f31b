/**
 * What a run records of an aggregator, decided without I/O: its run summary's starting point, its record after a
 * full sweep, whether that record changed, the error recorded when the aggregator could not be watched, and the
 * counts per status.
 */
import { isDeepStrictEqual } from 'node:util';
import { errorCode } from './errors';
import type { AggregatorMeta, ObservedSource, RunSummary, SourceState } from './model';
import type { MonitorError } from './notices';
import { nextStaleAt } from './sweep';
import type { CarriedObligation } from './workflow';

/** A run summary with nothing read, written or sent yet. */
export function emptySummary(aggregator: string, runAt: string, durationMs: number): RunSummary {
  return {
    aggregator,
    runAt,
    mode: 'full',
    outcome: 'ok',
    counts: {},
    configCalls: 0,
    pagesRead: 0,
    sourcesRead: 0,
    historyWritten: 0,
    stateWritten: 0,
    noticesPublished: 0,
    durationMs,
  };
}

/** Whether a record changed, apart from who wrote it: a run that changed nothing writes nothing. */
export function sameMeta(a: AggregatorMeta, b: AggregatorMeta | undefined): boolean {
  if (b === undefined) return false;
  const { updatedAt: _a, ...next } = a;
  const { updatedAt: _b, ...previous } = b;
  return isDeepStrictEqual(next, previous);
}

/** What was thrown, as the monitor error recorded on the aggregator's record and notified: its code and message. */
export function recordedError(e: unknown): MonitorError {
  return { code: errorCode(e), message: e instanceof Error ? e.message : String(e) };
}

/** Counts per status. On the fast path SUCCEEDED is what the last full sweep saw, less the sources not SUCCEEDED now. */
export function statusCounts(
  observed: readonly ObservedSource[],
  mode: 'full' | 'fast',
  meta: AggregatorMeta | undefined,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of observed) counts[s.status] = (counts[s.status] ?? 0) + 1;
  if (mode === 'fast') counts.SUCCEEDED = Math.max(0, (meta?.totalSources ?? 0) - observed.length);
  return counts;
}

/** The aggregator's record after a full sweep: when it ran, how many sources it saw, when one may turn stale. */
export function afterFullSweep(
  meta: AggregatorMeta,
  states: Iterable<SourceState>,
  totalSources: number,
  at: string,
  staleAfterHours: number | undefined,
): AggregatorMeta {
  return afterFullSweepOf(meta, nextStaleAt(states, staleAfterHours), totalSources, at);
}

/** The same, given the earliest time a source turns stale (the minimum over a run's reconcile units). */
export function afterFullSweepOf(meta: AggregatorMeta, staleAt: string | undefined, totalSources: number, at: string): AggregatorMeta {
  const { nextStaleAt: _previous, ...rest } = meta;
  return { ...rest, lastFullSweepAt: at, totalSources, ...(staleAt ? { nextStaleAt: staleAt } : {}) };
}

/**
 * The aggregator record once an obligation carried from an earlier run is written (gap 1): its monitor-error notice
 * was accepted (the error and when it was notified), or its recovery notice was (no error left).
 */
export function metaAfterObligation(meta: AggregatorMeta, obligation: Pick<CarriedObligation, 'monitorError' | 'monitorErrorNotifiedAt'>): AggregatorMeta {
  const { monitorError: _e, monitorErrorNotifiedAt: _n, ...rest } = meta;
  if (obligation.monitorError === undefined) return rest;
  return { ...rest, monitorError: obligation.monitorError, monitorErrorNotifiedAt: obligation.monitorErrorNotifiedAt };
}
