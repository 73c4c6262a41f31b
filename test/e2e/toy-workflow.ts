/**
 * A toy state machine in the engine's shape (docs/decisions/engine.md; BRIEF): Begin, a ReadRound loop, a Map of
 * units each looping ReconcileUnit, a Map over aggregators, Finalize with a Catch into a Fail whose cause is
 * `States.JsonToString`, a Choice into a second Fail. Every Task invokes the one function (payloadResponseOnly).
 *
 * `ToyFunction` plays the function: a scripted answer per step, and hooks to hold, crash or fail a call.
 */
import { localFunctionArn } from '../../tools/local/state-machine-definition';
import type { InvokeContext, InvokeOutcome } from '../../tools/local/sfn-execution';

export const FUNCTION_ARN = localFunctionArn('Function');
/** Transient failures every Task retries (the Lambda service's, and a killed or timed-out invocation). */
export const LAMBDA_ERRORS = ['Lambda.Unknown', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

export function toyDefinition(resource: string = FUNCTION_ARN, reconcileConcurrency = 2): Record<string, unknown> {
  const retry = [{ ErrorEquals: LAMBDA_ERRORS, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }];
  const task = (parameters: Record<string, unknown>, rest: Record<string, unknown>) => ({ Type: 'Task', Resource: resource, Parameters: parameters, Retry: retry, ...rest });
  return {
    StartAt: 'Begin',
    States: {
      Begin: task({ step: 'begin', 'at.$': '$.at', 'carried.$': '$.carried' }, { ResultPath: '$.run', Next: 'ReadMore?' }),
      'ReadMore?': { Type: 'Choice', Choices: [{ Variable: '$.run.read.done', BooleanEquals: true, Next: 'Reconcile' }], Default: 'ReadRound' },
      ReadRound: task({ step: 'read', 'runAt.$': '$.run.runAt', 'rate.$': '$.run.read.rate' }, { ResultPath: '$.run.read', Next: 'ReadMore?' }),
      Reconcile: {
        Type: 'Map',
        ItemsPath: '$.run.read.units',
        MaxConcurrency: reconcileConcurrency,
        ItemSelector: { 'runAt.$': '$.run.runAt', 'unit.$': '$$.Map.Item.Value', progress: null },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'ReconcileUnit',
          States: {
            ReconcileUnit: task({ step: 'reconcile', 'runAt.$': '$.runAt', 'unit.$': '$.unit', 'progress.$': '$.progress' }, { ResultPath: '$.progress', Next: 'UnitMore?' }),
            'UnitMore?': { Type: 'Choice', Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: 'UnitDone' }], Default: 'ReconcileUnit' },
            UnitDone: { Type: 'Succeed' },
          },
        },
        ResultPath: null,
        Next: 'Notify',
      },
      Notify: {
        Type: 'Map',
        ItemsPath: '$.run.aggregators',
        MaxConcurrency: reconcileConcurrency,
        ItemSelector: { 'runAt.$': '$.run.runAt', 'aggregator.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'NotifyAggregator',
          States: { NotifyAggregator: task({ step: 'notify', 'runAt.$': '$.runAt', 'aggregator.$': '$.aggregator' }, { End: true }) },
        },
        ResultPath: '$.notified',
        Next: 'Finalize',
      },
      Finalize: task(
        { step: 'finalize', 'runAt.$': '$.run.runAt', 'notified.$': '$.notified' },
        { ResultPath: '$.final', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalizeError', Next: 'Unrecorded' }], Next: 'AnyFailed?' },
      ),
      'AnyFailed?': { Type: 'Choice', Choices: [{ Variable: '$.final.failed[0]', IsPresent: true, Next: 'AggregatorsFailed' }], Default: 'Succeeded' },
      AggregatorsFailed: { Type: 'Fail', Error: 'AggregatorsFailed', CausePath: 'States.JsonToString($.final.failed)' },
      Unrecorded: { Type: 'Fail', Error: 'UnrecordedNotices', CausePath: 'States.JsonToString($.notified)' },
      Succeeded: { Type: 'Succeed' },
    },
  };
}

