/**
 * The fault lab: the real handler bundle, run as Lambda runs it, against the local mode's Config, SNS and DynamoDB
 * endpoints, with faults injected at the protocol level and the process killed at chosen requests.
 *
 * Each invocation gets the scheduled event and a context in an execution environment: a Node.js process that
 * loaded the bundle (its cold start) and stays warm for the next invocation with the same environment, as Lambda
 * reuses one; a killed environment is gone, so Lambda's retry of the event starts a new one. Two overlapping
 * invocations run in two environments.
 *
 * Besides what the local endpoints record, the lab keeps a ledger: one clock stamped on every request each
 * endpoint receives and on every message SNS accepts, so that "was this notice's marker written after SNS accepted
 * it, by the same invocation?" has an exact answer (see oracle.ts).
 */
import type { RunReport } from '../../../lambda/run';
import type { FakeAwsServer, Fault, FaultRequest, RecordedRequest } from '../../../tools/local/fake-server';
import type { PublishedMessage } from '../../../tools/local/fake-sns';
import { scheduledEvent } from '../../../tools/local/invocation';
import { startLocalMode, type LocalMode, type LocalSettings } from '../../../tools/local/local-mode';
import type { SimulatedOrganization, SimulatedSource } from '../../../tools/local/simulated-organization';
import { handlerBundle } from './bundle';
import { Environment, INVOCATION_LIMIT_MS, parseLogs } from './environment';
import { assertLabCallsAllowed } from './permissions';


export type ServerName = 'config' | 'dynamodb' | 'sns' | 'events' | 'securityhub';

export interface KillPoint {
  readonly server: ServerName;
  /** Kill when this endpoint receives its nth request of the invocation (of `operation` only, when given). */
  readonly nth: number;
  readonly operation?: string;
  /**
   * before: the request is never served (a write never lands, a Publish is never accepted);
   * after: it is served (written, accepted) and the process dies before it reads the answer.
   */
  readonly when: 'before' | 'after';
}

export interface InvokeOptions {
  /** The handler's process runs on a clock this many times faster (see time-warp.mjs). Default 1. */
  readonly warp?: number;
  readonly kill?: KillPoint;
  /** Environment overrides for this invocation; undefined removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The Lambda timeout the context counts down from, in seconds. Default 900. */
  readonly timeoutSeconds?: number;
  /** Start a new execution environment even if a warm one is free. */
  readonly cold?: boolean;
}

export interface LogLine {
  readonly level?: string;
  readonly message?: string;
  readonly aggregator?: string;
  readonly [key: string]: unknown;
}

export interface Invocation {
  readonly at: string;
  /** As the runtime would report it: 0 returned, 1 the handler threw, 2 init error, null the process died. */
  readonly code: 0 | 1 | 2 | null;
  readonly signal: NodeJS.Signals | null;
  /** Killed at the kill point (not: crashed on its own). */
  readonly killed: boolean;
  /** Ran in a new execution environment. */
  readonly cold: boolean;
  readonly outcome: {
    readonly ok: boolean;
    readonly phase?: 'init' | 'invoke';
    readonly result?: RunReport;
    readonly error?: { readonly name: string; readonly message: string };
  };
  readonly stdout: string;
  readonly stderr: string;
  readonly logs: LogLine[];
  /** Aggregators whose reconciliation was recorded in this invocation ("Recorded" logged). */
  readonly recorded: string[];
  /** The aggregators the run reported failed ("Run finished"), if it got that far. */
  readonly failed: string[] | undefined;
  readonly config: RecordedRequest[];
  readonly dynamodb: RecordedRequest[];
  readonly sns: RecordedRequest[];
  /** Messages SNS accepted during the invocation. */
  readonly published: PublishedMessage[];
  /** Ledger clock when the process started and when it ended. */
  readonly from: number;
  readonly to: number;
  readonly wallMs: number;
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
}

export class Lab {
  readonly invocations: Invocation[] = [];
  /** Per aggregator: what Config served at each run time whose reconciliation was recorded, in order. */
  readonly observations = new Map<string, Observation[]>();
  /** Item keys (`pk|sk`) a fault bounced (returned unprocessed, not written), per DynamoDB request seq. */
  readonly bounced = new Map<number, Set<string>>();
  private clock = 0;
  private readonly stamps = new Map<string, number>();
  private readonly accepted = new Map<string, number>();
  private readonly environments: Environment[] = [];

  private constructor(
    readonly local: LocalMode,
    readonly org: SimulatedOrganization,
    readonly aggregators: readonly string[],
    private readonly bundle: string,
  ) {
    for (const server of this.servers()) {
      // First hook, always consulted, never answers: stamps arrival order across the three endpoints.
      server.inject((r) => {
        this.stamps.set(`${r.service}#${r.seq}`, ++this.clock);
        return undefined;
      });
    }
    local.sns.onPublish = (m) => this.accepted.set(m.messageId, ++this.clock);
  }

  static async start(options: LabOptions): Promise<Lab> {
    const bundle = await handlerBundle();
    const local = await startLocalMode({
      org: options.org,
      tableName: 'aggwatch-faults',
      topicName: 'aggwatch-faults-alerts',
      settings: { ...options.settings, aggregators: options.aggregators },
    });
    return new Lab(local, options.org, options.aggregators, bundle);
  }

