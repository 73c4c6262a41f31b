/**
 * The fault lab: the engine as deployed (support/workflow.ts: the dispatcher and worker bundles of the synthesized
 * cloud assembly, the state machine's definition on the local Step Functions endpoint), against the local mode's
 * Config, DynamoDB, SNS, EventBridge and Security Hub endpoints, with faults injected at the protocol level and
 * worker processes killed at chosen requests.
 *
 * A scenario plays scheduled ticks (`tick`): each is the EventBridge event delivered to the dispatcher, the
 * execution it starts, and every Task invocation of it, each in a Lambda-like execution environment (a Node.js
 * process that loaded the bundle: its cold start; warm for the next invocation with the same variables; killed,
 * it is gone, and the definition's Retry runs the next attempt in a new one). The definition's Retry intervals
 * are shortened (`RETRY_INTERVAL_MS`) through the local endpoint's overrides; their attempts and order are kept.
 *
 * Besides what the local endpoints record, the lab keeps a ledger: one clock stamped on every request each
 * endpoint receives and on every message SNS accepts, so that "was this notice's marker written after SNS accepted
 * it, by the same execution?" has an exact answer (see oracle.ts).
 */
import { CfnResolver, noticesTopicId } from '../../support/cloudformation';
import { labArtifact, type WorkflowArtifact } from '../../support/workflow-artifact';
import type { FakeAwsServer, Fault, FaultRequest, RecordedRequest } from '../../../tools/local/fake-server';
import type { PublishedMessage } from '../../../tools/local/fake-sns';
import { FakeStepFunctions } from '../../../tools/local/fake-stepfunctions';
import { scheduledEvent } from '../../../tools/local/invocation';
import { localAwsEnvironment, startLocalMode, type LocalMode, type LocalSettings } from '../../../tools/local/local-mode';
import type { SimulatedOrganization, SimulatedSource } from '../../../tools/local/simulated-organization';
import { INVOCATION_LIMIT_MS } from './environment';
import { assertLabCallsAllowed } from './permissions';
import { LocalWorkflow, type Execution, type ProcessRun, type ServerName, type TaskInvocation, type TickOptions } from './workflow';

export type { Execution, KillPoint, ProcessRun, ServerName, TaskInvocation, TickOptions } from './workflow';

/**
 * The lab's deployment: the Map states run two Tasks at once (reconcileConcurrency 2: parallel, and within what the
 * two cores this suite is sized for start as processes without starving each other's timeouts).
 */
export const LAB_CONTEXT = { reconcileConcurrency: '2' } as const;

/** Every Retry of the definition waits this long instead of its IntervalSeconds and backoff (its attempts are kept). */
export const RETRY_INTERVAL_MS = 10;

export interface LogLine {
  readonly level?: string;
  readonly message?: string;
  readonly aggregator?: string;
  readonly [key: string]: unknown;
}

export interface Observation {
  readonly at: string;
  readonly sources: readonly SimulatedSource[];
}

export interface LabOptions {
  readonly org: SimulatedOrganization;
  /** The AGGREGATORS setting. */
  readonly aggregators: readonly string[];
  readonly settings?: Omit<LocalSettings, 'aggregators'>;
  /** The deployable to run (default: the lab's, labArtifact()). */
  readonly artifact?: WorkflowArtifact;
  readonly tableName?: string;
  readonly topicName?: string;
  /**
   * The worker's own variables (default: the local mode's settings, `local.env`), e.g. the synthesized function's
   * environment; the local endpoints and the runtime's variables are added either way.
   */
  readonly workerEnv?: (local: LocalMode) => Record<string, string>;
}

export class Lab {
  readonly executions: Execution[] = [];
  /** Per aggregator: what Config served at each run time whose reconciliation was recorded, in order. */
  readonly observations = new Map<string, Observation[]>();
  /** Per run time: what Config served each aggregator when the tick started (recorded or not). */
  readonly snapshots = new Map<string, ReadonlyMap<string, readonly SimulatedSource[]>>();
  /** Item keys (`pk|sk`) a fault bounced (returned unprocessed, not written), per DynamoDB request seq. */
  readonly bounced = new Map<number, Set<string>>();
  readonly stateMachineArn: string;
  private clock = 0;
  private readonly stamps = new Map<string, number>();
  private readonly accepted = new Map<string, number>();
  private readonly workflow: LocalWorkflow;
  private readonly resolver: CfnResolver;

