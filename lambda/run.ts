/**
 * One run of the monitor: for each aggregator, read Config, reconcile with the store, record, notify.
 * Decisions are the core's (core/); this file only sequences the adapters around them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ATTENTION_FILTER, sourceKey, type AggregatorMeta, type ObservedSource, type RunSummary, type SourceState } from '../core/model';
import type { MonitorSettings } from '../core/settings';
import { dedupe, reconcile, type Reconciliation } from '../core/reconcile';
import { attentionSetShrank, fullSweepDue, type SweepReason } from '../core/sweep';
import { afterFullSweep, emptySummary, recordedError, sameMeta, statusCounts } from '../core/aggregator-record';
import {
  afterSilentClear,
  decideMonitorNotice,
  decideSourceNotices,
  metaAfterMonitorNotice,
  type MonitorError,
  type MonitorNotice,
} from '../core/notices';
import type { ConfigReader, ReadResult } from '../adapters/config-reader';
import type { HistoryStore } from '../adapters/store/history-store';
import { WRITE_ITEMS_PER_SECOND } from '../adapters/store/table-schema';
import type { Deadline } from '../core/deadline';
import { AggwatchError } from '../core/errors';
import { decideErrorCodeChanges, type FindingsContext } from '../core/findings';
import { changedBefore, deliverDigest, monitorMarker, type DeliveryInput, type Integrations, type Publisher } from './deliver';
import type { ReportStep } from './reports';

export type { Integrations, Publisher } from './deliver';

export interface MonitorDeps {
  readonly settings: MonitorSettings;
  readonly reader: ConfigReader;
  readonly store: HistoryStore;
  readonly notifier: Publisher;
  /** EventBridge, Security Hub CSPM and chat (lambda/deliver.ts); absent: the SNS digest only. */
  readonly integrations?: Integrations;
  readonly logger: Logger;
  /** The status report of each aggregator swept in full (reportBucket); never fails the run (reports.ts). */
  readonly reports?: ReportStep;
}

export interface RunContext {
  /** The run's logical time: the scheduled event's time, so a retried delivery is the same run. */
  readonly at: string;
  /** Milliseconds left before the function is cut off. */
  readonly remainingMs?: () => number;
  /** The function's account, region and partition: where Security Hub findings are imported. */
  readonly findingsContext?: FindingsContext;
}

export interface RunReport {
  readonly at: string;
  readonly aggregators: RunSummary[];
  readonly failed: string[];
  readonly durationMs: number;
}

/**
 * Time kept for notifying and recording the run once the sources' changes are written. The reader keeps this much,
 * plus the time to write two items (history and state) for every source read, before it asks for another page; the
 * store keeps this much before each batch. So a run ends on its own, loudly, before Lambda would cut it off.
 */
export const RESERVE_MS = 60_000;

/** Writing a source's history entry and state at the store's pace (WRITE_ITEMS_PER_SECOND). */
export const WRITE_MS_PER_SOURCE = (2 * 1000) / WRITE_ITEMS_PER_SECOND;

/**
 * The run's own error: thrown by the handler when aggregators failed, so the invocation fails and the function's
 * error alarm fires. Each aggregator's failure is recorded and notified on its own (see recordedError).
 */
export class MonitorRunError extends AggwatchError {
  override readonly name = 'MonitorRunError';
  readonly code = 'AggregatorsFailed';
  constructor(readonly report: RunReport) {
    super(
      `${report.failed.length} of ${report.aggregators.length} aggregators failed: ` +
        report.aggregators
          .filter((a) => a.outcome === 'error')
          .map((a) => `${a.aggregator} (${a.error?.name}: ${a.error?.message})`)
          .join('; '),
    );
  }
}

export { DISCOVERY } from './steps/deps';
import { DISCOVERY } from './steps/deps';

