/**
 * A scheduled tick as the deployed engine runs it, locally: the EventBridge event is delivered to the dispatcher
 * bundle (Lambda retries a failed asynchronous invocation twice), which starts the tick's execution on the local
 * Step Functions endpoint (tools/local/fake-stepfunctions.ts, running the synthesized definition); every Task of
 * the execution invokes the worker bundle in a Lambda-like process (environment.ts): a warm one when one is free,
 * else a new one (a cold start). A process killed at a kill point is an invocation that crashed: Step Functions
 * reports it as `Lambda.Unknown` and the definition's own Retry invokes the function again, in a new process.
 *
 * Kill points are counted in one of two scopes:
 * - `step` given: within one Task invocation, the `occurrence`-th invocation of that step in the execution (default
 *   the first): "the nth DynamoDB PutItem of the first ReadRound". The requests counted are that process's own
 *   (attributed by RecordedRequest.client), whatever else runs meanwhile.
 * - no `step`: across the whole execution, every worker invocation's requests in arrival order; the process that
 *   sent the nth one is killed. This is what a seeded "anywhere in the run" point draws from.
 * Either way a kill point fires once per tick: the retries run without it.
 */
import { executionName, WORKFLOW, type StepName } from '../../../core/workflow';
import type { FakeAwsServer, FaultRequest, RecordedRequest } from '../../../tools/local/fake-server';
import type { PublishedMessage } from '../../../tools/local/fake-sns';
import type { FakeStepFunctions } from '../../../tools/local/fake-stepfunctions';
import type { InvokeOutcome, LocalExecution, StateTransition } from '../../../tools/local/sfn-execution';
import { Environment, environmentOf, parseLogs, type Outcome, type Ran } from './environment';
import type { LogLine } from './lab';

export type ServerName = 'config' | 'dynamodb' | 'sns' | 'events' | 'securityhub' | 'states';

export interface KillPoint {
  readonly server: Exclude<ServerName, 'states'>;
  /** Kill when the endpoint receives its nth request in the point's scope (of `operation` only, when given). */
  readonly nth: number;
  readonly operation?: string;
  /** Counts only the requests this picks (e.g. the cursor's PutItem among a round's writes). */
  readonly matches?: (request: FaultRequest) => boolean;
  /**
   * before: the request is never served (a write never lands, a Publish is never accepted);
   * after: it is served (written, accepted) and the process dies before it reads the answer.
   */
  readonly when: 'before' | 'after';
  /** Count within one invocation of this step (see the module comment); absent: across the execution. */
  readonly step?: StepName;
  /** With `step`: which invocation of it, 1-based in start order. Default 1. */
  readonly occurrence?: number;
}

/** A Lambda function as the harness runs it: its bundle directory, Handler setting and ARN. */
export interface FunctionBundle {
  readonly assetDir: string;
  readonly handler: string;
  readonly functionArn: string;
}

export interface TickOptions {
  /** The worker's processes run on a clock this many times faster (time-warp.mjs). Default 1. */
  readonly warp?: number;
  readonly kill?: KillPoint;
  /** The worker's environment overrides for this tick; undefined removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The worker's Lambda timeout the context counts down from, in seconds. Default 900. */
  readonly timeoutSeconds?: number;
  /** Called when a worker invocation ends (the fault scenarios disarm a fault after the first failed attempt). */
  readonly onInvocationEnd?: (invocation: TaskInvocation) => unknown;
}

/** What a process did in one invocation, with the requests it made (its own, by client id). */
/**
 * What each endpoint received, and what SNS accepted, from one process (its invocation) or one tick (dispatcher and
 * worker alike); the ledger clock when it started and when it ended.
 */
export interface Recorded {
  readonly config: RecordedRequest[];
  readonly dynamodb: RecordedRequest[];
  readonly sns: RecordedRequest[];
  readonly events: RecordedRequest[];
  readonly securityhub: RecordedRequest[];
  readonly states: RecordedRequest[];
  readonly published: PublishedMessage[];
  readonly from: number;
  readonly to: number;
  readonly wallMs: number;
}

