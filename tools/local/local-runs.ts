/**
 * The run's engine, locally: what AWS runs at each scheduled tick, on the local mode's endpoints.
 *
 *   tick -> the dispatcher's handler (lambda/dispatcher.ts) with the EventBridge scheduled event
 *        -> StartExecution on the local Step Functions endpoint (fake-stepfunctions.ts)
 *        -> the app's state machine definition (app-state-machine.ts: synthesized from the CDK app) executed by
 *           aws-local-stepfunctions (sfn-execution.ts)
 *        -> each Task invokes the worker's handler (lambda/handler.ts, `{ "step": ... }`) with a Lambda context.
 *
 * The handlers run in this process by default, imported once the local mode's environment is in place (they read
 * it at cold start, as in Lambda); `invoke` replaces the in-process worker, e.g. with the deployable bundle run in
 * a Lambda-like process (sfn-execution.ts invokeOutcomeOf). Lambda runs each concurrent invocation in its own
 * execution environment and reuses a free one for the next (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html):
 * so does the in-process worker, each environment an instance of lambda/handler.ts of its own (imported with a
 * query of its own), with its own stores, write pace and logger. What the handler imports is one instance for all
 * (lambda/clients.ts: the SDK clients and the Config rate limiter). A Task that outlives its Lambda context's
 * deadline is not killed.
 *
 * Time: every Retry waits `retryIntervalMs` (default 0) instead of the definition's intervals; a ReadRound's
 * Lambda context can be given a short life (`readRoundBudgetMs`), so that a read spans several rounds, as a large
 * organization's does against the 15-minute timeout: the round stops starting chunks READ_MARGIN_MS before its
 * context's end (lambda/steps/read-round.ts), and always reads one chunk.
 */
import type { Context } from 'aws-lambda';
import { WORKFLOW } from '../../core/workflow';
import type { DispatchResult } from '../../lambda/dispatch';
import { READ_MARGIN_MS } from '../../lambda/steps/read-round';
import { appStateMachine } from './app-state-machine';
import type { FakeStepFunctions } from './fake-stepfunctions';
import { lambdaContext, scheduledEvent, type InvocationTarget } from './invocation';
import type { InvokeContext, InvokeFunction, InvokeOutcome, LocalExecution } from './sfn-execution';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalRunsOptions {
  /** The worker's handler; default lambda/handler.ts, imported here (the environment must be applied first). */
  readonly worker?: LambdaHandler;
  /** The dispatcher's handler; default lambda/dispatcher.ts, imported here likewise. */
  readonly dispatcher?: LambdaHandler;
  /** Runs each Task instead of the in-process worker (the worker's handler is then not imported). */
  readonly invoke?: InvokeFunction;
  /** The ASL definition to execute; default the app's, synthesized with the local mode's settings. */
  readonly definition?: unknown;
  /**
   * Each ReadRound invocation's time before it stops starting chunks, in ms: its Lambda context counts down from
   * READ_MARGIN_MS + this. Default: none, the worker's whole timeout (as deployed). 0: one chunk per round.
   */
  readonly readRoundBudgetMs?: number;
  /** Every Retry of the definition waits this many ms (default 0). */
  readonly retryIntervalMs?: number;
  /**
   * Called before each Task's invocation (after the Task's events are recorded). An outcome returned is the
   * invocation's instead (a fault: `{ crashed: true }`, a function error); undefined invokes the worker.
   */
  readonly beforeTask?: (task: TaskCall) => Promise<InvokeOutcome | undefined> | InvokeOutcome | undefined;
}

export interface TaskCall extends InvokeContext {
  readonly functionArn: string;
  readonly payload: unknown;
}

/** What the local mode gives the engine (local-mode.ts). */
export interface RunsHost {
  readonly target: InvocationTarget;
  readonly stepFunctions: FakeStepFunctions;
  readonly stateMachineArn: string;
  readonly env: Readonly<Record<string, string>>;
  /** The synthesis context the local mode's settings make (lib/context-settings.ts keys). */
  readonly context: Readonly<Record<string, unknown>>;
}

export interface LocalTick {
  readonly runAt: string;
  /** What the dispatcher decided: started, skipped (an earlier execution still running), already running/existing. */
  readonly dispatch: DispatchResult;
  /** The execution this tick started (or found running); undefined when it started none. */
  readonly execution: LocalExecution | undefined;
  /** Settles once that execution is closed (at once when there is none). */
  readonly done: Promise<LocalExecution | undefined>;
}

export class LocalRuns {
  private constructor(
    private readonly host: RunsHost,
    private readonly dispatcher: LambdaHandler,
    /** The worker's local ARN, logical id and timeout, as the definition and the template name them. */
    readonly worker: { readonly logicalId: string; readonly arn: string; readonly timeoutMs: number },
    private readonly environments: Environments | undefined,
  ) {}

  /** Registers the run's state machine on the local endpoint and binds its Tasks to the worker. */
  static async start(host: RunsHost, options: LocalRunsOptions = {}): Promise<LocalRuns> {
    const budget = options.readRoundBudgetMs;
    if (budget !== undefined && (!Number.isFinite(budget) || budget < 0)) throw new RangeError(`readRoundBudgetMs ${budget} must be a number of ms >= 0`);
    if (budget !== undefined && options.invoke) throw new Error('readRoundBudgetMs applies to the in-process worker: with invoke, give the Lambda context yourself');
    requireEnvironment(host.env, options);
    const app = options.definition === undefined ? appStateMachine(host.context, host.target) : undefined;
    const definition = options.definition ?? app?.definition;
    const worker = app?.worker ?? { logicalId: 'Function', arn: onlyFunction(definition), timeoutMs: 15 * 60_000 };
    const dispatcher = options.dispatcher ?? (await import('../../lambda/dispatcher')).handler;
    let environments: Environments | undefined;
    let invoke = options.invoke;
    if (!invoke) {
      environments = new Environments(options.worker);
      invoke = inProcess(environments, host.target, worker, budget);
    }
    const invokeTask = invoke;
    const before = options.beforeTask;
    host.stepFunctions.invoke = async (functionArn, payload, context) => {
      const replaced = await before?.({ ...context, functionArn, payload });
      if (replaced) return replaced;
      return invokeTask(functionArn, payload, context);
    };
    host.stepFunctions.registerStateMachine({ arn: host.stateMachineArn, definition, retryIntervalMs: options.retryIntervalMs ?? 0 });
    return new LocalRuns(host, dispatcher, worker, environments);
  }

