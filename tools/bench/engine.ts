/**
 * A run on the engine, as the benchmark measures it: an execution of the run's state machine (definition.ts) on the
 * local Step Functions endpoint (tools/local/fake-stepfunctions.ts, started through @aws-sdk/client-sfn as the
 * dispatcher starts it), every Task invoking the deployable worker bundle in a fresh Node.js process with Lambda's
 * heap limits (child.ts via spawn.ts), so that each invocation's peak RSS is its own. Each Task is timed and its
 * memory recorded, by step kind (begin, read, reconcile, notify, finalize).
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STEPS, executionName, type ExecutionInput, type StepName } from '../../core/workflow';
import { FakeStepFunctions } from '../local/fake-stepfunctions';
import { LOCAL_CREDENTIALS } from '../local/local-dynamodb';
import { invokeOutcomeOf, type InvokeOutcome } from '../local/sfn-execution';
import type { FunctionArtifact } from './artifacts';
import type { BenchDefinition } from './definition';
import { peakRssKiB, type ChildRunner, type Outcome } from './spawn';

export interface TaskMeasure {
  readonly step: StepName;
  readonly state: string;
  /** Epoch ms the harness started the process, and the invocation's start and end in it. */
  readonly spawnedAt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The invocation alone (after module initialisation), ms. */
  readonly runMs: number;
  readonly initMs: number;
  readonly rssMb: number;
  readonly liveHeapMb: number;
  readonly outcome: 'ok' | 'error' | 'crashed';
  readonly error?: string;
}

export interface StepStats {
  readonly count: number;
  readonly maxRssMb: number;
  readonly maxLiveHeapMb: number;
  /** Sum and largest of the invocations' own times, ms. */
  readonly totalMs: number;
  readonly maxMs: number;
  /** Largest time from the harness starting the process to the invocation's start (process start, module init), ms. */
  readonly maxStartupMs: number;
  readonly failed: number;
}

export interface ExecutionRun {
  readonly executionArn: string;
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  /** From StartExecution to the execution's close, ms. */
  readonly wallMs: number;
  readonly tasks: readonly TaskMeasure[];
  /** States entered (what Standard workflows bill: state transitions) and history events (25,000 allowed per execution). */
  readonly transitions: number;
  readonly historyEvents: number;
}

export interface EngineOptions {
  readonly worker: FunctionArtifact;
  readonly definition: BenchDefinition;
  readonly runner: ChildRunner;
  /** The worker's environment (the function's, pointed at the local endpoints). */
  readonly env: Record<string, string>;
  /** Node.js flags of every worker process: Lambda's heap limits, then --node-args. */
  readonly nodeFlags: readonly string[];
  readonly accountId: string;
  readonly region: string;
}