export interface ProcessRun extends Recorded {
  readonly environment: string;
  /** As the runtime would report it: 0 returned, 1 the handler threw, 2 init error, null the process died. */
  readonly code: 0 | 1 | 2 | null;
  readonly signal: NodeJS.Signals | null;
  /** Killed at the kill point (not: crashed on its own). */
  readonly killed: boolean;
  /** Ran in a new execution environment. */
  readonly cold: boolean;
  readonly outcome: Outcome;
  readonly stdout: string;
  readonly stderr: string;
  readonly logs: LogLine[];
}

/** One Task's invocation of the worker. */
export interface TaskInvocation extends ProcessRun {
  /** The run time (the tick's). */
  readonly at: string;
  readonly state: string;
  readonly step: StepName | undefined;
  readonly payload: unknown;
  /** The function the Task invoked (the state machine's call: lambda:InvokeFunction on it). */
  readonly functionArn: string;
}

export type ExecutionStatus = LocalExecution['status'] | 'NOT_STARTED';

/** One scheduled tick: the dispatcher's deliveries and the execution they started (if any), to its end. */
export interface Execution extends Recorded {
  readonly at: string;
  readonly name: string;
  readonly dispatches: ProcessRun[];
  /** The dispatcher's answer (its last delivery's), e.g. `{ outcome: 'started' | 'skipped' | ... }`. */
  readonly dispatched: unknown;
  readonly status: ExecutionStatus;
  readonly error: string | undefined;
  readonly cause: string | undefined;
  readonly invocations: TaskInvocation[];
  readonly transitions: StateTransition[];
  /** Aggregators whose units this execution reconciled (its Reconcile Map ended), in the read's order. */
  readonly recorded: string[];
}

/** What the workflow needs of the lab: the endpoints, the ledger clock, the environments' variables. */
export interface WorkflowHost {
  server(name: ServerName): FakeAwsServer;
  readonly published: readonly PublishedMessage[];
  readonly stepFunctions: FakeStepFunctions;
  /** Advances and returns the ledger clock. */
  stamp(): number;
  workerEnvironment(overrides?: TickOptions['env'], warp?: number): Record<string, string>;
  dispatcherEnvironment(): Record<string, string>;
}

const SERVERS: readonly ServerName[] = ['config', 'dynamodb', 'sns', 'events', 'securityhub', 'states'];
/** Lambda retries a failed asynchronous invocation twice (Lambda Developer Guide, "Asynchronous invocation"). */
export const ASYNC_RETRIES = 2;

interface ActiveTick {
  readonly at: string;
  readonly options: TickOptions;
  readonly invocations: TaskInvocation[];
  /** Invocations started so far, per step: the kill point's `occurrence` counts them. */
  readonly started: Map<string, number>;
  kill: KillPoint | undefined;
  removeKill: () => void;
}

export class LocalWorkflow {
  private readonly workers: Environment[] = [];
  private readonly dispatchers: Environment[] = [];
  private readonly ticks = new Map<string, ActiveTick>();

  constructor(
    private readonly host: WorkflowHost,
    private readonly worker: FunctionBundle,
    private readonly dispatcher: FunctionBundle,
  ) {
    host.stepFunctions.invoke = (functionArn, payload, context) => this.invokeTask(functionArn, payload, context.executionArn, context.stateName);
  }

  close(): void {
    for (const e of [...this.workers, ...this.dispatchers]) e.kill();
  }

