/**
 * What the construct offers a user's own code beyond its resources: the function's metrics (those the alarms watch
 * and the others it publishes), a read grant for the history, and the CDK types its props take (a topic construct,
 * Durations, an events.Schedule, the status enum). Bundling is skipped (monitor-stack.test.ts bundles).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { READER_TABLE_ACTIONS } from '../../adapters/store/table-schema';
import { KNOWN_STATUSES } from '../../core/model';
import { ENV } from '../../core/settings';
import { TELEMETRY } from '../../core/telemetry';
import { ConfigAggregatorMonitor, SourceStatus, type ConfigAggregatorMonitorProps } from '../../lib/config-aggregator-monitor';
import { NO_BUNDLING, actionsOf, arnOf, logicalId, roleStatements } from './support';

function monitorIn(props: ConfigAggregatorMonitorProps = {}) {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'UserStack');
  const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { aggregators: ['org'], ...props });
  return { stack, monitor };
}

/** The metric fields of an alarm as the template holds them. */
const metricOf = (alarm: { Properties: Record<string, unknown> }) => {
  const { Namespace, MetricName, Dimensions, Period, Statistic } = alarm.Properties;
  return { Namespace, MetricName, Dimensions, Period, Statistic };
};

describe('metrics', () => {
  it.each([
    ['metricFailedSources', 'failedSources'],
    ['metricSuccessfulRuns', 'noSuccessfulRun'],
  ] as const)('%s() is the metric of the %s alarm, over the same period', (method, alarmName) => {
    const { stack, monitor } = monitorIn({ schedule: events.Schedule.rate(Duration.minutes(30)) });
    new cloudwatch.Alarm(stack, 'UserAlarm', { metric: monitor[method](), threshold: 1, evaluationPeriods: 1 });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm') as Record<string, { Properties: Record<string, unknown> }>;
    const own = alarms[logicalId(monitor.alarms[alarmName])];
    const user = Object.entries(alarms).find(([id]) => id.startsWith('UserAlarm'))?.[1];
    expect(own && user).toBeTruthy();
    expect(metricOf(user!)).toEqual(metricOf(own!));
    expect(metricOf(user!).Period).toBe(1800);
  });

  it.each([
    ['metricAggregatorErrors', TELEMETRY.metrics.aggregatorErrors, 'Sum'],
    ['metricRunDuration', TELEMETRY.metrics.runDuration, 'Maximum'],
    ['metricNoticesPublished', TELEMETRY.metrics.noticesPublished, 'Sum'],
  ] as const)('%s() reads %s as the function publishes it, over the schedule period', (method, metricName, statistic) => {
    const { monitor } = monitorIn({ schedule: events.Schedule.cron({ minute: '0' }) });
    const metric = monitor[method]();
    expect(metric).toMatchObject({
      namespace: TELEMETRY.namespace,
      metricName,
      dimensions: { [TELEMETRY.dimensions.service]: TELEMETRY.service },
      statistic,
    });
    expect(metric.period.toSeconds()).toBe(3600);
  });

  it('metricSources() reads one aggregator and status, with the dimensions the function publishes Sources with', () => {
    const { monitor } = monitorIn();
    const metric = monitor.metricSources('org', SourceStatus.OUTDATED, { statistic: 'Average' });
    expect(metric).toMatchObject({
      metricName: TELEMETRY.metrics.sources,
      dimensions: { [TELEMETRY.dimensions.service]: TELEMETRY.service, [TELEMETRY.dimensions.aggregator]: 'org', [TELEMETRY.dimensions.status]: 'OUTDATED' },
      statistic: 'Average',
    });
  });

  it('takes the usual metric options', () => {
    const { monitor } = monitorIn();
    const metric = monitor.metricFailedSources({ period: Duration.minutes(5), statistic: 'Average', label: 'failed' });
    expect(metric.period.toSeconds()).toBe(300);
    expect(metric.statistic).toBe('Average');
    expect(metric.label).toBe('failed');
  });
});

describe('grantReadHistory', () => {
  it("grants exactly aggwatch's reads on the table and its indexes", () => {
    const { stack, monitor } = monitorIn();
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = monitor.grantReadHistory(reader);
    expect(grant.success).toBe(true);

    const table = arnOf(monitor.table);
    expect(roleStatements(Template.fromStack(stack), logicalId(reader))).toEqual([
      {
        Effect: 'Allow',
        Action: READER_TABLE_ACTIONS.length === 1 ? READER_TABLE_ACTIONS[0] : [...READER_TABLE_ACTIONS],
        Resource: [table, { 'Fn::Join': ['', [table, '/index/*']] }],
      },
    ]);
  });
});

describe('the props in CDK types', () => {
  it('topic: publishes to a topic construct of the app, subscribes to it, and creates no notices topic', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'UserStack');
    const alerts = new sns.Topic(stack, 'Alerts');
    const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { aggregators: ['org'], topic: alerts, emails: ['ops@example.com'] });
    const template = Template.fromStack(stack);

    expect(monitor.topic).toBe(alerts);
    expect(Object.keys(template.findResources('AWS::SNS::Topic')).sort()).toEqual([logicalId(alerts), logicalId(monitor.alarmTopic)].sort());
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.topicArn]: { Ref: logicalId(alerts) } }) } });
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: logicalId(alerts) }, Endpoint: 'ops@example.com', FilterPolicy: { format: ['email'] } });
    const publish = roleStatements(template, logicalId(monitor.role)).filter((st) => actionsOf(st).includes('sns:Publish'));
    expect(publish).toEqual([expect.objectContaining({ Resource: { Ref: logicalId(alerts) } })]);
  });

  it("topic: for a topic with a key the app holds, the function role may use that key (grantPublish's grant)", () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'UserStack');
    const key = new kms.Key(stack, 'AlertsKey');
    const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { topic: new sns.Topic(stack, 'Alerts', { masterKey: key }) });
    const statements = roleStatements(Template.fromStack(stack), logicalId(monitor.role));
    expect(statements).toEqual(
      expect.arrayContaining([expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [logicalId(key), 'Arn'] } })]),
    );
  });

  it('Durations and an events.Schedule give the function the same settings as the numbers and strings of the context', () => {
    const { stack } = monitorIn({
      schedule: events.Schedule.rate(Duration.hours(2)),
      remindAfter: Duration.days(1),
      staleAfter: Duration.hours(36),
      fullSweepInterval: Duration.hours(12),
      historyRetention: Duration.days(90),
      alertStatuses: [SourceStatus.OUTDATED],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 hours)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.remindAfterHours]: '24',
          [ENV.staleAfterHours]: '36',
          [ENV.fullSweepHours]: '12',
          [ENV.historyRetentionDays]: '90',
          [ENV.alertStatuses]: 'OUTDATED',
        }),
      },
    });
  });

  it('SourceStatus holds the statuses the model knows, as their own strings', () => {
    expect(Object.values(SourceStatus).sort()).toEqual([...KNOWN_STATUSES].sort());
    for (const status of Object.values(SourceStatus)) expect(SourceStatus[status]).toBe(status);
  });
});
