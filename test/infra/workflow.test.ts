/**
 * The run's state machine as the stack synthesizes it: its definition, taken from the template's DefinitionString
 * with every token replaced by a placeholder, is valid ASL (asl-validator) and has the shape of
 * docs/decisions/engine.md's design, state by state; the resource's type, logging, tracing and timeout.
 */
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { WORKFLOW } from '../../core/workflow';
import { INVOCATION_ERRORS, LAMBDA_SERVICE_ERRORS, TASK_RETRY, UNIT_DONE } from '../../lib/monitor/workflow';
import { logicalId, synthMonitor, synthStack, type Synthesized } from './support';
import type { ConfigAggregatorMonitor } from '../../lib/config-aggregator-monitor';

interface State {
  readonly Type: string;
  readonly [field: string]: unknown;
}
interface Definition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
  readonly TimeoutSeconds?: number;
}

/** The placeholder a token of the definition becomes: `<LogicalId.Attribute>` or `<LogicalId>`. */
const placeholder = (token: { Ref?: string; 'Fn::GetAtt'?: [string, string] }) =>
  token.Ref !== undefined ? `<${token.Ref}>` : `<${(token['Fn::GetAtt'] ?? ['?']).join('.')}>`;

/** The state machine's resource and its definition, tokens resolved to placeholders. */
function stateMachineOf(template: Synthesized<unknown>['template']): { properties: Record<string, unknown>; definition: Definition } {
  const [resource, ...others] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(others).toEqual([]);
  const body = resource?.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : placeholder(part as never))).join('');
  return { properties: resource?.Properties as Record<string, unknown>, definition: JSON.parse(text) as Definition };
}

const S = WORKFLOW.states;
const s = synthStack({ aggregators: 'org-aggregator' });
const m = s.subject.monitor;
const { properties, definition } = stateMachineOf(s.template);
const fn = `<${logicalId(m.function)}.Arn>`;
const inner = (map: string) => (definition.States[map]?.ItemProcessor as Definition).States;

/** A Task's two retriers: Lambda's service errors, then a failed invocation with the step's timing. */
function retriers(step: keyof typeof TASK_RETRY, jitter: boolean) {
  const timing = TASK_RETRY[step];
  const strategy = jitter ? { JitterStrategy: 'FULL' } : {};
  return [
    { ErrorEquals: [...LAMBDA_SERVICE_ERRORS], IntervalSeconds: 2, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 60, ...strategy },
    {
      ErrorEquals: ['Lambda.Unknown', 'States.Timeout', 'States.TaskFailed'],
      IntervalSeconds: timing.intervalSeconds,
      MaxAttempts: timing.maxAttempts,
      BackoffRate: 2,
      ...(timing.maxDelaySeconds === undefined ? {} : { MaxDelaySeconds: timing.maxDelaySeconds }),
      ...strategy,
    },
  ];
}

/** A Task invoking the function with `payload` (payloadResponseOnly: Resource is the function's ARN). */
const task = (parameters: Record<string, unknown>, rest: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: fn,
  Parameters: parameters,
  TimeoutSeconds: 960,
  ...rest,
});