  private constructor(
    readonly local: LocalMode,
    readonly stepFunctions: FakeStepFunctions,
    readonly org: SimulatedOrganization,
    readonly aggregators: readonly string[],
    readonly artifact: WorkflowArtifact,
    private readonly options: LabOptions,
  ) {
    for (const server of this.servers()) {
      // First hook, always consulted, never answers: stamps arrival order across the endpoints.
      server.inject((r) => {
        this.stamps.set(`${r.service}#${r.seq}`, ++this.clock);
        return undefined;
      });
    }
    local.sns.onPublish = (m) => this.accepted.set(m.messageId, ++this.clock);
    this.resolver = labResolver(artifact, local);
    this.stateMachineArn = stepFunctions.registerStateMachine({
      arn: this.resolver.arn(artifact.stateMachineId),
      definition: artifact.definition,
      roleArn: this.resolver.arn(artifact.stateMachineRoleId),
      retryIntervalMs: RETRY_INTERVAL_MS,
    });
    this.workflow = new LocalWorkflow(
      {
        server: (name) => this.server(name),
        // The same array, appended to by SNS.
        published: local.sns.published,
        stepFunctions,
        stamp: () => ++this.clock,
        workerEnvironment: (overrides, warp) => this.workerEnvironment(overrides, warp),
        dispatcherEnvironment: () => this.dispatcherEnvironment(),
      },
      artifact.worker,
      artifact.dispatcher,
    );
  }

  static async start(options: LabOptions): Promise<Lab> {
    const target = { region: options.org.region, accountId: options.org.accountId };
    // Before any endpoint of this process serves: synthesis (when not cached) blocks the event loop.
    const artifact = options.artifact ?? labArtifact(target, LAB_CONTEXT);
    const local = await startLocalMode({
      org: options.org,
      tableName: options.tableName ?? 'aggwatch-faults',
      topicName: options.topicName ?? 'aggwatch-faults-alerts',
      settings: { ...options.settings, aggregators: options.aggregators },
    });
    try {
      const stepFunctions = await new FakeStepFunctions(target).start();
      return new Lab(local, stepFunctions, options.org, options.aggregators, artifact, options);
    } catch (e) {
      await local.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.workflow.close();
    await this.stepFunctions.close();
    await this.local.close();
  }

  /** Every Task invocation of every tick, in order. */
  get invocations(): TaskInvocation[] {
    return this.executions.flatMap((e) => e.invocations);
  }

  server(name: ServerName): FakeAwsServer {
    const servers: Record<ServerName, FakeAwsServer> = {
      config: this.local.config,
      dynamodb: this.local.dynamodbProxy,
      sns: this.local.sns,
      events: this.local.eventBridge,
      securityhub: this.local.securityHub,
      states: this.stepFunctions,
    };
    return servers[name];
  }

  servers(): FakeAwsServer[] {
    return [this.local.config, this.local.dynamodbProxy, this.local.sns, this.local.eventBridge, this.local.securityHub, this.stepFunctions];
  }

  /** Ledger stamp of a recorded request (arrival order across endpoints). */
  stampOf(r: RecordedRequest): number {
    return this.stamps.get(`${r.service}#${r.seq}`) ?? Number.NaN;
  }

  /** Ledger stamp of SNS accepting a message. */
  acceptedAt(m: PublishedMessage): number {
    return this.accepted.get(m.messageId) ?? Number.NaN;
  }

  /** One scheduled tick at `time`, to the end of its execution. */
  async tick(time: string, options: TickOptions = {}): Promise<Execution> {
    return this.startTick(time, options).done;
  }

  /** Starts a tick; `done` settles when its execution has ended. Ticks may overlap (the dispatcher decides). */
  startTick(time: string, options: TickOptions = {}): { done: Promise<Execution> } {
    if (this.org.now !== new Date(time).toISOString()) this.org.advanceTo(time);
    const snapshot = new Map(this.aggregators.filter((a) => this.org.aggregator(a)).map((a) => [a, this.org.sources(a)] as const));
    this.snapshots.set(new Date(time).toISOString(), snapshot);
    const event = scheduledEvent(time, { accountId: this.org.accountId, region: this.org.region });
    const done = this.workflow.tick(event as { time: string }, options).then((execution) => {
      this.executions.push(execution);
      for (const aggregator of execution.recorded) {
        this.observe(aggregator, execution.at, snapshot.get(aggregator) ?? []);
      }
      return execution;
    });
    return { done };
  }

  /** One invocation of the worker bundle alone (a cold start, by default), e.g. to see its init fail. */
  invokeWorker(payload: unknown, options: { env?: TickOptions['env'] } = {}): Promise<ProcessRun> {
    return this.workflow.invokeWorker(payload, options);
  }

  /**
   * A BatchWriteItem answered the way DynamoDB sheds load: the items `bounce` picks (asked once per item) are not
   * written and come back as UnprocessedItems; the others are written. The bounced keys are kept for the oracle.
   */
  unprocessedItems(bounce: (index: number, item: WireWrite) => boolean): (r: FaultRequest) => Fault | undefined {
    return (r) => {
      if (r.operation !== 'BatchWriteItem') return undefined;
      const table = this.local.tableName;
      const requests = ((r.input as WireBatch).RequestItems[table] ?? []) as WireWrite[];
      const decisions = requests.map((w, i) => bounce(i, w));
      const kept = requests.filter((_, i) => !decisions[i]);
      const dropped = requests.filter((_, i) => decisions[i]);
      if (dropped.length === 0) return undefined;
      this.bounced.set(r.seq, new Set(dropped.map(wireKey)));
      if (kept.length === 0) {
        // Nothing written at all: answered here, as DynamoDB answers a batch it could not start on.
        return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: { UnprocessedItems: { [table]: dropped } } };
      }
      return {
        request: (input) => ({ ...(input as WireBatch), RequestItems: { [table]: kept } }),
        transform: (output) => ({ ...(output as object), UnprocessedItems: { [table]: dropped } }),
      };
    };
  }