export interface ToyPayload {
  readonly step: string;
  readonly runAt?: string;
  readonly unit?: string;
  readonly aggregator?: string;
  readonly progress?: { readonly done: boolean; readonly passes: number } | null;
  readonly [key: string]: unknown;
}

/** Decides one call instead of the script: an outcome, or undefined to answer as scripted. */
export type CallHook = (payload: ToyPayload, nth: number) => InvokeOutcome | undefined | Promise<InvokeOutcome | undefined>;

export interface ToyScript {
  /** The function's ARN (default FUNCTION_ARN); calls to any other are answered ResourceNotFoundException. */
  readonly functionArn?: string;
  readonly aggregators?: readonly string[];
  readonly units?: readonly string[];
  /** Read rounds before `done` (default 2). */
  readonly rounds?: number;
  /** Reconcile passes per unit before `done` (default 2). */
  readonly passes?: number;
  readonly failed?: readonly string[];
}

/** The function's scripted behaviour, and a record of every call (step, payload) with the peak concurrency per step. */
export class ToyFunction {
  readonly calls: { readonly step: string; readonly payload: ToyPayload; readonly context: InvokeContext }[] = [];
  readonly peak = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly hooks = new Map<string, CallHook>();

  constructor(private readonly script: ToyScript = {}) {}

  /** Replaces the script for one step's calls (`nth` counts that step's calls from 1). */
  on(step: string, hook: CallHook): this {
    this.hooks.set(step, hook);
    return this;
  }

  readonly invoke = async (functionArn: string, raw: unknown, context: InvokeContext): Promise<InvokeOutcome> => {
    if (functionArn !== (this.script.functionArn ?? FUNCTION_ARN)) return { ok: false, errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionArn}` };
    const payload = raw as ToyPayload;
    this.calls.push({ step: payload.step, payload, context });
    const nth = this.calls.filter((c) => c.step === payload.step).length;
    const now = (this.running.get(payload.step) ?? 0) + 1;
    this.running.set(payload.step, now);
    this.peak.set(payload.step, Math.max(this.peak.get(payload.step) ?? 0, now));
    try {
      // Every call yields once, so that calls of one Map overlap when its concurrency allows it.
      await new Promise((resolve) => setImmediate(resolve));
      return (await this.hooks.get(payload.step)?.(payload, nth)) ?? this.answer(payload, nth);
    } finally {
      this.running.set(payload.step, (this.running.get(payload.step) ?? 1) - 1);
    }
  };

  steps(step: string): ToyPayload[] {
    return this.calls.filter((c) => c.step === step).map((c) => c.payload);
  }

  private answer(payload: ToyPayload, nth: number): InvokeOutcome {
    const result = this.result(payload, nth);
    return result === undefined ? { ok: false, errorType: 'UnknownStep', errorMessage: `unknown step ${payload.step}` } : { ok: true, result };
  }

  private result(payload: ToyPayload, nth: number): unknown {
    const { aggregators = ['agg-a', 'agg-b'], units = ['agg-a#0', 'agg-a#1', 'agg-b#0'], rounds = 2, passes = 2, failed = [] } = this.script;
    switch (payload.step) {
      case 'begin':
        return { runAt: payload.at, aggregators, read: { done: false, rate: { rate: 5 } } };
      case 'read':
        return nth >= rounds ? { done: true, rate: { rate: 5 }, units } : { done: false, rate: { rate: 5 } };
      case 'reconcile': {
        const done = (payload.progress?.passes ?? 0) + 1;
        return { done: done >= passes, passes: done };
      }
      case 'notify':
        return { aggregator: payload.aggregator, code: 'sent' };
      case 'finalize':
        return { failed };
      default:
        return undefined;
    }
  }
}