describe('the definition', () => {
  it('is valid Amazon States Language (asl-validator, paths checked)', () => {
    // Arrange
    const concrete = JSON.parse(JSON.stringify(definition).replaceAll(fn, 'arn:aws:lambda:eu-west-1:123456789012:function:worker'));
    // Act
    const result = aslValidator(concrete, { checkPaths: true, checkArn: true });
    // Assert
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('has exactly the states of the design, and no execution timeout', () => {
    expect(definition.StartAt).toBe(S.begin);
    expect(Object.keys(definition.States).sort()).toEqual(
      [S.begin, S.readMore, S.read, S.reconcile, S.notify, S.finalize, S.anyFailed, S.aggregatorsFailed, S.unrecorded, S.succeeded].sort(),
    );
    expect(Object.keys(inner(S.reconcile)).sort()).toEqual([S.reconcileUnit, S.unitMore, UNIT_DONE].sort());
    expect(Object.keys(inner(S.notify))).toEqual([S.notifyAggregator]);
    expect(definition.TimeoutSeconds).toBeUndefined();
  });

  it('begins with the event time and the carried obligations, the result in $.run', () => {
    expect(definition.States[S.begin]).toEqual(
      task({ step: 'begin', 'at.$': '$.at', 'carried.$': '$.carried' }, { ResultPath: '$.run', Next: S.readMore, Retry: retriers('begin', false) }),
    );
  });

  it('reads in rounds until the read is done, each round from the last one\'s rate', () => {
    expect(definition.States[S.readMore]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.run.read.done', BooleanEquals: true, Next: S.reconcile }],
      Default: S.read,
    });
    expect(definition.States[S.read]).toEqual(
      task(
        { step: 'read', 'runAt.$': '$.run.runAt', 'rate.$': '$.run.read.rate' },
        { ResultPath: '$.run.read', Next: S.readMore, Retry: retriers('read', false) },
      ),
    );
  });

  it('reconciles every unit, reconcileConcurrency at once, each until its progress is done, discarding the results', () => {
    const { ItemProcessor, ...map } = definition.States[S.reconcile] as State;
    expect(map).toEqual({
      Type: 'Map',
      ItemsPath: '$.run.read.units',
      MaxConcurrency: 10,
      ItemSelector: { 'runAt.$': '$.run.runAt', 'unit.$': '$$.Map.Item.Value', progress: null },
      ResultPath: null,
      Next: S.notify,
    });
    expect(ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'INLINE' }, StartAt: S.reconcileUnit });
    expect(inner(S.reconcile)).toEqual({
      [S.reconcileUnit]: task(
        { step: 'reconcile', 'runAt.$': '$.runAt', 'unit.$': '$.unit', 'progress.$': '$.progress' },
        { ResultPath: '$.progress', Next: S.unitMore, Retry: retriers('reconcile', true) },
      ),
      [S.unitMore]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: UNIT_DONE }],
        Default: S.reconcileUnit,
      },
      [UNIT_DONE]: { Type: 'Succeed' },
    });
  });

  it('notifies per aggregator, reconcileConcurrency at once, collecting what each published in $.notified', () => {
    const { ItemProcessor, ...map } = definition.States[S.notify] as State;
    expect(map).toEqual({
      Type: 'Map',
      ItemsPath: '$.run.aggregators',
      MaxConcurrency: 10,
      ItemSelector: { 'runAt.$': '$.run.runAt', 'aggregator.$': '$$.Map.Item.Value' },
      ResultPath: '$.notified',
      Next: S.finalize,
    });
    expect(ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'INLINE' }, StartAt: S.notifyAggregator });
    expect(inner(S.notify)).toEqual({
      [S.notifyAggregator]: task({ step: 'notify', 'runAt.$': '$.runAt', 'aggregator.$': '$.aggregator' }, { End: true, Retry: retriers('notify', true) }),
    });
  });

  it('finalizes with what was notified, or ends in Unrecorded carrying it when Finalize cannot record it', () => {
    expect(definition.States[S.finalize]).toEqual(
      task(
        { step: 'finalize', 'runAt.$': '$.run.runAt', 'notified.$': '$.notified' },
        {
          ResultPath: '$.final',
          Next: S.anyFailed,
          Retry: retriers('finalize', false),
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalizeError', Next: S.unrecorded }],
        },
      ),
    );
    expect(definition.States[S.unrecorded]).toEqual({
      Type: 'Fail',
      Error: WORKFLOW.errors.unrecorded,
      CausePath: 'States.JsonToString($.notified)',
    });
  });

  it('fails the execution, naming them, when some aggregators could not be watched; succeeds otherwise', () => {
    expect(definition.States[S.anyFailed]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.final.failed[0]', IsPresent: true, Next: S.aggregatorsFailed }],
      Default: S.succeeded,
    });
    expect(definition.States[S.aggregatorsFailed]).toEqual({
      Type: 'Fail',
      Error: WORKFLOW.errors.aggregatorsFailed,
      CausePath: 'States.JsonToString($.final.failed)',
    });
    expect(definition.States[S.succeeded]).toEqual({ Type: 'Succeed' });
  });

  it('retries Finalize for about ten minutes and a read round for hours (the documented timing)', () => {
    const total = ({ intervalSeconds, maxAttempts, maxDelaySeconds }: (typeof TASK_RETRY)[keyof typeof TASK_RETRY]) =>
      Array.from({ length: maxAttempts }, (_, i) => Math.min(intervalSeconds * 2 ** i, maxDelaySeconds ?? Infinity)).reduce((a, b) => a + b, 0);
    expect(total(TASK_RETRY.finalize)).toBe(635);
    expect(total(TASK_RETRY.read)).toBe(14_610);
    expect(total(TASK_RETRY.begin)).toBe(915);
    expect(INVOCATION_ERRORS).toEqual(['Lambda.Unknown', 'States.Timeout', 'States.TaskFailed']);
  });
});

describe('the state machine resource', () => {
  it('is a Standard workflow, logging errors without execution data to its own encrypted log group, traced', () => {
    const group = s.template.findResources('AWS::Logs::LogGroup')[logicalId(m.node.findChild('StateMachineLogGroup'))];
    expect(properties.StateMachineType).toBe('STANDARD');
    expect(properties.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(m.node.findChild('StateMachineLogGroup')), 'Arn'] } } }],
    });
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(group?.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [logicalId(m.key), 'Arn'] } });
    // A vended-logs name, unique to the stack's instance (Fn::Join of the prefix, the construct and the stack id).
    expect(JSON.stringify(group?.Properties.LogGroupName)).toContain('/aws/vendedlogs/states/');
  });

  it('is created once its role may deliver its logs', () => {
    const resource = Object.values(s.template.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(resource?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^MonitorStateMachineRoleDefaultPolicy/)]));
  });
});

describe('the reconcileConcurrency setting', () => {
  it('sets both Maps\' MaxConcurrency and the function\'s reserved executions', () => {
    // Arrange
    const variant: Synthesized<ConfigAggregatorMonitor> = synthMonitor({ aggregators: ['a'], reconcileConcurrency: 25 });
    // Act
    const { definition: d } = stateMachineOf(variant.template);
    // Assert
    expect([d.States[S.reconcile]?.MaxConcurrency, d.States[S.notify]?.MaxConcurrency]).toEqual([25, 25]);
    const worker = variant.template.findResources('AWS::Lambda::Function')[logicalId(variant.subject.function)];
    expect(worker?.Properties.ReservedConcurrentExecutions).toBe(25);
  });

  it('reserves nothing when reserveConcurrency is off, the Maps still bounded', () => {
    const variant = synthMonitor({ aggregators: ['a'], reserveConcurrency: false });
    const { definition: d } = stateMachineOf(variant.template);
    expect(d.States[S.reconcile]?.MaxConcurrency).toBe(10);
    const functions = Object.values(variant.template.findResources('AWS::Lambda::Function'));
    expect(functions.map((f) => f.Properties.ReservedConcurrentExecutions)).toEqual([undefined, undefined]);
  });
});