  async close(): Promise<void> {
    for (const e of this.environments) e.kill();
    await this.local.close();
  }

  server(name: ServerName): FakeAwsServer {
    const servers: Record<ServerName, FakeAwsServer> = {
      config: this.local.config,
      dynamodb: this.local.dynamodbProxy,
      sns: this.local.sns,
      events: this.local.eventBridge,
      securityhub: this.local.securityHub,
    };
    return servers[name];
  }

  servers(): FakeAwsServer[] {
    return [this.local.config, this.local.dynamodbProxy, this.local.sns, this.local.eventBridge, this.local.securityHub];
  }

  /** Ledger stamp of a recorded request (arrival order across endpoints). */
  stampOf(r: RecordedRequest): number {
    return this.stamps.get(`${r.service}#${r.seq}`) ?? Number.NaN;
  }

  /** Ledger stamp of SNS accepting a message. */
  acceptedAt(m: PublishedMessage): number {
    return this.accepted.get(m.messageId) ?? Number.NaN;
  }

  /** One scheduled invocation, to its end. */
  async invoke(time: string, options: InvokeOptions = {}): Promise<Invocation> {
    return this.start(time, options).done;
  }

  /**
   * Starts an invocation in a free warm environment made with the same options, or a new one (a cold start);
   * `done` settles when the invocation has ended. Overlapping invocations get an environment each.
   */
  start(time: string, options: InvokeOptions = {}): { environment: Environment; done: Promise<Invocation> } {
    if (this.org.now !== new Date(time).toISOString()) this.org.advanceTo(time);
    const snapshot = new Map(this.aggregators.filter((a) => this.org.aggregator(a)).map((a) => [a, this.org.sources(a)] as const));
    const marks = {
      config: this.local.config.requests.length,
      dynamodb: this.local.dynamodbProxy.requests.length,
      sns: this.local.sns.requests.length,
      published: this.local.sns.published.length,
    };
    const env = this.environment(options);
    const signature = JSON.stringify([env, options.warp ?? 1]);
    let environment = options.cold ? undefined : this.environments.find((e) => e.signature === signature && e.idle);
    if (!environment) {
      environment = new Environment(this.bundle, env, options.warp ?? 1, signature);
      this.environments.push(environment);
    }
    const event = scheduledEvent(time, { accountId: this.org.accountId, region: this.org.region });
    const started = Date.now();
    const from = ++this.clock;
    const running = environment;
    const removeKill = options.kill ? this.killHook(options.kill, () => running.kill()) : () => undefined;
    const done = running.run(event, options.timeoutSeconds ?? 900).then((ran) => {
      removeKill();
      const to = ++this.clock;
      const logs = parseLogs(`${ran.stdout}\n${ran.stderr}`);
      const recorded = [...new Set(logs.filter((l) => l.message === 'Recorded' && l.aggregator).map((l) => String(l.aggregator)))];
      const finished = logs.find((l) => l.message === 'Run finished');
      const outcome = ran.outcome ?? { ok: false };
      const inv: Invocation = {
        at: new Date(time).toISOString(),
        code: ran.outcome ? (ran.outcome.ok ? 0 : ran.outcome.phase === 'init' ? 2 : 1) : null,
        signal: ran.signal,
        killed: ran.killed,
        cold: ran.cold,
        outcome,
        stdout: ran.stdout,
        stderr: ran.stderr,
        logs,
        recorded,
        failed: finished ? (finished.failed as string[]) : undefined,
        config: this.local.config.requests.slice(marks.config),
        dynamodb: this.local.dynamodbProxy.requests.slice(marks.dynamodb),
        sns: this.local.sns.requests.slice(marks.sns),
        published: this.local.sns.published.slice(marks.published),
        from,
        to,
        wallMs: Date.now() - started,
      };
      if (!ran.outcome && !ran.killed) {
        throw new Error(`the handler's environment at ${time} died (${ran.signal ?? 'no signal'})\nstdout:\n${ran.stdout}\nstderr:\n${ran.stderr}`);
      }
      this.invocations.push(inv);
      for (const aggregator of recorded) this.observe(aggregator, inv.at, snapshot.get(aggregator) ?? []);
      return inv;
    });
    return { environment: running, done };
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

  private killHook(point: KillPoint, kill: () => void): () => void {
    let seen = 0;
    return this.server(point.server).inject((r) => {
      if (point.operation !== undefined && r.operation !== point.operation) return undefined;
      if (++seen !== point.nth) return undefined;
      if (point.when === 'before') {
        kill();
        return { hangMs: Number.POSITIVE_INFINITY };
      }
      return {
        transform: (output) => {
          kill();
          return output;
        },
      };
    });
  }

  private observe(aggregator: string, at: string, sources: readonly SimulatedSource[]): void {
    const list = this.observations.get(aggregator) ?? [];
    if (list.at(-1)?.at === at) list.pop();
    list.push({ at, sources });
    this.observations.set(aggregator, list);
  }

  private environment(options: InvokeOptions): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH ?? '',
      // What the Lambda runtime sets.
      AWS_LAMBDA_FUNCTION_NAME: 'config-aggregator-watch-faults',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      TZ: ':UTC',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...this.local.env,
      ...(options.warp && options.warp > 1 ? { TIME_WARP: String(options.warp) } : {}),
      ...options.env,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  }
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

