/**
 * What the construct offers a user's own code beyond its resources: the function's metrics the alarms watch, and a
 * read grant for the history. Bundling is skipped (monitor-stack.test.ts bundles).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { READER_TABLE_ACTIONS } from '../../adapters/store/table-schema';
import { ConfigAggregatorMonitor } from '../../lib/config-aggregator-monitor';
import { NO_BUNDLING, arnOf, logicalId, roleStatements } from './support';

function monitorIn(schedule?: string) {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'UserStack');
  const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { aggregators: ['org'], ...(schedule ? { schedule } : {}) });
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
    const { stack, monitor } = monitorIn('rate(30 minutes)');
    new cloudwatch.Alarm(stack, 'UserAlarm', { metric: monitor[method](), threshold: 1, evaluationPeriods: 1 });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm') as Record<string, { Properties: Record<string, unknown> }>;
    const own = alarms[logicalId(monitor.alarms[alarmName])];
    const user = Object.entries(alarms).find(([id]) => id.startsWith('UserAlarm'))?.[1];
    expect(own && user).toBeTruthy();
    expect(metricOf(user!)).toEqual(metricOf(own!));
    expect(metricOf(user!).Period).toBe(1800);
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
