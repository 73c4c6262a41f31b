/**
 * The stack as `npx cdk synth -c aggregators=org-aggregator -c emails=ops@example.com -c smsNumbers=+15555550100`
 * builds it: the alarms, the dashboard, the outputs and cdk-nag.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY } from '../../core/telemetry';
import type { MonitorStack } from '../../lib/monitor-stack';
import { OUTPUTS } from '../../lib/monitor-stack';
import {
  acknowledgments,
  logicalId,
  nagViolations,
  ref,
  README_CONTEXT,
  synthStack,
  type Synthesized,
} from './support';

let s: Synthesized<MonitorStack>;
let m: MonitorStack['monitor'];

beforeAll(() => {
  s = synthStack(README_CONTEXT);
  m = s.subject.monitor;
});

/** A dashboard body is a Fn::Join of JSON text and tokens: join it with each token replaced by `<logicalId>`. */
function dashboardBody(): { widgets: { type: string; properties: Record<string, unknown> }[] } {
  const dashboard = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'))[0];
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const text = parts
    .map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`))
    .join('');
  return JSON.parse(text);
}

describe('alarms', () => {
  const topicActions = () => ({ AlarmActions: [ref(m.alarmTopic)], OKActions: [ref(m.alarmTopic)] });
  const service = [{ Name: TELEMETRY.dimensions.service, Value: TELEMETRY.service }];

  it("alarms on any failed execution of the run's state machine, over the schedule's period", () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: ref(m.stateMachine) }],
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ...topicActions(),
    });
  });

  it('alarms when a tick was skipped because a run outlasted the schedule, and clears at a period without one', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: TELEMETRY.namespace,
      MetricName: TELEMETRY.metrics.skippedRuns,
      Dimensions: service,
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ...topicActions(),
    });
  });

  it("has no alarm on the function's own errors (a retried step is no failed run)", () => {
    const metrics = Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.MetricName);
    expect(metrics).not.toContain('Errors');
  });

  it('alarms when no run succeeded within two schedule periods, silence included', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: TELEMETRY.namespace,
      MetricName: TELEMETRY.metrics.successfulRuns,
      Dimensions: service,
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      ...topicActions(),
    });
  });

  it('alarms while any source is FAILED', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: TELEMETRY.namespace,
      MetricName: TELEMETRY.metrics.failedSources,
      Dimensions: service,
      Statistic: 'Maximum',
      Period: 900,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
      ...topicActions(),
    });
  });

  it('alarms on any message in the dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(m.dlq), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      ...topicActions(),
    });
  });

  it('exposes the five alarms, each notifying the topic', () => {
    expect(Object.keys(m.alarms).sort()).toEqual(['deadLetters', 'executionsFailed', 'failedSources', 'noSuccessfulRun', 'runOutlastedSchedule']);
    const alarms = s.template.findResources('AWS::CloudWatch::Alarm');
    for (const alarm of Object.values(m.alarms)) {
      expect(alarms[logicalId(alarm)]?.Properties).toMatchObject(topicActions());
    }
  });
});

describe('dashboard', () => {
  it('graphs sources per status and aggregator with a SEARCH expression', () => {
    const search =
      `SEARCH('{${TELEMETRY.namespace},service,Aggregator,Status} ` +
      `MetricName="${TELEMETRY.metrics.sources}" service="${TELEMETRY.service}"', 'Maximum', 900)`;
    const widget = dashboardBody().widgets.find((w) => w.properties.title === 'Sources per status, per aggregator');
    expect(widget?.properties.metrics).toEqual([[{ expression: search, period: 900 }]]);
  });

  it('graphs runs, errors and duration from the function and the monitor metrics', () => {
    const fn = `<{'Ref':'${logicalId(m.function)}'}>`;
    const own = (metric: string) => [TELEMETRY.namespace, metric, 'service', TELEMETRY.service];
    const metrics = (title: string) =>
      (dashboardBody().widgets.find((w) => w.properties.title === title)?.properties.metrics as unknown[][]).map(
        (line) => line.slice(0, -1),
      );
    expect(metrics('Runs')).toEqual([
      own(TELEMETRY.metrics.successfulRuns),
      ['AWS/Lambda', 'Invocations', 'FunctionName', fn],
    ]);
    expect(metrics('Errors')).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', fn],
      own(TELEMETRY.metrics.aggregatorErrors),
    ]);
    expect(metrics('Duration (ms)')).toEqual([
      ['AWS/Lambda', 'Duration', 'FunctionName', fn],
      ['AWS/Lambda', 'Duration', 'FunctionName', fn],
      own(TELEMETRY.metrics.runDuration),
    ]);
    const stats = (dashboardBody().widgets.find((w) => w.properties.title === 'Duration (ms)')?.properties
      .metrics as { stat: string }[][]).map((line) => line[line.length - 1]?.stat);
    expect(stats).toEqual(['p50', 'Maximum', 'Maximum']);
  });

  it("graphs the run's executions, their time and the skipped ticks", () => {
    const sm = `<{'Ref':'${logicalId(m.stateMachine)}'}>`;
    const own = (metric: string) => [TELEMETRY.namespace, metric, 'service', TELEMETRY.service];
    const lines = (title: string) =>
      dashboardBody().widgets.find((w) => w.properties.title === title)?.properties.metrics as unknown[][];
    const metrics = (title: string) => lines(title).map((line) => line.slice(0, -1));
    const stats = (title: string) => lines(title).map((line) => (line[line.length - 1] as { stat: string }).stat);
    expect(metrics('Executions')).toEqual(
      ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed'].map((name) => ['AWS/States', name, 'StateMachineArn', sm]),
    );
    expect(stats('Executions')).toEqual(['Sum', 'Sum', 'Sum']);
    expect(metrics('Execution time (ms)')).toEqual([
      ['AWS/States', 'ExecutionTime', 'StateMachineArn', sm],
      ['AWS/States', 'ExecutionTime', 'StateMachineArn', sm],
    ]);
    expect(stats('Execution time (ms)')).toEqual(['p50', 'Maximum']);
    expect(metrics('Skipped ticks (a run outlasted the schedule)')).toEqual([own(TELEMETRY.metrics.skippedRuns)]);
  });

  it('shows the alarms', () => {
    const widget = dashboardBody().widgets.find((w) => w.type === 'alarm');
    expect(widget?.properties.alarms).toHaveLength(5);
  });
});

