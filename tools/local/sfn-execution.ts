/**
 * One local Step Functions execution: the definition run by aws-local-stepfunctions in this process, each Task's
 * Lambda function bound to the harness's `invoke` callback, the outcome reported as the service reports it.
 *
 * Lambda tasks (Resource = the function ARN, payloadResponseOnly):
 * - the function returns: the Task's result is its payload;
 * - the function fails (an error returned by the runtime): the Task fails with the function's `errorType` as the
 *   error name and the cause the JSON of the error document the Node.js runtime returns (`errorType`,
 *   `errorMessage`, `trace`: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html); the error name
 *   is what a Retry/Catch `ErrorEquals` matches;
 * - the invocation crashed, was killed or timed out: `Lambda.Unknown`
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
 * The definition's own Retry and Catch handle all three.
 *
 * Limits aws-local-stepfunctions does not enforce, and what happens here:
 * - 256 KiB per state input or output, task input or result, execution input or output ("Maximum input or
 *   output size for a task, state, or execution", https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
 *   enforced; the execution fails with States.DataLimitExceeded, which no Retry or Catch handles ("a terminal error
 *   that can't be caught by the States.ALL error type",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 * - History: service-shaped events (types and detail members of GetExecutionHistory), numbered in order;
 *   `previousEventId` is simply the event before (the service links an event to the one that caused it).
 * - 25,000 events per execution history: NOT enforced (the service's history is not the interpreter's event log);
 *   `history.length` counts the service-shaped events recorded here so a test can assert a budget.
 * - Not supported by the interpreter: Distributed Map, JSONata, ToleratedFailure*, `$$.State.*`/`$$.Task.*`
 *   in the context object (Execution and StateMachine are filled in), heartbeats.
 *   Inside a Map iteration the interpreter sets `$$.Execution.Input` to the iteration's input.
 */
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { payloadBytes, FAIL_SUFFIX, type PreparedDefinition } from './asl-definition';

/** The 256 KiB payload quota, in bytes of UTF-8. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export type InvokeOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly trace?: readonly string[] }
  | { readonly crashed: true; readonly reason?: string };

export interface InvokeContext {
  readonly executionArn: string;
  readonly stateName: string;
}

/**
 * The outcome of an invocation in a Lambda-like process (test/faults/support/lambda-runtime.mjs: `{ ok, result }`
 * or `{ ok: false, phase, error }`; undefined when the process died
 * without one: killed, crashed, out of time) as a Task sees it.
 */
export function invokeOutcomeOf(
  outcome: { readonly ok: boolean; readonly result?: unknown; readonly error?: { readonly name?: string; readonly message?: string; readonly stack?: string } } | undefined,
  reason = 'the process ended without an answer',
): InvokeOutcome {
  if (!outcome) return { crashed: true, reason };
  if (outcome.ok) return { ok: true, result: outcome.result ?? null };
  const error = outcome.error ?? {};
  return { ok: false, errorType: error.name || 'Error', errorMessage: error.message ?? '', trace: (error.stack ?? '').split('\n').filter((l) => l !== '') };
}

/** What runs a Task's Lambda function: the harness's local invocation (in process, or in a Lambda-like process). */
export type InvokeFunction = (functionArn: string, payload: unknown, context: InvokeContext) => Promise<InvokeOutcome>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface StateTransition {
  readonly state: string;
  readonly type: string;
  readonly event: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  readonly mapIndex?: number;
  readonly error?: string;
  readonly cause?: string;
  readonly at: Date;
}

export interface TaskInvocation {
  readonly state: string;
  readonly functionArn: string;
  readonly payload: unknown;
  readonly startedAt: Date;
  /** Settles when the invocation has ended (the outcome; a crash included). */
  outcome?: InvokeOutcome;
  endedAt?: Date;
}

/** A history event as GetExecutionHistory returns it (type, id, previousEventId, timestamp, one details member). */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [details: string]: unknown;
}