export async function runMonitor(deps: MonitorDeps, ctx: RunContext): Promise<RunReport> {
  const started = Date.now();
  const discovered = deps.settings.aggregators ? { names: deps.settings.aggregators } : await discover(deps, ctx);
  if ('failure' in discovered) {
    return { at: ctx.at, aggregators: [discovered.failure], failed: [DISCOVERY], durationMs: Date.now() - started };
  }
  const { names } = discovered;
  if (names.length === 0) deps.logger.warn('No configuration aggregator in this account and region: nothing to watch');
  const aggregators: RunSummary[] = [];
  // One after another: each aggregator's pages are sequential anyway, and Config's rate limit is per account.
  for (const aggregator of names) {
    deps.logger.appendKeys({ aggregator });
    aggregators.push(await watchAggregator(deps, ctx, aggregator));
    deps.logger.removeKeys(['aggregator']);
  }
  await deps.reports?.afterRun(ctx, aggregators);
  return {
    at: ctx.at,
    aggregators,
    failed: aggregators.filter((a) => a.outcome === 'error').map((a) => a.aggregator),
    durationMs: Date.now() - started,
  };
}

/**
 * Every aggregator of the account and region. A failure (say, a permission removed) is notified like an
 * aggregator's, reminded, and followed by a recovery notice once listing works again.
 */
async function discover(
  deps: MonitorDeps,
  ctx: RunContext,
): Promise<{ names: readonly string[] } | { failure: RunSummary }> {
  const started = Date.now();
  let meta: AggregatorMeta | undefined;
  try {
    meta = await deps.store.getMeta(DISCOVERY);
    const names = await deps.reader.listAggregators();
    const recovery = decideMonitorNotice(meta, undefined, deps.settings, ctx.at);
    if (recovery) await notify(deps, ctx, { digest: { aggregator: DISCOVERY, at: ctx.at, sources: [], monitor: recovery }, ...monitorMarker(meta) });
    if (meta?.monitorError) await putMeta(deps, metaAfterMonitorNotice(meta, recovery, undefined, ctx.at), ctx.at);
    return { names };
  } catch (e) {
    deps.logger.error('Could not list the aggregators', { error: e as Error });
    const partial = { ...emptySummary(DISCOVERY, ctx.at, Date.now() - started), configCalls: 1 };
    return { failure: await recordFailure(deps, ctx, DISCOVERY, meta, e, partial) };
  }
}

interface Observation {
  readonly mode: 'full' | 'fast';
  readonly reason?: SweepReason;
  readonly read: ReadResult;
  readonly observed: ObservedSource[];
  readonly previous: Map<string, SourceState>;
  readonly calls: number;
}

/** What a run observed and what changed, without the source lists it came from (freed before the writes). */
interface Assessment {
  readonly mode: 'full' | 'fast';
  readonly reason?: SweepReason;
  readonly pages: number;
  readonly calls: number;
  readonly sourcesRead: number;
  readonly counts: Record<string, number>;
  readonly rec: Reconciliation;
  /** The states before this run of the sources whose status or error code changed (the events' `previous`). */
  readonly previous: Map<string, SourceState>;
}