export class EngineBench {
  private constructor(
    private readonly options: EngineOptions,
    private readonly sfn: FakeStepFunctions,
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  static async start(options: EngineOptions): Promise<EngineBench> {
    const sfn = await new FakeStepFunctions({ accountId: options.accountId, region: options.region }).start();
    const stateMachineArn = sfn.registerStateMachine({ name: 'Run', definition: options.definition.definition });
    const client = new SFNClient({ region: options.region, credentials: LOCAL_CREDENTIALS, endpoint: sfn.endpoint, maxAttempts: 1 });
    const bench = new EngineBench(options, sfn, client, stateMachineArn);
    sfn.invoke = (arn, payload, context) => bench.invoke(arn, payload, context.stateName);
    return bench;
  }

  private current: TaskMeasure[] = [];

  /** One run: the execution the dispatcher would start for the scheduled time `at`, to its end. */
  async execute(at: string): Promise<ExecutionRun> {
    this.current = [];
    const input: ExecutionInput = { at, carried: [] };
    const t = Date.now();
    const { executionArn } = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName(at), input: JSON.stringify(input) }));
    if (!executionArn) throw new Error('StartExecution returned no executionArn');
    await this.sfn.execution(executionArn).done;
    const wallMs = Date.now() - t;
    const d = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    const history = this.sfn.execution(executionArn).history;
    const transitions = history.filter((e) => e.type.endsWith('StateEntered')).length;
    return { executionArn, status: String(d.status), ...(d.error ? { error: d.error } : {}), ...(d.cause ? { cause: d.cause } : {}), wallMs, tasks: this.current, transitions, historyEvents: history.length };
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.sfn.close();
  }

  private async invoke(functionArn: string, payload: unknown, state: string): Promise<InvokeOutcome> {
    const { worker, runner, env, nodeFlags, definition } = this.options;
    if (!definition.functionArns.includes(functionArn)) return { ok: false, errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionArn}` };
    const step = (payload as { step?: unknown }).step as StepName;
    const spawnedAt = Date.now();
    const r: Outcome = await runner.run(
      { mode: 'handler', module: worker.module, exportName: worker.exportName, event: payload, timeoutMs: worker.timeoutSeconds * 1000, memoryMb: worker.memoryMb, resultFile: '' },
      env,
      nodeFlags,
    );
    const crashed = !r.ok && r.error?.name === 'ChildExited';
    this.current.push({
      step: (STEPS as readonly string[]).includes(step) ? step : ('begin' as StepName),
      state,
      spawnedAt,
      startedAt: r.startedAt ?? spawnedAt,
      endedAt: r.endedAt ?? Date.now(),
      runMs: r.runMs ?? Number.NaN,
      initMs: r.initMs,
      rssMb: peakRssKiB(r) / 1024,
      liveHeapMb: r.liveHeapMb,
      outcome: r.ok ? 'ok' : crashed ? 'crashed' : 'error',
      ...(r.ok ? {} : { error: `${r.error?.name}: ${r.error?.message}` }),
    });
    return crashed ? invokeOutcomeOf(undefined, r.error?.message) : invokeOutcomeOf(r);
  }
}

/** The Tasks of a run by step kind: how many, their largest peak RSS and live heap, their times. */
export function byStep(tasks: readonly TaskMeasure[]): Partial<Record<StepName, StepStats>> {
  const out: Partial<Record<StepName, StepStats>> = {};
  for (const step of STEPS) {
    const of = tasks.filter((t) => t.step === step);
    if (of.length === 0) continue;
    out[step] = {
      count: of.length,
      maxRssMb: Math.max(...of.map((t) => t.rssMb)),
      maxLiveHeapMb: Math.max(...of.map((t) => t.liveHeapMb)),
      totalMs: of.reduce((sum, t) => sum + (Number.isFinite(t.runMs) ? t.runMs : 0), 0),
      maxMs: Math.max(...of.map((t) => (Number.isFinite(t.runMs) ? t.runMs : 0))),
      maxStartupMs: Math.max(...of.map((t) => t.startedAt - t.spawnedAt)),
      failed: of.filter((t) => t.outcome !== 'ok').length,
    };
  }
  return out;
}

/** The read phase: from the first ReadRound's start to the last one's end (the invocations themselves), ms. */
export function readPhaseMs(tasks: readonly TaskMeasure[]): number {
  const reads = tasks.filter((t) => t.step === 'read');
  if (reads.length === 0) return 0;
  return Math.max(...reads.map((t) => t.endedAt)) - Math.min(...reads.map((t) => t.startedAt));
}

/** Per kind of Task, from the first process's spawn to the last invocation's end (start-up included): the run's phases, ms. */
export function phases(tasks: readonly TaskMeasure[]): Partial<Record<StepName, number>> {
  const out: Partial<Record<StepName, number>> = {};
  for (const step of STEPS) {
    const of = tasks.filter((t) => t.step === step);
    if (of.length > 0) out[step] = Math.max(...of.map((t) => t.endedAt)) - Math.min(...of.map((t) => t.spawnedAt));
  }
  return out;
}