export interface ExecutionOptions {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly input: string;
  readonly prepared: PreparedDefinition;
  readonly invoke: InvokeFunction;
  readonly overrides?: RunOptions['overrides'];
}

type Handlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
/** An event of aws-local-stepfunctions' event log (its EventLog union, read field by field). */
type LogEvent = Record<string, unknown> & { readonly type: string };

/** A Lambda function error surfaced to the interpreter: `name` is what Retry/Catch match, `message` the cause. */
class TaskError extends Error {
  constructor(name: string, cause: string, terminal = false) {
    super(cause);
    this.name = name;
    if (terminal) Object.assign(this, { isRetryable: false, isCatchable: false });
  }
}

export class LocalExecution {
  readonly startDate = new Date();
  status: ExecutionStatus = 'RUNNING';
  stopDate: Date | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  readonly transitions: StateTransition[] = [];
  readonly invocations: TaskInvocation[] = [];
  readonly history: HistoryEvent[] = [];
  /** Settles (never rejects) once the execution is closed and its events recorded. */
  readonly done: Promise<LocalExecution>;
  private doom: { error: string; cause: string; status: 'FAILED' | 'ABORTED' } | undefined;
  private lastTopLevel: { name: string; output?: unknown } | undefined;
  private readonly abort: () => void;