async function watchAggregator(deps: MonitorDeps, ctx: RunContext, aggregator: string): Promise<RunSummary> {
  const { settings, store, logger } = deps;
  const started = Date.now();
  const writesBefore = store.writeRequests;
  let meta: AggregatorMeta | undefined;
  let published = 0;
  let counts: Record<string, number> = {};
  let configCalls = 0;
  const summary = (fields: Partial<RunSummary>): RunSummary => ({
    ...emptySummary(aggregator, ctx.at, Date.now() - started),
    counts,
    configCalls,
    noticesPublished: published,
    ...fields,
  });

  try {
    meta = await store.getMeta(aggregator);
    const seen = await assess(deps, ctx, aggregator, meta);
    const { rec } = seen;
    configCalls = seen.calls;
    counts = seen.counts;
    await store.record(rec, deadlineOf(ctx));
    logger.info('Recorded', {
      mode: seen.mode,
      sweepReason: seen.reason,
      pages: seen.pages,
      sources: seen.sourcesRead,
      history: rec.history.length,
      states: rec.writes.length + rec.deletes.length,
    });

    const decision = decideSourceNotices(rec.states.values(), settings, ctx.at);
    const monitorNotice = decideMonitorNotice(meta, undefined, settings, ctx.at);
    // After the history and state writes: every channel, marked once all accepted (lambda/deliver.ts).
    published = await notify(deps, ctx, {
      digest: { aggregator, at: ctx.at, sources: decision.notices, ...(monitorNotice ? { monitor: monitorNotice } : {}) },
      errorCodeChanges: deps.integrations ? decideErrorCodeChanges(rec.states.values(), settings, (s) => s.notifiedErrorCode) : [],
      previous: seen.previous,
      ...monitorMarker(meta),
    });
    await recordMarkers(store, decision.silentClears.map((s) => [s, afterSilentClear(s)]));

    const kept = metaAfterMonitorNotice(meta ?? { aggregator }, monitorNotice, undefined, ctx.at);
    const next: AggregatorMeta =
      seen.mode === 'fast' ? kept : afterFullSweep(kept, rec.states.values(), seen.sourcesRead, ctx.at, settings.staleAfterHours);
    if (!sameMeta(next, meta)) await putMeta(deps, next, ctx.at);

    const report = summary({
      mode: seen.mode,
      ...(seen.reason ? { sweepReason: seen.reason } : {}),
      pagesRead: seen.pages,
      sourcesRead: seen.sourcesRead,
      historyWritten: rec.history.length,
      stateWritten: rec.writes.length + rec.deletes.length,
      noticesPublished: published,
    });
    await store.putRun({ ...report, writeRequests: store.writeRequests - writesBefore });
    return report;
  } catch (e) {
    logger.error('Aggregator run failed', { error: e as Error });
    return recordFailure(deps, ctx, aggregator, meta, e, { ...summary({}), writeRequests: store.writeRequests - writesBefore });
  }
}

/**
 * Observes the aggregator and reconciles it with what is remembered. Returns only the outcome: at 100,000 sources
 * the lists read and loaded are most of the run's memory, and they are garbage before the first write.
 */
async function assess(
  deps: MonitorDeps,
  ctx: RunContext,
  aggregator: string,
  meta: AggregatorMeta | undefined,
): Promise<Assessment> {
  const obs = await observe(deps, ctx, aggregator, meta);
  const rec = reconcile({
    aggregator,
    at: ctx.at,
    observed: obs.observed,
    previous: obs.previous,
    complete: obs.mode === 'full',
    ...(deps.settings.staleAfterHours !== undefined ? { staleAfterHours: deps.settings.staleAfterHours } : {}),
  });
  return {
    mode: obs.mode,
    ...(obs.reason ? { reason: obs.reason } : {}),
    pages: obs.read.pages,
    calls: obs.calls,
    sourcesRead: obs.observed.length,
    counts: statusCounts(obs.observed, obs.mode, meta),
    rec,
    previous: changedBefore(rec, obs.previous),
  };
}

