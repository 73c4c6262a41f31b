/**
 * The contract between the run's state machine (lib/monitor/workflow.ts), the function's steps (lambda/steps/) and
 * the dispatcher (lambda/dispatcher.ts): what each Task sends and gets back. One definition, so the three cannot
 * drift apart. Everything here is small control data of constant size: the observations, cursors, journals and unit
 * results live in the table (adapters/store/run-store.ts), never in the execution's state (256 KiB per state, 25,000
 * events per execution: Step Functions service quotas, https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 *
 * Design and evidence: docs/decisions/engine.md.
 */
import type { MonitorError, RunError } from './model';

/** The kinds of step the function runs, one per Task invocation (the payload's `step`). */
export const STEPS = ['begin', 'read', 'reconcile', 'notify', 'finalize'] as const;
export type StepName = (typeof STEPS)[number];

/**
 * The rate the Config limiter learned (requests a second), handed from read round to read round and from run to
 * run (in the run marker) so that only a first run starts cold. `ceiling` null: no throttle seen yet.
 */
export interface RateState {
  readonly rate: number;
  readonly ceiling: number | null;
}

/**
 * An aggregator-level notice obligation a run could not record (its monitor-error or recovery notice was accepted
 * by SNS, but DynamoDB refused the aggregator record): carried by the next execution's input until a Begin writes
 * it (gap 1 of the reliability doc).
 */
export interface CarriedObligation {
  readonly aggregator: string;
  readonly monitorError?: MonitorError;
  /** When the monitor-error (or recovery) notice was accepted. */
  readonly monitorErrorNotifiedAt: string;
}

/** The execution's input, written by the dispatcher: a pure function of the scheduled event and the previous execution. */
export interface ExecutionInput {
  /** The scheduled event's time, ISO 8601: the run's logical time (history keys are built from it). */
  readonly at: string;
  readonly carried: readonly CarriedObligation[];
}

/** One reconcile unit: an aggregator's shards (adapters/store/table-schema.ts SHARDS) reconciled in one Task. */
export interface ReconcileUnit {
  readonly aggregator: string;
  /** Shard numbers, ascending. A full sweep has one shard a unit; a fast-path aggregator one unit of all shards. */
  readonly shards: readonly number[];
}

export interface BeginInput {
  readonly step: 'begin';
  readonly at: string;
  readonly carried: readonly CarriedObligation[];
}
export interface BeginResult {
  readonly runAt: string;
  /** Every aggregator of the run (discovered or configured), in order; the discovery failure is recorded by Begin. */
  readonly aggregators: readonly string[];
  /** The read state, as ReadRound returns it: `done` already when there is nothing to read. */
  readonly read: ReadRoundResult;
}

export interface ReadRoundInput {
  readonly step: 'read';
  readonly runAt: string;
  readonly rate: RateState;
  /** Rounds so far (ReadRoundResult.rounds); absent: counted from 0. */
  readonly rounds?: number;
}
export interface ReadRoundResult {
  /** Every aggregator's read finished (completed, or failed as that aggregator's outcome). */
  readonly done: boolean;
  readonly rate: RateState;
  /** Read rounds so far in this run. */
  readonly rounds: number;
  /** When done: the units to reconcile (none for failed aggregators). Empty until then. */
  readonly units: readonly ReconcileUnit[];
}

export interface ReconcileInput {
  readonly step: 'reconcile';
  readonly runAt: string;
  readonly unit: ReconcileUnit;
  /** Where a unit that stopped at its deadline continues; null the first time. */
  readonly progress: ReconcileProgress | null;
}
export interface ReconcileProgress {
  readonly done: boolean;
  /** The next shard index within `unit.shards` (and sub-bucket within it) to reconcile. */
  readonly shardIndex: number;
  readonly bucket: number;
}

export interface NotifyInput {
  readonly step: 'notify';
  readonly runAt: string;
  readonly aggregator: string;
}
/** What Notify published about the aggregator's monitor error: kept in the execution, which does not depend on DynamoDB. */
export interface NotifyResult {
  readonly aggregator: string;
  readonly published: number;
  /** The aggregator-level notice accepted in this run, if any: Finalize records it; if it cannot, the next run does. */
  readonly obligation: CarriedObligation | null;
  /** A channel refused what was owed: the aggregator's failure in this run, recorded by Finalize (as a read error is). */
  readonly error?: RunError;
}

export interface FinalizeInput {
  readonly step: 'finalize';
  readonly runAt: string;
  readonly notified: readonly NotifyResult[];
}
export interface FinalizeResult {
  /** The aggregators that could not be watched: the execution then ends in AggregatorsFailed. */
  readonly failed: readonly string[];
}

export type StepInput = BeginInput | ReadRoundInput | ReconcileInput | NotifyInput | FinalizeInput;

/**
 * The execution's states and errors: the names the state machine, the dispatcher, the alarms and the docs use.
 * (State names are at most 80 characters, Step Functions quotas.)
 */
export const WORKFLOW = {
  states: {
    begin: 'Begin',
    read: 'ReadRound',
    readMore: 'ReadMore?',
    reconcile: 'Reconcile',
    reconcileUnit: 'ReconcileUnit',
    unitMore: 'UnitMore?',
    notify: 'Notify',
    notifyAggregator: 'NotifyAggregator',
    finalize: 'Finalize',
    anyFailed: 'AnyFailed?',
    succeeded: 'Succeeded',
    aggregatorsFailed: 'AggregatorsFailed',
    unrecorded: 'Unrecorded',
  },
  errors: {
    /** Some aggregators could not be watched (their failure is recorded and notified): the execution fails. */
    aggregatorsFailed: 'AggregatorsFailed',
    /** Finalize could not record what Notify accepted: the cause is the JSON of the NotifyResults, carried next run. */
    unrecorded: 'UnrecordedNotices',
  },
} as const;

/**
 * The execution's name for a scheduled time: `run-` and the time without `:` and `.` (run-20261124T064500Z;
 * names allow `[0-9A-Za-z_-]`, at most 80 characters, StartExecution API reference). The same event always gives
 * the same name, so a re-delivered event starts nothing new (StartExecution is idempotent for Standard workflows).
 */
export function executionName(at: string): string {
  return `run-${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[:-]/g, '')}`;
}

/**
 * The run's logical time: the scheduled event's `time` (EventBridge sets it to the time the rule fired, the same on
 * every delivery and retry of that event), so a re-delivered event is recognisably the same run: the same execution
 * name, the same history keys. Any other invocation (a manual test) runs at the current minute, so two started
 * within one minute are the same run too. ISO 8601, milliseconds included (`2026-11-24T06:45:00.000Z`).
 */
export function runTime(event: unknown, now = new Date()): string {
  const time = (event as { time?: unknown } | null)?.time;
  const parsed = typeof time === 'string' ? new Date(time) : undefined;
  if (parsed && !Number.isNaN(parsed.getTime())) return parsed.toISOString();
  const minute = new Date(now.getTime());
  minute.setUTCSeconds(0, 0);
  return minute.toISOString();
}

/**
 * The shared Config rate budget of one worker process (adapters/config-rate.ts): every Config call of a read round
 * goes through it; its learned state is handed on in ReadRoundResult.rate and the run marker.
 */
export interface RateBudget {
  state(): RateState;
  /** Starts from a rate learned before (a previous round or run); a cold start when never seeded. */
  seed(state: RateState): void;
}
