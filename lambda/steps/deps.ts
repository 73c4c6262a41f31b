/**
 * What every step of the run's workflow is given (built once at the function's init, lambda/handler.ts), and the
 * helpers the steps share. The steps are the workflow's Tasks (core/workflow.ts); each reads what it needs of the
 * run from the table (RunStoreApi) and returns small control data only.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ConfigReader } from '../../adapters/config-reader';
import type { HistoryStore } from '../../adapters/store/history-store';
import type { Cursor, RunStoreApi } from '../../adapters/store/run-store-api';
import type { AggregatorMeta } from '../../core/model';
import type { FindingsContext } from '../../core/findings';
import type { MonitorSettings } from '../../core/settings';
import type { RateBudget } from '../../core/workflow';
import type { Integrations, Publisher } from '../deliver';
import type { MetricsSink } from '../metrics';
import type { ReportStep } from '../reports';

export interface StepDeps {
  readonly settings: MonitorSettings;
  readonly reader: ConfigReader;
  readonly store: HistoryStore;
  readonly runs: RunStoreApi;
  readonly notifier: Publisher;
  readonly integrations?: Integrations;
  readonly logger: Logger;
  readonly reports?: ReportStep;
  /** The shared Config rate budget of this process (adapters/config-rate.ts). */
  readonly rate: RateBudget;
  /** Where Finalize emits the run's metrics; absent: none (tests). */
  readonly metrics?: MetricsSink;
}

/** The name under which a failure to list the aggregators is recorded and notified (not a valid aggregator name). */
export const DISCOVERY = '(aggregator discovery)';

/** One invocation of a step: its time left (Lambda's context), and where Security Hub findings are imported. */
export interface StepContext {
  readonly remainingMs: () => number;
  readonly findingsContext?: FindingsContext;
}

/** The run's logical time as the table keys it: ISO 8601 with milliseconds; a bad value fails naming it. */
export function runTimeOf(value: unknown, field: string): string {
  const parsed = typeof value === 'string' ? new Date(value) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) {
    throw new TypeError(`Invalid ${field}: ${JSON.stringify(value)}. Allowed: an ISO 8601 time, such as 2026-11-24T06:45:00Z.`);
  }
  return parsed.toISOString();
}

/** The cursor of one aggregator in this run; a missing one is a broken run (Begin writes every one). */
export async function cursorOf(runs: RunStoreApi, runAt: string, aggregator: string): Promise<Cursor> {
  const cursor = (await runs.cursors(runAt)).find((c) => c.aggregator === aggregator);
  if (!cursor) throw new Error(`No cursor for aggregator ${JSON.stringify(aggregator)} in the run at ${runAt}: Begin writes one for each aggregator of the run`);
  return cursor;
}

/** Writes an aggregator record unless a newer run did (HistoryStore.putMeta's condition); logs when it kept the newer one. */
export async function putMeta(deps: Pick<StepDeps, 'store' | 'logger'>, meta: AggregatorMeta, at: string): Promise<void> {
  if (!(await deps.store.putMeta(meta, at))) {
    deps.logger.warn('A newer run already recorded this aggregator: kept its record', { aggregator: meta.aggregator });
  }
}
