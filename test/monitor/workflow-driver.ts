/**
 * Runs the function's steps in process, in exactly the state machine's order (lib/monitor/workflow.ts; the brief's
 * definition): Begin, ReadRound until read.done, each reconcile unit until progress.done, Notify per aggregator,
 * Finalize; AnyFailed? / Unrecorded as the Choice and Catch decide. Each Task attempt gets its own function
 * instance (clients and adapters built anew, as after a cold start), and a failed attempt is retried, as the
 * definition's Retry does for Lambda.Unknown (a killed or timed-out invocation) and the errors the function throws.
 *
 * Faults: at a chosen request (DynamoDB, Config or SNS, matched by command and input) of a chosen step, the Task is
 * killed before the request is sent or after it was served (its answer lost): from then on every request of that
 * attempt fails, as nothing more leaves a dead process; or a request is refused (an error the service returns).
 */
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigReader } from '../../adapters/config-reader';
import { EventsPublisher } from '../../adapters/events-publisher';
import { ChatNotifier, Notifier } from '../../adapters/notifier';
import { SecurityHubPublisher } from '../../adapters/securityhub-publisher';
import { HistoryStore } from '../../adapters/store/history-store';
import { RunStore } from '../../adapters/store/run-store';
import type { RunSummary } from '../../core/model';
import type { BeginResult, CarriedObligation, FinalizeResult, NotifyResult, RateBudget, RateState, StepInput, StepName } from '../../core/workflow';
import { parseStepInput } from '../../core/workflow-input';
import type { MetricsSink } from '../../lambda/metrics';
import { runStep, type StepDeps } from '../../lambda/steps';
import { TOPIC, type Harness } from './harness';

export type Service = 'dynamodb' | 'config' | 'sns';

/** One request a Task makes: the service, the command's name (PutCommand, BatchWriteCommand...) and its input. */
export interface Request {
  readonly service: Service;
  readonly command: string;
  readonly input: Record<string, unknown>;
}

export interface Fault {
  readonly step: StepName;
  /** Which request; called for every request of the step's attempts, in order. */
  readonly at: (request: Request) => boolean;
  /** kill-before: dies before sending it; kill-after: it is served, then the process dies; refuse: it fails. */
  readonly effect: 'kill-before' | 'kill-after' | 'refuse';
  /** How many times it strikes (default once). */
  readonly times?: number;
  /** What a refusal throws (default: a 500 of the service). */
  readonly error?: () => Error;
}

export interface TaskAttempt {
  readonly step: StepName;
  readonly attempt: number;
  readonly error?: string;
}

export interface Execution {
  readonly status: 'succeeded' | 'aggregatorsFailed' | 'unrecorded' | 'failed';
  readonly runAt: string;
  readonly run?: BeginResult;
  readonly notified: NotifyResult[];
  readonly final?: FinalizeResult;
  /** The error of a Task that failed all its attempts (status failed). */
  readonly error?: unknown;
  readonly tasks: TaskAttempt[];
  /** The run summaries of this run, in the run's order, and the failed aggregators. */
  readonly aggregators: RunSummary[];
  readonly failed: readonly string[];
}

export interface ExecuteOptions {
  readonly carried?: readonly CarriedObligation[];
  readonly faults?: readonly Fault[];
  /** The function's time left, per Task attempt (default: always 15 minutes). */
  readonly remainingMs?: (step: StepName, attempt: number) => () => number;
  /** Attempts of each Task, the first included (the definition's Retry MaxAttempts + 1). */
  readonly maxAttempts?: number;
}

/** Thrown at a kill: what the state machine sees as Lambda.Unknown. */
export class Killed extends Error {
  override readonly name = 'Killed';
}

/** A rate budget that keeps what it was seeded with (the limiter itself is the rate branch's, tested there). */
export class KeptRate implements RateBudget {
  seeded: RateState[] = [];
  private current: RateState = { rate: 5, ceiling: null };
  state(): RateState {
    return this.current;
  }
  seed(state: RateState): void {
    this.seeded.push(state);
    this.current = state;
  }
}

