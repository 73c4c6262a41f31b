/**
 * NotifyAggregator: delivers what one aggregator owes after this run's reconcile, on every channel, as the old run
 * did (lambda/deliver.ts: markers only once every channel accepted): the source notices decided on the run's view,
 * the error-code changes, the monitor-error or recovery notice. The view's states carry the markers as stored now,
 * so a retried Notify does not send again what an earlier attempt had accepted and marked. Returns what it
 * accepted of the aggregator-level notice (the obligation Finalize records, carried further if it cannot) and the
 * aggregator's failure if a channel refused: results in the execution's state, which does not depend on DynamoDB.
 */
import { recordedError } from '../../core/aggregator-record';
import { decideErrorCodeChanges } from '../../core/findings';
import { sourceKey, type AggregatorMeta, type RunError, type SourceState } from '../../core/model';
import { afterSilentClear, decideMonitorNotice, decideSourceNotices, type MonitorError, type MonitorNotice } from '../../core/notices';
import type { CarriedObligation, NotifyInput, NotifyResult } from '../../core/workflow';
import { deliverDigest, monitorMarker, type DeliveryInput } from '../deliver';
import { cursorOf, DISCOVERY, runTimeOf, type StepContext, type StepDeps } from './deps';

export async function notifyAggregator(deps: StepDeps, input: Omit<NotifyInput, 'step'>, ctx: StepContext): Promise<NotifyResult> {
  const { runs, store, settings } = deps;
  const runAt = runTimeOf(input.runAt, 'runAt');
  const { aggregator } = input;
  const meta = await store.getMeta(aggregator);
  const failed = await readFailure(deps, runAt, aggregator);
  if (failed) return reportFailure(deps, ctx, runAt, aggregator, meta, { code: failed.name, message: failed.message });

  const view = aggregator === DISCOVERY ? [] : await runs.view(runAt, aggregator);
  const states = await withStoredMarkers(deps, aggregator, view.map((v) => v.state));
  const previous = new Map(view.flatMap((v) => (v.previous ? [[sourceKey(v.state), v.previous] as const] : [])));
  const decision = decideSourceNotices(states, settings, runAt);
  const monitor = decideMonitorNotice(meta, undefined, settings, runAt);
  try {
    const outcome = await deliver(deps, ctx, {
      digest: { aggregator, at: runAt, sources: decision.notices, ...(monitor ? { monitor } : {}) },
      errorCodeChanges: deps.integrations ? decideErrorCodeChanges(states, settings, (s) => s.notifiedErrorCode) : [],
      previous,
      ...monitorMarker(meta),
    });
    await recordMarkers(deps, decision.silentClears);
    return { aggregator, published: outcome.published, obligation: monitor && outcome.monitorDelivered ? obligationOf(aggregator, monitor, undefined, meta, runAt) : null };
  } catch (e) {
    deps.logger.error('Aggregator notices not delivered', { aggregator, error: e as Error });
    return reportFailure(deps, ctx, runAt, aggregator, meta, recordedError(e));
  }
}

/** The aggregator's read failure in this run (its cursor's error), or the discovery's (the run marker's). */
async function readFailure(deps: StepDeps, runAt: string, aggregator: string): Promise<RunError | undefined> {
  if (aggregator === DISCOVERY) {
    const marker = await deps.runs.getMarker(runAt);
    if (!marker?.discovery) throw new Error(`The run at ${runAt} has nothing to tell of the aggregators' discovery: Begin lists ${DISCOVERY} only when it has`);
    return marker.discovery.error;
  }
  const cursor = await cursorOf(deps.runs, runAt, aggregator);
  if (cursor.outcome === 'reading') throw new Error(`Aggregator ${JSON.stringify(aggregator)}: its read is not finished; Notify runs after the reads`);
  return cursor.outcome === 'error' ? (cursor.error ?? { name: 'Error', message: 'the read failed' }) : undefined;
}

/**
 * The view's states with their notice markers as stored now: a state whose item is gone (a removed source whose
 * recovery an earlier attempt delivered) owes nothing more.
 */
async function withStoredMarkers(deps: StepDeps, aggregator: string, states: readonly SourceState[]): Promise<SourceState[]> {
  if (states.length === 0) return [];
  const stored = await deps.store.getStates(aggregator, states);
  return states.flatMap((s) => {
    const now = stored.get(sourceKey(s));
    if (!now) return [];
    const { notifiedCondition: _c, notifiedAt: _a, notifiedErrorCode: _e, ...rest } = s;
    return [
      {
        ...rest,
        ...(now.notifiedCondition !== undefined ? { notifiedCondition: now.notifiedCondition } : {}),
        ...(now.notifiedAt !== undefined ? { notifiedAt: now.notifiedAt } : {}),
        ...(now.notifiedErrorCode !== undefined ? { notifiedErrorCode: now.notifiedErrorCode } : {}),
      },
    ];
  });
}

/** Best effort: tell people the aggregator could not be watched, without letting that hide the failure itself. */
async function reportFailure(
  deps: StepDeps,
  ctx: StepContext,
  runAt: string,
  aggregator: string,
  meta: AggregatorMeta | undefined,
  error: Omit<MonitorError, 'since'>,
): Promise<NotifyResult> {
  const notice = decideMonitorNotice(meta, error, deps.settings, runAt);
  let obligation: CarriedObligation | null = null;
  let published = 0;
  if (notice) {
    try {
      const outcome = await deliver(deps, ctx, { digest: { aggregator, at: runAt, sources: [], monitor: notice }, ...monitorMarker(meta) });
      published = outcome.published;
      if (outcome.monitorDelivered) obligation = obligationOf(aggregator, notice, error, meta, runAt);
    } catch (e) {
      deps.logger.error('Could not notify the aggregator failure', { aggregator, error: e as Error });
    }
  }
  return { aggregator, published, obligation, error: { name: error.code, message: error.message } };
}

/** What the aggregator record must say once this notice was accepted (core/notices metaAfterMonitorNotice's rule). */
function obligationOf(
  aggregator: string,
  notice: MonitorNotice,
  error: Omit<MonitorError, 'since'> | undefined,
  meta: AggregatorMeta | undefined,
  runAt: string,
): CarriedObligation {
  if (notice.kind === 'recovery' || error === undefined) return { aggregator, monitorErrorNotifiedAt: runAt };
  const since = meta?.monitorError?.code === error.code ? meta.monitorError.since : runAt;
  return { aggregator, monitorError: { ...error, since }, monitorErrorNotifiedAt: runAt };
}

async function deliver(deps: StepDeps, ctx: StepContext, input: Omit<DeliveryInput, 'findingsContext'>) {
  return deliverDigest(deps, { ...input, ...(ctx.findingsContext ? { findingsContext: ctx.findingsContext } : {}) });
}

/** Markers cleared without a notice (a recovery while notifyRecoveries is off); a removed source goes. */
async function recordMarkers(deps: StepDeps, silentClears: readonly SourceState[]): Promise<void> {
  if (silentClears.length === 0) return;
  const updates = silentClears.map((s) => [s, afterSilentClear(s)] as const);
  await deps.store.record({
    writes: updates.flatMap(([, next]) => (next ? [next] : [])),
    deletes: updates.flatMap(([prev, next]) => (next ? [] : [prev])),
  });
}