  /** One scheduled tick, to the end of its execution. */
  async tick(event: { readonly time: string }, options: TickOptions = {}): Promise<Execution> {
    const at = new Date(event.time).toISOString();
    const name = executionName(at);
    const marks = this.marks();
    const from = this.host.stamp();
    const started = Date.now();
    const active: ActiveTick = { at, options, invocations: [], started: new Map(), kill: options.kill, removeKill: () => undefined };
    if (options.kill && options.kill.step === undefined) active.removeKill = this.killHook(active, options.kill, (r) => this.workers.find((e) => e.id === environmentOf(r.client)));

    // Registered before the dispatcher runs: the execution's first Task may be invoked before StartExecution returns.
    // A re-delivered event while its execution runs is not that execution's owner (it starts nothing).
    const owner = !this.ticks.has(name);
    if (owner) this.ticks.set(name, active);
    const known = new Set(this.host.stepFunctions.executions());
    const dispatches: ProcessRun[] = [];
    for (let attempt = 0; attempt <= ASYNC_RETRIES; attempt++) {
      const run = await this.runIn(this.dispatchers, this.dispatcher, this.host.dispatcherEnvironment(), 1, event, 60, undefined);
      dispatches.push(run);
      if (run.outcome.ok) break;
    }
    // The execution this tick started (a new one of this name), or none (skipped, or already there).
    const execution = this.host.stepFunctions.executions().find((e) => !known.has(e) && e.options.name === name);
    if (execution) await execution.done;
    if (owner) this.ticks.delete(name);
    active.removeKill();
    const to = this.host.stamp();
    return {
      at,
      name,
      dispatches,
      dispatched: dispatches.at(-1)?.outcome.result,
      status: execution?.status ?? 'NOT_STARTED',
      error: execution?.error,
      cause: execution?.cause,
      invocations: active.invocations,
      transitions: execution?.transitions ?? [],
      recorded: execution ? recordedAggregators(execution) : [],
      ...this.since(marks, () => true),
      from,
      to,
      wallMs: Date.now() - started,
    };
  }

  /** One invocation of the worker alone with `payload`, outside any execution (a cold start, by default). */
  async invokeWorker(payload: unknown, options: { env?: TickOptions['env']; warm?: boolean } = {}): Promise<ProcessRun> {
    const pool = options.warm ? this.workers : [];
    return this.runIn(pool, this.worker, this.host.workerEnvironment(options.env), 1, payload, 900, undefined);
  }

  private async invokeTask(functionArn: string, payload: unknown, executionArn: string, state: string): Promise<InvokeOutcome> {
    if (functionArn !== this.worker.functionArn) {
      return { ok: false, errorType: 'Lambda.ResourceNotFoundException', errorMessage: `Function not found: ${functionArn} (the lab runs ${this.worker.functionArn})` };
    }
    // The execution's name is the last part of its ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>).
    const tick = this.ticks.get(executionArn.split(':').at(-1) ?? '');
    if (!tick) return { crashed: true, reason: `no tick of the lab runs ${executionArn}` };
    const step = (payload as { step?: StepName } | null)?.step;
    const occurrence = (tick.started.get(String(step)) ?? 0) + 1;
    tick.started.set(String(step), occurrence);
    const kill = tick.kill;
    const armed = kill?.step !== undefined && kill.step === step && (kill.occurrence ?? 1) === occurrence ? kill : undefined;
    const warp = tick.options.warp ?? 1;
    const run = await this.runIn(this.workers, this.worker, this.host.workerEnvironment(tick.options.env, warp), warp, payload, tick.options.timeoutSeconds ?? 900, (environment) => {
      if (!armed) return () => undefined;
      tick.kill = undefined;
      return this.killHook(tick, armed, (r) => (environmentOf(r.client) === environment.id ? environment : undefined));
    });
    const invocation: TaskInvocation = { ...run, at: tick.at, state, step, payload, functionArn };
    tick.invocations.push(invocation);
    await tick.options.onInvocationEnd?.(invocation);
    if (run.code === null) return { crashed: true, reason: run.killed ? 'killed at the kill point (SIGKILL)' : `the process died (${run.signal ?? 'no signal'})` };
    if (run.outcome.ok) return { ok: true, result: run.outcome.result };
    // The runtime reports a function error with the error's name as its type (the Task's error name).
    return { ok: false, errorType: run.outcome.error?.name ?? 'Error', errorMessage: run.outcome.error?.message ?? '' };
  }