describe('outputs', () => {
  it('keeps its output keys stable', () => {
    expect(OUTPUTS).toEqual({
      tableName: 'TableName',
      topicArn: 'TopicArn',
      alarmTopicArn: 'AlarmTopicArn',
      functionName: 'FunctionName',
      dispatcherName: 'DispatcherName',
      stateMachineArn: 'StateMachineArn',
      dashboardUrl: 'DashboardUrl',
    });
    expect(Object.keys(s.template.findOutputs('*')).sort()).toEqual(Object.values(OUTPUTS).sort());
  });

  it('outputs the table, topic, function, dispatcher and state machine and the dashboard URL', () => {
    s.template.hasOutput('DispatcherName', { Value: ref(m.dispatcher) });
    s.template.hasOutput('StateMachineArn', { Value: ref(m.stateMachine) });
    s.template.hasOutput('TableName', { Value: ref(m.table) });
    s.template.hasOutput('TopicArn', { Value: ref(m.topic) });
    s.template.hasOutput('AlarmTopicArn', { Value: ref(m.alarmTopic) });
    s.template.hasOutput('FunctionName', { Value: ref(m.function) });
    s.template.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: 'AWS::Region' },
            '.console.aws.amazon.com/cloudwatch/home?region=',
            { Ref: 'AWS::Region' },
            '#dashboards/dashboard/',
            ref(m.dashboard),
          ],
        ],
      },
    });
  });
});

/** The state machine's own role (the state machine holds it as an immutable wrapper). */
const stateMachineRolePath = () => m.node.findChild('StateMachineRole').node.path;

describe('cdk-nag AwsSolutions', () => {
  it('reports no error and no warning', () => {
    expect(nagViolations(s.app)).toEqual([]);
  });

  it('acknowledges only the deliberate findings, each on its own construct, with a reason', () => {
    const found = acknowledgments(s.app);
    expect(found.map(({ path, id }) => ({ path, id })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { path: m.role.node.path, id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]' },
      {
        path: m.role.node.path,
        id: `AwsSolutions-IAM5[Resource::<${logicalId(m.table)}.Arn>/index/*]`,
      },
      {
        path: m.role.node.path,
        id:
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:' +
          'config-aggregator/*]',
      },
      { path: m.dlq.node.path, id: 'AwsSolutions-SQS3' },
      { path: m.stateMachine.node.path, id: 'AwsSolutions-SF1' },
      { path: stateMachineRolePath(), id: 'AwsSolutions-IAM5[Resource::*]' },
      {
        path: m.dispatcherRole.node.path,
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId(m.stateMachine)}.Name>:*]`,
      },
    ].sort((a, b) => a.id.localeCompare(b.id)));
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(60);
  });
});
