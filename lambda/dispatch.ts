/**
 * One scheduled tick, dispatched: the decisions of core/dispatch.ts run against the state machine's executions
 * (adapters/executions.ts) and the table (the skipped tick). The entry point is lambda/dispatcher.ts; this takes
 * its dependencies as arguments, so that tests give it their own.
 *
 * The schedule invokes the dispatcher asynchronously with reserved concurrency 1, so two deliveries never race
 * between the listing and the start; an error fails the invocation, which Lambda retries (twice) and then hands to
 * the on-failure destination.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ExecutionSummary } from '../core/dispatch';
import { carriedFrom, decideTick, executionInput, mayLeaveObligations, previousExecution } from '../core/dispatch';
import type { SkippedRun } from '../core/model';
import { executionName, runTime, type CarriedObligation } from '../core/workflow';
import type { Executions } from '../adapters/executions';

export interface DispatchDeps {
  readonly executions: Pick<Executions, 'running' | 'recent' | 'describe' | 'start'>;
  readonly skipped: { put(skipped: SkippedRun): Promise<void> };
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** The SkippedRuns metric of this tick: 1 skipped, 0 not. */
  readonly countSkipped: (value: 0 | 1) => void;
  readonly now?: () => Date;
}

export type DispatchResult =
  /** This tick's execution was started now. */
  | { readonly outcome: 'started'; readonly runAt: string; readonly execution: string; readonly executionArn: string; readonly carried: number }
  /** This tick's execution was already running (a re-delivered event): nothing started. */
  | { readonly outcome: 'already-running'; readonly runAt: string; readonly execution: string; readonly executionArn: string }
  /** StartExecution said ExecutionAlreadyExists: this tick already has its execution (most likely closed). */
  | { readonly outcome: 'already-exists'; readonly runAt: string; readonly execution: string }
  /** An earlier run was still running: nothing started, the tick recorded as skipped. */
  | { readonly outcome: 'skipped'; readonly runAt: string; readonly execution: string; readonly running: string };

export async function dispatch(deps: DispatchDeps, event: unknown): Promise<DispatchResult> {
  const { executions, logger } = deps;
  const now = deps.now?.() ?? new Date();
  const runAt = runTime(event, now);
  const execution = executionName(runAt);

  const decision = decideTick(runAt, execution, await executions.running(), now);
  if (decision.action === 'already-running') {
    deps.countSkipped(0);
    logger.info('This tick is already running (a re-delivered event): nothing started', { runAt, execution });
    return { outcome: 'already-running', runAt, execution, executionArn: decision.execution.executionArn };
  }
  if (decision.action === 'skip') {
    // Counted before the record is written: a table that refuses the write still leaves the alarm its data point.
    deps.countSkipped(1);
    logger.warn('An earlier run is still running: this tick is skipped', { ...decision.skipped });
    await deps.skipped.put(decision.skipped);
    return { outcome: 'skipped', runAt, execution, running: decision.running.name };
  }

  deps.countSkipped(0);
  const carried = await carriedObligations(deps, await executions.recent(), execution);
  const started = await executions.start(execution, executionInput(runAt, carried));
  if (!started.started) {
    logger.info('This tick already has its execution (ExecutionAlreadyExists): nothing started', { runAt, execution, message: started.message });
    return { outcome: 'already-exists', runAt, execution };
  }
  logger.info('Execution started', { runAt, execution, executionArn: started.executionArn, carried: carried.length });
  return { outcome: 'started', runAt, execution, executionArn: started.executionArn, carried: carried.length };
}

/** What the previous execution leaves to this one (gap 1); what cannot be read is logged and left out. */
async function carriedObligations(
  deps: DispatchDeps,
  recent: readonly ExecutionSummary[],
  execution: string,
): Promise<CarriedObligation[]> {
  const previous = previousExecution(recent, execution);
  if (!previous || !mayLeaveObligations(previous)) return [];
  const { carried, problems } = carriedFrom(await deps.executions.describe(previous.executionArn));
  if (problems.length > 0) {
    deps.logger.warn('Some obligations of the previous execution could not be read: started without them', {
      previous: previous.name,
      problems,
    });
  }
  return carried;
}
