/**
 * The run's state machine the benchmark executes on the local Step Functions endpoint: the synthesized stack's own
 * (tools/local/state-machine-definition.ts resolves its ARNs to local ones) when the stack has one; until then a
 * copy of the decided shape (docs/decisions/engine.md, core/workflow.ts WORKFLOW), with every Task invoking the
 * monitor's function and retrying the Lambda service's transient errors.
 */
import { WORKFLOW } from '../../core/workflow';
import { localFunctionArn, stateMachineDefinitions } from '../local/state-machine-definition';
import { WORKER_ID } from './artifacts';

export interface BenchDefinition {
  readonly definition: unknown;
  /** The function ARNs the Tasks invoke (all of them are the worker). */
  readonly functionArns: readonly string[];
  /** `template`: the synthesized stack's; `copy`: the shape of docs/decisions/engine.md (no state machine in the stack yet). */
  readonly source: 'template' | 'copy';
}

/** Errors of a killed, timed-out or throttled invocation, which every Task retries (Lambda's error names in Step Functions). */
const LAMBDA_ERRORS = ['Lambda.Unknown', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

export function benchDefinition(template: unknown, reconcileConcurrency: number): BenchDefinition {
  const machines = stateMachineDefinitions(template);
  const run = machines.find((m) => Object.keys(m.functions).length > 0);
  if (run) return { definition: run.definition, functionArns: Object.values(run.functions), source: 'template' };
  const arn = localFunctionArn(WORKER_ID);
  return { definition: copiedDefinition(arn, reconcileConcurrency), functionArns: [arn], source: 'copy' };
}

function copiedDefinition(resource: string, concurrency: number): Record<string, unknown> {
  const s = WORKFLOW.states;
  const retry = [{ ErrorEquals: LAMBDA_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }];
  const task = (parameters: Record<string, unknown>, rest: Record<string, unknown>) => ({ Type: 'Task', Resource: resource, Parameters: parameters, Retry: retry, ...rest });
  return {
    StartAt: s.begin,
    States: {
      [s.begin]: task({ step: 'begin', 'at.$': '$.at', 'carried.$': '$.carried' }, { ResultPath: '$.run', Next: s.readMore }),
      [s.readMore]: { Type: 'Choice', Choices: [{ Variable: '$.run.read.done', BooleanEquals: true, Next: s.reconcile }], Default: s.read },
      [s.read]: task({ step: 'read', 'runAt.$': '$.run.runAt', 'rate.$': '$.run.read.rate' }, { ResultPath: '$.run.read', Next: s.readMore }),
      [s.reconcile]: {
        Type: 'Map',
        ItemsPath: '$.run.read.units',
        MaxConcurrency: concurrency,
        ItemSelector: { 'runAt.$': '$.run.runAt', 'unit.$': '$$.Map.Item.Value', progress: null },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: s.reconcileUnit,
          States: {
            [s.reconcileUnit]: task({ step: 'reconcile', 'runAt.$': '$.runAt', 'unit.$': '$.unit', 'progress.$': '$.progress' }, { ResultPath: '$.progress', Next: s.unitMore }),
            [s.unitMore]: { Type: 'Choice', Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: 'UnitDone' }], Default: s.reconcileUnit },
            UnitDone: { Type: 'Succeed' },
          },
        },
        ResultPath: null,
        Next: s.notify,
      },
      [s.notify]: {
        Type: 'Map',
        ItemsPath: '$.run.aggregators',
        MaxConcurrency: concurrency,
        ItemSelector: { 'runAt.$': '$.run.runAt', 'aggregator.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: s.notifyAggregator,
          States: { [s.notifyAggregator]: task({ step: 'notify', 'runAt.$': '$.runAt', 'aggregator.$': '$.aggregator' }, { End: true }) },
        },
        ResultPath: '$.notified',
        Next: s.finalize,
      },
      [s.finalize]: task(
        { step: 'finalize', 'runAt.$': '$.run.runAt', 'notified.$': '$.notified' },
        { ResultPath: '$.final', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalizeError', Next: s.unrecorded }], Next: s.anyFailed },
      ),
      [s.anyFailed]: { Type: 'Choice', Choices: [{ Variable: '$.final.failed[0]', IsPresent: true, Next: s.aggregatorsFailed }], Default: s.succeeded },
      [s.aggregatorsFailed]: { Type: 'Fail', Error: WORKFLOW.errors.aggregatorsFailed, CausePath: 'States.JsonToString($.final.failed)' },
      [s.unrecorded]: { Type: 'Fail', Error: WORKFLOW.errors.unrecorded, CausePath: 'States.JsonToString($.notified)' },
      [s.succeeded]: { Type: 'Succeed' },
    },
  };
}
