/**
 * Finalize: records the run. Per aggregator: counts from the unit summaries (the run that wrote the states is the
 * one that counts them, gap 3), the aggregator record (after a full sweep, with what Notify accepted of the
 * monitor notice; conditional, so a newer run's record is kept), the run summary; then the status reports of the
 * full sweeps, the run marker `done`, and the run's metrics. Every write is idempotent: the state machine retries
 * Finalize, and if it still cannot record what Notify accepted, the execution ends in UnrecordedNotices with the
 * obligations in its cause, for the next run's Begin (gap 1).
 */
import type { Cursor, UnitSummary } from '../../adapters/store/run-store-api';
import { afterFullSweepOf, emptySummary, sameMeta } from '../../core/aggregator-record';
import type { AggregatorMeta, RunError, RunSummary } from '../../core/model';
import { metaAfterMonitorNotice, type MonitorNotice } from '../../core/notices';
import type { FinalizeInput, FinalizeResult, NotifyResult } from '../../core/workflow';
import { emitMetrics } from '../metrics';
import { DISCOVERY, putMeta, runTimeOf, type StepContext, type StepDeps } from './deps';

/** Only the kind matters to metaAfterMonitorNotice: a monitor-error notice was accepted in this run. */
const MONITOR_ERROR_ACCEPTED = { kind: 'monitor-error' } as MonitorNotice;

export async function finalize(deps: StepDeps, input: Omit<FinalizeInput, 'step'>, ctx: StepContext): Promise<FinalizeResult> {
  const { runs, store } = deps;
  const runAt = runTimeOf(input.runAt, 'runAt');
  const marker = await runs.getMarker(runAt);
  if (!marker) throw new Error(`No run marker for the run at ${runAt}: Begin writes it`);
  const notified = new Map(input.notified.map((n) => [n.aggregator, n]));
  const cursors = new Map((await runs.cursors(runAt)).map((c) => [c.aggregator, c]));
  // From Begin's start (a run whose marker predates startedAt: from its scheduled time).
  const durationMs = Math.max(0, Date.now() - Date.parse(marker.startedAt ?? runAt));
  const summaries: RunSummary[] = [];

  if (marker.discovery) {
    const summary = await recordDiscovery(deps, runAt, marker.discovery.error, notified.get(DISCOVERY), durationMs);
    if (summary) summaries.push(summary);
  }
  for (const aggregator of marker.aggregators) {
    const cursor = cursors.get(aggregator);
    if (!cursor) throw new Error(`No cursor for aggregator ${JSON.stringify(aggregator)} in the run at ${runAt}`);
    summaries.push(await recordAggregator(deps, cursor, notified.get(aggregator), durationMs));
  }
  await deps.reports?.afterRun({ at: runAt, remainingMs: ctx.remainingMs }, summaries);
  await runs.putMarker({ ...marker, state: 'done' });
  const failed = summaries.filter((s) => s.outcome === 'error').map((s) => s.aggregator);
  if (deps.metrics) emitMetrics(deps.metrics, { aggregators: summaries, failed, durationMs });
  deps.logger.info('Run finished', { failed, durationMs, writeRequests: store.writeRequests });
  return { failed };
}