/** Reads Config and the remembered states it is compared with: fast path when it suffices, else a full sweep. */
async function observe(
  deps: MonitorDeps,
  ctx: RunContext,
  aggregator: string,
  meta: AggregatorMeta | undefined,
): Promise<Observation> {
  const { reader, store, settings, logger } = deps;
  const deadline = deadlineOf(ctx);
  const readOptions = { ...(deadline ? { deadline } : {}), reservePerSourceMs: WRITE_MS_PER_SOURCE };
  let reason = fullSweepDue(meta, settings, ctx.at);
  let calls = 0;

  if (reason === undefined) {
    const [remembered, read] = await Promise.all([
      store.loadAttention(aggregator),
      reader.readSources(aggregator, { ...readOptions, statuses: ATTENTION_FILTER }),
    ]);
    calls += read.calls;
    const observed = dedupeLogged(read.sources, logger);
    if (!attentionSetShrank(remembered.values(), observed)) {
      const unknown = observed.filter((s) => !remembered.has(sourceKey(s)));
      const fetched = unknown.length > 0 ? await store.getStates(aggregator, unknown) : new Map<string, SourceState>();
      return { mode: 'fast', read, observed, previous: new Map([...remembered, ...fetched]), calls };
    }
    reason = 'attention-set-shrank';
  }

  const [previous, read] = await Promise.all([store.loadAll(aggregator), reader.readSources(aggregator, readOptions)]);
  calls += read.calls;
  return { mode: 'full', reason, read, observed: dedupeLogged(read.sources, logger), previous, calls };
}

function deadlineOf(ctx: RunContext): Deadline | undefined {
  return ctx.remainingMs ? { remainingMs: ctx.remainingMs, reserveMs: RESERVE_MS } : undefined;
}

function dedupeLogged(sources: readonly ObservedSource[], logger: Logger): ObservedSource[] {
  const { sources: unique, duplicates } = dedupe(sources);
  if (duplicates > 0) logger.warn('Config returned the same source more than once; kept the last', { duplicates });
  return unique;
}

/** Delivers a digest on every channel (lambda/deliver.ts); throws, leaving what was not accepted owed, if any refused. */
async function notify(deps: MonitorDeps, ctx: RunContext, input: Omit<DeliveryInput, 'findingsContext'>): Promise<number> {
  const outcome = await deliverDigest(deps, { ...input, ...(ctx.findingsContext ? { findingsContext: ctx.findingsContext } : {}) });
  return outcome.published;
}

async function recordMarkers(store: HistoryStore, updates: [SourceState, SourceState | undefined][]): Promise<void> {
  if (updates.length === 0) return;
  await store.record({
    writes: updates.flatMap(([, next]) => (next ? [next] : [])),
    deletes: updates.flatMap(([prev, next]) => (next ? [] : [prev])),
  });
}

/** Notifies and records a failed aggregator (or discovery); neither step may hide the failure itself. */
async function recordFailure(
  deps: MonitorDeps,
  ctx: RunContext,
  aggregator: string,
  meta: AggregatorMeta | undefined,
  e: unknown,
  partial: RunSummary,
): Promise<RunSummary> {
  const error = recordedError(e);
  const report: RunSummary = { ...partial, outcome: 'error', error: { name: error.code, message: error.message } };
  await reportFailure(deps, ctx, aggregator, meta, error);
  await deps.store.putRun(report).catch((err: unknown) => {
    deps.logger.error('Could not record the run summary', { error: err as Error });
  });
  return report;
}

/** Best effort: tell people the aggregator could not be watched, without letting that hide the first error. */
async function reportFailure(
  deps: MonitorDeps,
  ctx: RunContext,
  aggregator: string,
  meta: AggregatorMeta | undefined,
  error: MonitorError,
): Promise<void> {
  const notice: MonitorNotice | undefined = decideMonitorNotice(meta, error, deps.settings, ctx.at);
  try {
    if (notice) await notify(deps, ctx, { digest: { aggregator, at: ctx.at, sources: [], monitor: notice }, ...monitorMarker(meta) });
    await putMeta(deps, metaAfterMonitorNotice(meta ?? { aggregator }, notice, error, ctx.at), ctx.at);
  } catch (e) {
    deps.logger.error('Could not notify or record the aggregator failure', { error: e as Error });
  }
}

async function putMeta(deps: MonitorDeps, meta: AggregatorMeta, at: string): Promise<void> {
  if (!(await deps.store.putMeta(meta, at))) {
    deps.logger.warn('A newer run already recorded this aggregator: kept its record', { aggregator: meta.aggregator });
  }
}
