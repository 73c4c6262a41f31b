import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TELEMETRY } from '../../core/telemetry';

export interface MonitorAlarms {
  /** The function threw or timed out. */
  readonly errors: cloudwatch.Alarm;
  /** No run recorded every aggregator within two schedule periods. */
  readonly noSuccessfulRun: cloudwatch.Alarm;
  /** At least one source was FAILED in the last run. */
  readonly failedSources: cloudwatch.Alarm;
  /** A scheduled invocation was given up on and sits in the dead-letter queue. */
  readonly deadLetters: cloudwatch.Alarm;
}

/** A metric the function publishes (EMF), by its name in TELEMETRY. */
export function serviceMetric(metricName: string, options: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: TELEMETRY.namespace,
    metricName,
    dimensionsMap: { [TELEMETRY.dimensions.service]: TELEMETRY.service },
    ...options,
  });
}

/**
 * The function's own metrics that the alarms watch, with the alarms' statistics over a period: one definition for the
 * alarms and the construct's `metric...()` methods.
 */
export const MONITOR_METRICS = {
  /** Runs that read and recorded every aggregator (Sum). */
  successfulRuns: (period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.successfulRuns, { statistic: 'Sum', period, ...options }),
  /** Sources FAILED at the last run (Maximum). */
  failedSources: (period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.failedSources, { statistic: 'Maximum', period, ...options }),
} as const;

/** The monitor's own alarms, each notifying the topic when it fires and when it clears. */
export function createMonitorAlarms(
  scope: Construct,
  parts: { readonly function: lambda.IFunction; readonly dlq: sqs.IQueue; readonly topic: sns.ITopic },
  schedulePeriodSeconds: number,
): MonitorAlarms {
  const schedulePeriod = Duration.seconds(schedulePeriodSeconds);
  const alarms: MonitorAlarms = {
    errors: new cloudwatch.Alarm(scope, 'ErrorsAlarm', {
      alarmDescription: 'The config-aggregator-watch function failed (error or timeout).',
      metric: parts.function.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    noSuccessfulRun: new cloudwatch.Alarm(scope, 'NoSuccessfulRunAlarm', {
      alarmDescription:
        'No config-aggregator-watch run read and recorded every aggregator within two schedule periods: ' +
        'aggregator status is not being watched.',
      metric: MONITOR_METRICS.successfulRuns(schedulePeriod),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // No data is the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }),
    failedSources: new cloudwatch.Alarm(scope, 'FailedSourcesAlarm', {
      alarmDescription: 'At least one AWS Config aggregator source is FAILED.',
      metric: MONITOR_METRICS.failedSources(schedulePeriod),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // A late run says nothing about the sources: keep the last state (the no-run alarm covers silence).
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    }),
    deadLetters: new cloudwatch.Alarm(scope, 'DeadLetterQueueAlarm', {
      alarmDescription:
        'A scheduled config-aggregator-watch run failed every attempt and is in the dead-letter queue.',
      metric: parts.dlq.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  };
  const action = new cwActions.SnsAction(parts.topic);
  for (const alarm of Object.values(alarms)) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarms;
}