  /** Runs one invocation in a free warm environment of `pool` with the same variables, or a new one. */
  private async runIn(
    pool: Environment[],
    fn: FunctionBundle,
    env: Record<string, string>,
    warp: number,
    event: unknown,
    timeoutSeconds: number,
    arm: ((environment: Environment) => () => void) | undefined,
  ): Promise<ProcessRun> {
    const signature = JSON.stringify([fn.assetDir, env, warp]);
    let environment = pool.find((e) => e.signature === signature && e.idle);
    if (!environment) {
      environment = new Environment(fn.assetDir, env, warp, signature, fn.handler);
      pool.push(environment);
    }
    const marks = this.marks();
    const from = this.host.stamp();
    const started = Date.now();
    const disarm = arm?.(environment) ?? (() => undefined);
    let ran: Ran;
    try {
      ran = await environment.run(event, timeoutSeconds);
    } finally {
      disarm();
    }
    const to = this.host.stamp();
    if (!ran.outcome && !ran.killed) {
      throw new Error(`the environment ${environment.id} of ${fn.functionArn} died (${ran.signal ?? 'no signal'})\nstdout:\n${ran.stdout}\nstderr:\n${ran.stderr}`);
    }
    const id = environment.id;
    return {
      environment: id,
      code: ran.outcome ? (ran.outcome.ok ? 0 : ran.outcome.phase === 'init' ? 2 : 1) : null,
      signal: ran.signal,
      killed: ran.killed,
      cold: ran.cold,
      outcome: ran.outcome ?? { ok: false },
      stdout: ran.stdout,
      stderr: ran.stderr,
      logs: parseLogs(`${ran.stdout}\n${ran.stderr}`),
      ...this.since(marks, (client) => environmentOf(client) === id),
      from,
      to,
      wallMs: Date.now() - started,
    };
  }

  /** Kills the process `target` names at the kill point's request; returns what removes the hook. */
  private killHook(tick: ActiveTick, point: KillPoint, target: (r: { client?: string }) => Environment | undefined): () => void {
    let seen = 0;
    let fired = false;
    const remove = this.host.server(point.server).inject((r) => {
      if (fired || (point.operation !== undefined && r.operation !== point.operation) || (point.matches && !point.matches(r))) return undefined;
      const environment = target(r);
      if (!environment || ++seen !== point.nth) return undefined;
      fired = true;
      tick.kill = undefined;
      queueMicrotask(remove);
      if (point.when === 'before') {
        environment.kill();
        return { hangMs: Number.POSITIVE_INFINITY };
      }
      return {
        transform: (output) => {
          environment.kill();
          return output;
        },
      };
    });
    return remove;
  }

  private marks(): Record<ServerName | 'published', number> {
    const marks = Object.fromEntries(SERVERS.map((s) => [s, this.host.server(s).requests.length])) as Record<ServerName, number>;
    return { ...marks, published: this.host.published.length };
  }

  private since(marks: Record<ServerName | 'published', number>, mine: (client: string | undefined) => boolean) {
    const of = (s: ServerName) => this.host.server(s).requests.slice(marks[s]).filter((r) => mine(r.client));
    return {
      config: of('config'),
      dynamodb: of('dynamodb'),
      sns: of('sns'),
      events: of('events'),
      securityhub: of('securityhub'),
      states: of('states'),
      published: this.host.published.slice(marks.published).filter((m) => mine(m.client)),
    };
  }
}

/** The aggregators of the units the execution's Reconcile Map was given, once it ended (every unit reconciled). */
function recordedAggregators(execution: LocalExecution): string[] {
  const exited = execution.history.some((e) => e.type === 'MapStateExited' && (e.stateExitedEventDetails as { name?: string } | undefined)?.name === WORKFLOW.states.reconcile);
  if (!exited) return [];
  const entered = execution.history.find((e) => e.type === 'MapStateEntered' && (e.stateEnteredEventDetails as { name?: string } | undefined)?.name === WORKFLOW.states.reconcile);
  const input = JSON.parse((entered?.stateEnteredEventDetails as { input?: string } | undefined)?.input ?? 'null') as { run?: { read?: { units?: { aggregator: string }[] } } } | null;
  return [...new Set((input?.run?.read?.units ?? []).map((u) => u.aggregator))];
}