async function recordAggregator(deps: StepDeps, cursor: Cursor, notified: NotifyResult | undefined, durationMs: number): Promise<RunSummary> {
  const { runs, store } = deps;
  const { aggregator, runAt } = cursor;
  const meta = await store.getMeta(aggregator);
  const units = cursor.outcome === 'read' ? await runs.unitSummaries(runAt, aggregator) : [];
  const totals = sum(units);
  const counts = { ...totals.counts };
  // The fast read asks only for the sources not SUCCEEDED: the others are what the last full sweep saw, less these.
  if (cursor.mode === 'fast' && cursor.outcome === 'read') counts.SUCCEEDED = Math.max(0, (meta?.totalSources ?? 0) - totals.sourcesRead);
  const error: RunError | undefined = cursor.outcome === 'error' ? cursor.error : notified?.error;
  const summary: RunSummary = {
    ...emptySummary(aggregator, runAt, durationMs),
    mode: cursor.mode,
    ...(cursor.reason && cursor.mode === 'full' ? { sweepReason: cursor.reason } : {}),
    counts,
    configCalls: cursor.calls,
    pagesRead: cursor.pages,
    sourcesRead: totals.sourcesRead,
    historyWritten: totals.historyWritten,
    stateWritten: totals.stateWritten,
    noticesPublished: notified?.published ?? 0,
    ...(error ? { outcome: 'error', error } : {}),
  };
  if (error) {
    // Recorded with the notice Notify had accepted about it (if any), never hiding the failure.
    await putMeta(deps, errorMeta(meta, aggregator, notified, error, runAt), runAt);
  } else {
    const kept = metaAfterMonitorNotice(meta ?? { aggregator }, undefined, undefined, runAt);
    const next = cursor.mode === 'fast' ? kept : afterFullSweepOf(kept, earliest(units), totals.sourcesRead, runAt);
    if (!sameMeta(next, meta)) await putMeta(deps, next, runAt);
    if (!notified) deps.logger.warn('No Notify result for an aggregator of the run', { aggregator });
  }
  await store.putRun(summary);
  deps.logger.info('Recorded', { aggregator, mode: cursor.mode, sweepReason: cursor.reason, pages: cursor.pages, sources: totals.sourcesRead, history: totals.historyWritten, states: totals.stateWritten });
  return summary;
}

/** The discovery's record: its failure (recorded and summarised), or its recovery (the error cleared, no summary). */
async function recordDiscovery(
  deps: StepDeps,
  runAt: string,
  error: RunError | undefined,
  notified: NotifyResult | undefined,
  durationMs: number,
): Promise<RunSummary | undefined> {
  const meta = await deps.store.getMeta(DISCOVERY);
  if (!error) {
    const next = metaAfterMonitorNotice(meta ?? { aggregator: DISCOVERY }, undefined, undefined, runAt);
    if (!sameMeta(next, meta)) await putMeta(deps, next, runAt);
    return undefined;
  }
  await putMeta(deps, errorMeta(meta, DISCOVERY, notified, error, runAt), runAt);
  const summary: RunSummary = { ...emptySummary(DISCOVERY, runAt, durationMs), configCalls: 1, noticesPublished: notified?.published ?? 0, outcome: 'error', error };
  await deps.store.putRun(summary);
  return summary;
}

function errorMeta(meta: AggregatorMeta | undefined, aggregator: string, notified: NotifyResult | undefined, error: RunError, runAt: string): AggregatorMeta {
  const accepted = notified?.obligation?.monitorError !== undefined ? MONITOR_ERROR_ACCEPTED : undefined;
  return metaAfterMonitorNotice(meta ?? { aggregator }, accepted, { code: error.name, message: error.message }, runAt);
}

function sum(units: readonly UnitSummary[]) {
  const counts: Record<string, number> = {};
  let sourcesRead = 0;
  let historyWritten = 0;
  let stateWritten = 0;
  for (const u of units) {
    for (const [status, n] of Object.entries(u.counts)) counts[status] = (counts[status] ?? 0) + n;
    sourcesRead += u.sourcesRead;
    historyWritten += u.historyWritten;
    stateWritten += u.stateWritten;
  }
  return { counts, sourcesRead, historyWritten, stateWritten };
}

/** The earliest time a source of the aggregator turns stale: the minimum over its units. */
function earliest(units: readonly UnitSummary[]): string | undefined {
  let min: string | undefined;
  for (const u of units) if (u.nextStaleAt !== undefined && (min === undefined || u.nextStaleAt < min)) min = u.nextStaleAt;
  return min;
}