  /** One scheduled tick: the dispatcher's invocation with the schedule's event for `at`; does not wait for the run. */
  async tick(at: string | Date): Promise<LocalTick> {
    const event = scheduledEvent(at, this.host.target);
    const dispatch = (await this.dispatcher(event, lambdaContext({ ...this.host.target, functionName: 'Dispatcher' }, 60_000))) as DispatchResult;
    const arn = dispatch.outcome === 'started' || dispatch.outcome === 'already-running' ? dispatch.executionArn : undefined;
    const execution = arn === undefined ? undefined : this.host.stepFunctions.execution(arn);
    return { runAt: dispatch.runAt, dispatch, execution, done: execution ? execution.done : Promise.resolve(undefined) };
  }

  /** A tick, and its execution run to its end. */
  async run(at: string | Date): Promise<LocalTick> {
    const tick = await this.tick(at);
    await tick.done;
    return tick;
  }

  /** Execution environments of the in-process worker started so far (cold starts). */
  get workerEnvironments(): number {
    return this.environments?.started ?? 0;
  }

  /** Every execution of the run's state machine, oldest first. */
  executions(): LocalExecution[] {
    return this.host.stepFunctions.executions(this.host.stateMachineArn);
  }
}

/**
 * The Tasks an execution invoked, in the order each was first invoked, with their counts:
 * `Begin, ReadRound x3, ReconcileUnit x16, NotifyAggregator, Finalize` (every attempt counts).
 */
export function taskSummary(execution: LocalExecution): string {
  const counts = new Map<string, number>();
  for (const call of execution.invocations) counts.set(call.state, (counts.get(call.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => (n === 1 ? state : `${state} x${n}`)).join(', ') || '(no Task)';
}

/** Invocations per Task state (every attempt). */
export function taskCounts(execution: LocalExecution): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of execution.invocations) counts[call.state] = (counts[call.state] ?? 0) + 1;
  return counts;
}

/**
 * The in-process worker's execution environments: an invocation takes a free one, or starts one (a cold start: the
 * handler's module evaluated anew). With a handler given, that one instance serves every invocation.
 */
class Environments {
  started = 0;
  private readonly free: LambdaHandler[] = [];

  constructor(private readonly given?: LambdaHandler) {}

  async run<T>(use: (handler: LambdaHandler) => Promise<T>): Promise<T> {
    if (this.given) return use(this.given);
    const handler = this.free.pop() ?? (await this.start());
    try {
      return await use(handler);
    } finally {
      this.free.push(handler);
    }
  }

  private async start(): Promise<LambdaHandler> {
    const url = new URL('../../lambda/handler.ts', import.meta.url);
    url.searchParams.set('environment', String(++this.started));
    return ((await import(url.href)) as { handler: LambdaHandler }).handler;
  }
}

/** The worker in this process: the payload as Lambda delivers it (JSON), an error as the Node.js runtime reports it. */
function inProcess(
  environments: Environments,
  target: InvocationTarget,
  worker: { readonly logicalId: string; readonly arn: string; readonly timeoutMs: number },
  readRoundBudgetMs: number | undefined,
): InvokeFunction {
  return async (functionArn, payload, { stateName }) => {
    if (functionArn !== worker.arn) return { crashed: true, reason: `no local function ${functionArn} (the worker is ${worker.arn})` };
    const timeoutMs = stateName === WORKFLOW.states.read && readRoundBudgetMs !== undefined ? READ_MARGIN_MS + readRoundBudgetMs : worker.timeoutMs;
    try {
      const event = JSON.parse(JSON.stringify(payload)) as unknown;
      const context = lambdaContext({ ...target, functionName: worker.logicalId }, timeoutMs);
      const result = await environments.run((handler) => handler(event, context));
      return { ok: true, result: JSON.parse(JSON.stringify(result ?? null)) as unknown };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      return { ok: false, errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
    }
  };
}

/** The handlers read their environment at import: it must be this process's before they are imported here. */
function requireEnvironment(env: Readonly<Record<string, string>>, options: LocalRunsOptions): void {
  if (options.dispatcher && (options.worker || options.invoke)) return;
  const different = Object.keys(env).filter((key) => process.env[key] !== env[key]);
  if (different.length > 0) {
    throw new Error(`The local mode's environment is not applied (${different.slice(0, 3).join(', ')}${different.length > 3 ? ', ...' : ''} differ): call local.applyEnv() before starting the runs, which import the handlers`);
  }
}

/** A given definition's one Lambda function ARN (its Tasks' Resource). */
function onlyFunction(definition: unknown): string {
  const arns = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'Resource' && typeof v === 'string' && v.includes(':lambda:')) arns.add(v);
        else visit(v);
      }
    }
  };
  visit(typeof definition === 'string' ? JSON.parse(definition) : definition);
  const [only] = arns;
  if (arns.size !== 1 || !only) throw new Error(`The definition's Tasks should invoke one Lambda function, not ${arns.size ? [...arns].join(', ') : 'none'}`);
  return only;
}
