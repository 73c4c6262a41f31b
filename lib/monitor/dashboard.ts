import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { TELEMETRY } from '../../core/telemetry';
import { MONITOR_METRICS, serviceMetric, type MonitorAlarms } from './alarms';

/**
 * Sources per status per aggregator, runs, errors, durations, the run's executions, skipped ticks and the alarms,
 * over the schedule's period.
 */
export function createMonitorDashboard(
  scope: Construct,
  parts: { readonly function: lambda.IFunction; readonly stateMachine: sfn.IStateMachine; readonly alarms: MonitorAlarms },
  periodSeconds: number,
): cloudwatch.Dashboard {
  const period = Duration.seconds(periodSeconds);
  const { namespace, service, dimensions, metrics } = TELEMETRY;
  const metric = (metricName: string, statistic: string, label: string) =>
    serviceMetric(metricName, { statistic, period, label });
  const search =
    `SEARCH('{${namespace},${dimensions.service},${dimensions.aggregator},${dimensions.status}} ` +
    `MetricName="${metrics.sources}" ${dimensions.service}="${service}"', 'Maximum', ${periodSeconds})`;
  const fn = parts.function;

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.days(7) });
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Sources per status, per aggregator',
      width: 24,
      left: [new cloudwatch.MathExpression({ expression: search, usingMetrics: {}, label: '', period })],
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Runs',
      width: 12,
      left: [
        metric(metrics.successfulRuns, 'Sum', 'Successful runs'),
        fn.metricInvocations({ statistic: 'Sum', period, label: 'Invocations' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Errors',
      width: 12,
      left: [
        fn.metricErrors({ statistic: 'Sum', period, label: 'Function errors' }),
        metric(metrics.aggregatorErrors, 'Sum', 'Aggregator errors'),
      ],
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Duration (ms)',
      width: 12,
      left: [
        fn.metricDuration({ statistic: 'p50', period, label: 'Function p50' }),
        fn.metricDuration({ statistic: 'Maximum', period, label: 'Function max' }),
        metric(metrics.runDuration, 'Maximum', 'Run duration max'),
      ],
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 12, height: 6, alarms: Object.values(parts.alarms) }),
  );
  const sm = parts.stateMachine;
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Executions',
      width: 8,
      left: [
        sm.metricStarted({ statistic: 'Sum', period, label: 'Started' }),
        sm.metricSucceeded({ statistic: 'Sum', period, label: 'Succeeded' }),
        sm.metricFailed({ statistic: 'Sum', period, label: 'Failed' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Execution time (ms)',
      width: 8,
      left: [
        sm.metricTime({ statistic: 'p50', period, label: 'Execution p50' }),
        sm.metricTime({ statistic: 'Maximum', period, label: 'Execution max' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Skipped ticks (a run outlasted the schedule)',
      width: 8,
      left: [MONITOR_METRICS.skippedRuns(period, { label: 'Skipped runs' })],
    }),
  );
  return dashboard;
}