  constructor(readonly options: ExecutionOptions) {
    const { prepared } = options;
    const input = JSON.parse(options.input) as unknown;
    this.record('ExecutionStarted', { executionStartedEventDetails: { input: options.input, inputDetails: { truncated: false }, roleArn: options.roleArn } });
    const handlers = Object.fromEntries([...prepared.tasks].map(([state, arn]) => [state, (payload: unknown) => this.runTask(state, arn, payload)])) as unknown as Handlers;
    const machine = new StateMachine(prepared.interpreted, { validationOptions: { noValidate: true } });
    const run = machine.run(input as never, {
      overrides: { ...options.overrides, taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: options.executionArn, Name: options.name, RoleArn: options.roleArn },
        StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineArn.split(':').at(-1) },
      },
    });
    this.abort = run.abort;
    const events = this.consume(run.eventLogs as unknown as AsyncGenerator<LogEvent>);
    this.done = Promise.allSettled([run.result, events]).then(([result]) => {
      this.close(result);
      return this;
    });
  }

  /** StopExecution: the execution ends ABORTED at once; running invocations go on, their results are ignored. */
  stop(error: string | undefined, cause: string | undefined): void {
    if (this.status !== 'RUNNING' || this.doom) return;
    this.doom = { status: 'ABORTED', error: error ?? '', cause: cause ?? '' };
    this.finish('ABORTED', { executionAbortedEventDetails: { ...(error ? { error } : {}), ...(cause ? { cause } : {}) } });
    this.abort();
  }

  private async runTask(state: string, functionArn: string, payload: unknown): Promise<unknown> {
    // Let the event log catch up first, so that this Task's Lambda events follow its TaskStateEntered and a
    // stop or an oversized state seen meanwhile is honoured before anything is invoked.
    await new Promise((resolve) => setImmediate(resolve));
    this.throwIfDoomed();
    this.limit(payload, `The task '${state}' input`, state);
    this.record('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: functionArn, input: JSON.stringify(payload), inputDetails: { truncated: false } } });
    this.record('LambdaFunctionStarted', {});
    const call: TaskInvocation = { state, functionArn, payload, startedAt: new Date() };
    this.invocations.push(call);
    let outcome: InvokeOutcome;
    try {
      outcome = await this.options.invoke(functionArn, payload, { executionArn: this.options.executionArn, stateName: state });
    } catch (e) {
      outcome = { crashed: true, reason: `the harness's invoke threw: ${e instanceof Error ? e.message : String(e)}` };
    }
    call.outcome = outcome;
    call.endedAt = new Date();
    this.throwIfDoomed();
    if ('crashed' in outcome) {
      const cause = `The cause could not be determined because Lambda did not return an error type.${outcome.reason ? ` (local: ${outcome.reason})` : ''}`;
      this.record('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: 'Lambda.Unknown', cause } });
      throw new TaskError('Lambda.Unknown', cause);
    }
    if (!outcome.ok) {
      const cause = JSON.stringify({ errorType: outcome.errorType, errorMessage: outcome.errorMessage, trace: outcome.trace ?? [] });
      this.record('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: outcome.errorType, cause } });
      throw new TaskError(outcome.errorType, cause);
    }
    this.limit(outcome.result, `The state/task '${state}' returned a result`, state);
    this.record('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: JSON.stringify(outcome.result ?? null), outputDetails: { truncated: false } } });
    return outcome.result ?? null;
  }

  /** Once stopped or over a limit, nothing more is invoked: the interpreter is told with an error it cannot retry or catch. */
  private throwIfDoomed(): void {
    const doom = this.doom;
    if (doom) throw new TaskError(doom.error || 'States.Runtime', doom.cause, true);
  }

  /** Fails the execution with States.DataLimitExceeded if `value` is over the payload quota. */
  private limit(value: unknown, what: string, state: string): void {
    if (this.doom) return;
    const bytes = payloadBytes(value);
    if (bytes <= PAYLOAD_LIMIT_BYTES) return;
    const cause = `${what} with a size exceeding the maximum number of bytes service limit (${bytes} > ${PAYLOAD_LIMIT_BYTES} bytes, state '${state}').`;
    this.doom = { status: 'FAILED', error: 'States.DataLimitExceeded', cause };
    this.abort();
    throw new TaskError('States.DataLimitExceeded', cause, true);
  }

  private async consume(events: AsyncGenerator<LogEvent>): Promise<void> {
    for await (const event of events) this.onEvent(event);
  }

  private onEvent(event: LogEvent): void {
    const at = new Date(typeof event.timestamp === 'number' ? event.timestamp : Date.now());
    const state = event.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
    const mapIndex = typeof event.index === 'number' ? event.index : undefined;
    const inMap = mapIndex !== undefined ? { mapIndex } : {};
    if (event.type.startsWith('MapIteration')) {
      const parent = event.parentState as { name: string };
      const details = { name: parent.name, index: mapIndex ?? 0 };
      const key = event.type === 'MapIterationFailed' ? 'mapIterationFailedEventDetails' : event.type === 'MapIterationSucceeded' ? 'mapIterationSucceededEventDetails' : 'mapIterationStartedEventDetails';
      this.record(event.type, { [key]: details });
      return;
    }
    if (!state) return;
    // A rewritten Fail state (asl-definition.ts): its Pass is the Fail state, its Fail is not reported.
    if (state.name.endsWith(FAIL_SUFFIX) && this.options.prepared.rewrittenFails.has(state.name.slice(0, -FAIL_SUFFIX.length))) return;
    const rewritten = this.options.prepared.rewrittenFails.has(state.name);
    const type = rewritten ? 'Fail' : state.type;
    if (mapIndex === undefined) this.lastTopLevel = { name: state.name, ...(event.type === 'StateExited' ? { output: state.output } : {}) };
    switch (event.type) {
      case 'StateEntered':
        this.transitions.push({ state: state.name, type, event: 'entered', at, ...inMap });
        this.record(`${type}StateEntered`, { stateEnteredEventDetails: { name: state.name, input: JSON.stringify(state.input ?? null), inputDetails: { truncated: false } } });
        this.limitState(state.input, state.name, 'input');
        return;
      case 'StateExited':
        if (rewritten) return;
        this.transitions.push({ state: state.name, type, event: 'exited', at, ...inMap });
        this.record(`${type}StateExited`, { stateExitedEventDetails: { name: state.name, output: JSON.stringify(state.output ?? null), outputDetails: { truncated: false } } });
        this.limitState(state.output, state.name, 'output');
        return;
      case 'StateFailed': {
        const error = String(event.Error ?? '');
        const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause ?? '');
        this.transitions.push({ state: state.name, type, event: 'failed', at, error, cause, ...inMap });
        if (error === 'States.Timeout' && type === 'Task') this.record('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error, cause } });
        return;
      }
      case 'StateRetried':
        this.transitions.push({ state: state.name, type, event: 'retried', at, ...inMap });
        return;
      case 'StateCaught':
        this.transitions.push({ state: state.name, type, event: 'caught', at, ...inMap });
        return;
    }
  }

  private limitState(value: unknown, state: string, which: 'input' | 'output'): void {
    try {
      this.limit(value, which === 'input' ? `The state '${state}' was given an input` : `The state/task '${state}' returned a result`, state);
    } catch {
      // limit() has doomed the execution and aborted the interpreter; close() reports it.
    }
  }

  private close(result: PromiseSettledResult<unknown>): void {
    if (this.status !== 'RUNNING') return;
    if (this.doom) {
      this.finish(this.doom.status, { executionFailedEventDetails: { error: this.doom.error, cause: this.doom.cause } });
      return;
    }
    if (result.status === 'fulfilled') {
      if (payloadBytes(result.value) > PAYLOAD_LIMIT_BYTES) {
        this.doom = { status: 'FAILED', error: 'States.DataLimitExceeded', cause: `The execution output has a size exceeding the maximum number of bytes service limit (${payloadBytes(result.value)} > ${PAYLOAD_LIMIT_BYTES} bytes).` };
        this.finish('FAILED', { executionFailedEventDetails: { error: this.doom.error, cause: this.doom.cause } });
        return;
      }
      this.output = JSON.stringify(result.value ?? null);
      this.finish('SUCCEEDED', { executionSucceededEventDetails: { output: this.output, outputDetails: { truncated: false } } });
      return;
    }
    const { error, cause } = this.failureOf(result.reason);
    this.finish('FAILED', { executionFailedEventDetails: { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) } });
  }

  /** The error and cause the service reports for a failed execution; a Fail state's fields as the state gives them. */
  private failureOf(reason: unknown): { error?: string; cause?: string } {
    const inner = reason instanceof Error && reason.cause instanceof Error ? reason.cause : reason instanceof Error ? reason : new Error(String(reason));
    const last = this.lastTopLevel?.name;
    const fail = last ? this.options.prepared.states.get(last) : undefined;
    if (fail?.type !== 'Fail') return { error: inner.name, cause: inner.message };
    const has = (k: string) => typeof fail.definition[k] === 'string';
    // Rewritten: the Pass state's output holds the evaluated Error and Cause.
    if (this.options.prepared.rewrittenFails.has(fail.name)) {
      const evaluated = (this.lastTopLevel?.output ?? {}) as { Error?: string; Cause?: string };
      return { ...(typeof evaluated.Error === 'string' ? { error: evaluated.Error } : {}), ...(typeof evaluated.Cause === 'string' ? { cause: evaluated.Cause } : {}) };
    }
    return { ...(has('Error') || has('ErrorPath') ? { error: inner.name } : {}), ...(has('Cause') || has('CausePath') ? { cause: inner.message } : {}) };
  }

  private finish(status: Exclude<ExecutionStatus, 'RUNNING'>, details: Record<string, unknown>): void {
    if (this.status !== 'RUNNING') return;
    this.status = status;
    this.stopDate = new Date();
    if (status !== 'SUCCEEDED') {
      const d = (details.executionFailedEventDetails ?? details.executionAbortedEventDetails) as { error?: string; cause?: string };
      this.error = d.error;
      this.cause = d.cause;
    }
    this.record(status === 'SUCCEEDED' ? 'ExecutionSucceeded' : status === 'FAILED' ? 'ExecutionFailed' : 'ExecutionAborted', details, true);
  }

  private record(type: string, details: Record<string, unknown>, closing = false): void {
    // Events after the close (a stopped execution's interpreter winding down) are not the service's history.
    if (this.status !== 'RUNNING' && !closing) return;
    const id = this.history.length + 1;
    this.history.push({ id, previousEventId: id - 1, timestamp: new Date(), type, ...details });
  }
}