const ACCOUNT = { accountId: '123456789012', region: 'us-east-1', partition: 'aws' };
const FIFTEEN_MINUTES = 15 * 60_000;

/** One metric Finalize emitted, with its dimensions (none for the run's totals). */
export interface Emitted {
  readonly name: string;
  readonly value: number;
  readonly dimensions?: Record<string, string>;
}

export class WorkflowDriver {
  readonly rate = new KeptRate();
  /** Every metric emitted so far. */
  readonly metrics: Emitted[] = [];
  private readonly sink: MetricsSink = {
    addMetric: (name, _unit, value) => void this.metrics.push({ name, value }),
    singleMetric: () => {
      let dimensions: Record<string, string> = {};
      return {
        addDimensions: (d) => void (dimensions = { ...dimensions, ...d }),
        addMetric: (name, _unit, value) => void this.metrics.push({ name, value, dimensions }),
      };
    },
  };
  /** Every request of every Task so far. */
  readonly requests: (Request & { step: StepName })[] = [];

  constructor(
    private readonly h: Harness,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  /** One execution of the state machine for the scheduled time `at`. */
  async execute(at: string, options: ExecuteOptions = {}): Promise<Execution> {
    const tasks: TaskAttempt[] = [];
    const strikes = new Map<Fault, number>();
    const task = async <T>(input: StepInput): Promise<T> => {
      const attempts = options.maxAttempts ?? 3;
      for (let attempt = 1; ; attempt++) {
        try {
          const validated = parseStepInput(JSON.parse(JSON.stringify(input)) as Parameters<typeof parseStepInput>[0]);
          const ctx = { remainingMs: options.remainingMs?.(input.step, attempt) ?? (() => FIFTEEN_MINUTES), findingsContext: ACCOUNT };
          const instance = this.deps(input.step, options.faults ?? [], strikes);
          const result = await runStep(instance.deps, validated, ctx).finally(() => {
            // A killed process returns nothing, whatever the code still did with the errors it got.
            if (instance.dead()) throw new Killed(`the ${input.step} Task was killed`);
          });
          tasks.push({ step: input.step, attempt });
          // Through JSON, as the execution's state is.
          return JSON.parse(JSON.stringify(result)) as T;
        } catch (e) {
          tasks.push({ step: input.step, attempt, error: `${(e as Error).name}: ${(e as Error).message}` });
          if (attempt >= attempts) throw e;
        }
      }
    };

    let run: BeginResult | undefined;
    const notified: NotifyResult[] = [];
    const runAt = new Date(at).toISOString();
    const ended = async (status: Execution['status'], rest: Partial<Execution> = {}): Promise<Execution> => ({
      status,
      runAt,
      ...(run ? { run } : {}),
      notified,
      tasks,
      aggregators: await this.summaries(runAt, run?.aggregators ?? []),
      failed: rest.final?.failed ?? [],
      ...rest,
    });
    try {
      run = await task<BeginResult>({ step: 'begin', at, carried: options.carried ?? [] });
      let read = run.read;
      while (!read.done) read = await task({ step: 'read', runAt: run.runAt, rate: read.rate, rounds: read.rounds });
      run = { ...run, read };
      for (const unit of read.units) {
        let progress = null;
        do progress = await task<{ done: boolean; shardIndex: number; bucket: number }>({ step: 'reconcile', runAt: run.runAt, unit, progress });
        while (!progress.done);
      }
      for (const aggregator of run.aggregators) {
        const runAt = run.runAt;
        // As the definition: NotifyAggregator's retries spent, its Catch runs NotifyAggregatorLastAttempt.
        notified.push(
          await task<NotifyResult>({ step: 'notify', runAt, aggregator }).catch(() => task<NotifyResult>({ step: 'notify', runAt, aggregator, lastAttempt: true })),
        );
      }
    } catch (error) {
      return ended('failed', { error });
    }
    let final: FinalizeResult;
    try {
      final = await task<FinalizeResult>({ step: 'finalize', runAt: run.runAt, notified });
    } catch (error) {
      return ended('unrecorded', { error });
    }
    return ended(final.failed.length > 0 ? 'aggregatorsFailed' : 'succeeded', { final });
  }

  /** What the next dispatcher carries from an execution that ended in UnrecordedNotices (its cause). */
  static carried(execution: Execution): CarriedObligation[] {
    return execution.status === 'unrecorded' ? execution.notified.flatMap((n) => (n.obligation ? [n.obligation] : [])) : [];
  }

  /** The function as one Task attempt sees it: built anew (a cold start), its requests watched for faults. */
  private deps(step: StepName, faults: readonly Fault[], strikes: Map<Fault, number>): { deps: StepDeps; dead: () => boolean } {
    const h = this.h;
    let dead = false;
    const watch = <C extends object>(service: Service, client: C): C =>
      new Proxy(client, {
        get: (target, property, receiver) => {
          if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
          return async (command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
            if (dead) throw new Killed(`the ${step} Task's process is dead`);
            const request: Request = { service, command: command.constructor.name, input: command.input };
            this.requests.push({ ...request, step });
            const fault = faults.find((f) => f.step === step && (strikes.get(f) ?? 0) < (f.times ?? 1) && f.at(request));
            if (fault) strikes.set(fault, (strikes.get(fault) ?? 0) + 1);
            if (fault?.effect === 'refuse' && fault.error) throw fault.error();
            if (fault?.effect === 'refuse') throw Object.assign(new Error(`${service} refused ${request.command}`), { name: 'InternalServerError', $fault: 'server' });
            if (fault?.effect === 'kill-before') {
              dead = true;
              throw new Killed(`killed before ${service} ${request.command}`);
            }
            const send = (target as { send: (...args: unknown[]) => Promise<unknown> }).send.bind(target);
            const answer = await send(command, ...rest);
            if (fault?.effect === 'kill-after') {
              dead = true;
              throw new Killed(`killed after ${service} ${request.command} was served`);
            }
            return answer;
          };
        },
      });
    const db = watch('dynamodb', this.db);
    const sns = watch('sns', h.sns as unknown as SNSClient);
    const tableName = h.settings.tableName;
    const fast = { minTimeoutMs: 0, randomize: false, attempts: 2 } as const;
    const deps: StepDeps = {
      settings: h.settings,
      reader: new ConfigReader(watch('config', h.config as unknown as ConfigServiceClient)),
      store: new HistoryStore(db, { tableName, historyRetentionDays: 30, backoffMs: 1 }),
      runs: new RunStore(db, { tableName, historyRetentionDays: 30, backoffMs: 1 }),
      notifier: new Notifier(sns, TOPIC),
      ...(h.integrations
        ? {
            integrations: {
              events: new EventsPublisher(h.events as unknown as EventBridgeClient, fast),
              ...(h.settings.securityHubFindings ? { findings: new SecurityHubPublisher(h.securityHub as unknown as SecurityHubClient, fast) } : {}),
              ...(h.settings.chatTopicArn ? { chat: new ChatNotifier(sns, h.settings.chatTopicArn) } : {}),
            },
          }
        : {}),
      logger: new Logger({ logLevel: 'SILENT' }),
      ...(h.reports ? { reports: h.reports } : {}),
      rate: this.rate,
      metrics: this.sink,
    };
    return { deps, dead: () => dead };
  }

  private async summaries(runAt: string, order: readonly string[]): Promise<RunSummary[]> {
    const runs = await this.h.store.runs({ from: runAt, to: runAt });
    return runs.filter((r) => r.runAt === runAt).sort((a, b) => order.indexOf(a.aggregator) - order.indexOf(b.aggregator));
  }
}