  /**
   * Holds the first request `matches` picks on `server` until `release()`: `reached` settles when one arrived.
   * The request is then served as usual.
   */
  hold(server: ServerName, matches: (r: FaultRequest) => boolean): { reached: Promise<void>; release: () => void } {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reach = () => undefined as void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    let done = false;
    const remove = this.server(server).inject((r) => {
      if (done || !matches(r)) return undefined;
      done = true;
      queueMicrotask(remove);
      reach();
      return { hangMs: INVOCATION_LIMIT_MS, until: gate };
    });
    return { reached, release };
  }

  private observe(aggregator: string, at: string, sources: readonly SimulatedSource[]): void {
    const list = this.observations.get(aggregator) ?? [];
    if (list.at(-1)?.at === at) list.pop();
    list.push({ at, sources });
    this.observations.set(aggregator, list);
  }

  /** The worker's variables: what the Lambda runtime sets, the function's own, the local endpoints. */
  workerEnvironment(overrides: TickOptions['env'] = {}, warp = 1): Record<string, string> {
    const own = this.options.workerEnv?.(this.local) ?? this.local.env;
    return variables({
      ...runtimeVariables('config-aggregator-watch-faults', this.org.accountId),
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...own,
      ...this.endpoints(),
      ...(warp > 1 ? { TIME_WARP: String(warp) } : {}),
      ...overrides,
    });
  }

  /** The dispatcher's variables: the synthesized ones (references resolved to the local resources), the endpoints. */
  dispatcherEnvironment(): Record<string, string> {
    const synthesized = this.artifact.template.Resources[this.artifact.dispatcher.logicalId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
    return variables({
      ...runtimeVariables('config-aggregator-watch-dispatcher-faults', this.org.accountId),
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...(this.resolver.resolve(synthesized?.Variables ?? {}) as Record<string, string>),
      ...this.endpoints(),
    });
  }

  private endpoints(): Record<string, string> {
    const l = this.local;
    return localAwsEnvironment(
      { config: l.config.endpoint, dynamodb: l.dynamodbProxy.endpoint, sns: l.sns.endpoint, eventBridge: l.eventBridge.endpoint, securityHub: l.securityHub.endpoint, stepFunctions: this.stepFunctions.endpoint },
      this.org.region,
    );
  }
}

/** What the Lambda runtime sets in every execution environment. */
function runtimeVariables(functionName: string, accountId: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    TZ: ':UTC',
    LOCAL_ACCOUNT_ID: accountId,
  };
}

function variables(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * Physical names of the artifact's resources in the lab: the table and topic are the local ones, a function's
 * name is its logical id (the ARN the local Step Functions endpoint invokes, localFunctionArn), the rest `<id>-faults`.
 */
export function labResolver(artifact: WorkflowArtifact, local: LocalMode): CfnResolver {
  const { template } = artifact;
  const only = (type: string) => Object.keys(template.Resources).find((id) => template.Resources[id]?.Type === type) ?? '';
  const names = Object.fromEntries(
    Object.entries(template.Resources).map(([id, r]) => [id, r.Type === 'AWS::Lambda::Function' ? id : `${id}-faults`]),
  );
  return new CfnResolver(template, { partition: local.org.partition, region: local.org.region, accountId: local.org.accountId }, {
    ...names,
    [only('AWS::DynamoDB::Table')]: local.tableName,
    [noticesTopicId(template) ?? '']: local.topicArn.split(':').at(-1) ?? '',
  });
}

/** BatchWriteItem on the wire (AttributeValue JSON). */
export interface WireBatch {
  readonly RequestItems: Record<string, WireWrite[]>;
}
export type WireWrite =
  | { readonly PutRequest: { readonly Item: Record<string, { S?: string }> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, { S?: string }> } };

/** `pk|sk` of a write request on the wire. */
export function wireKey(w: WireWrite): string {
  const key = 'PutRequest' in w ? w.PutRequest.Item : w.DeleteRequest.Key;
  return `${key.pk?.S ?? ''}|${key.sk?.S ?? ''}`;
}


export const T0 = '2026-11-24T12:00:00.000Z';
/** The run time `minutes` after T0 (the schedule ticks every 15 minutes). */
export const tick = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/**
 * Scenarios run concurrently within a file, at most two at once: one per core of the machine this suite is sized
 * for, so that the handler processes keep the margins the warped timeouts assume.
 */
const SLOTS = 2;
let free = SLOTS;
const waiting: (() => void)[] = [];

/** Runs `scenario` on a lab of its own, started when a slot is free; checks the calls' permissions; closes it. */
export async function withLab<T>(options: LabOptions, scenario: (lab: Lab) => Promise<T>): Promise<T> {
  if (free > 0) free--;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    const lab = await Lab.start(options);
    try {
      const result = await scenario(lab);
      assertLabCallsAllowed(lab);
      return result;
    } finally {
      await lab.close();
    }
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }
}

