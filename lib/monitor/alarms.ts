import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { TELEMETRY } from '../../core/telemetry';

export interface MonitorAlarms {
  /**
   * A run's execution failed: an aggregator could not be watched, a step failed after its retries, or what was
   * notified could not be recorded. (The function's own errors are no alarm: a killed or failed step is retried by
   * the state machine, so a function error is not a failed run.)
   */
  readonly executionsFailed: cloudwatch.Alarm;
  /** A scheduled tick found the previous run still going (the dispatcher skipped it): a run outlasts the schedule. */
  readonly runOutlastedSchedule: cloudwatch.Alarm;
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
  /** Ticks the dispatcher skipped because a run was still going (Sum). */
  skippedRuns: (period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.skippedRuns, { statistic: 'Sum', period, ...options }),
} as const;

/** The monitor's own alarms, each notifying the topic when it fires and when it clears. */
export function createMonitorAlarms(
  scope: Construct,
  parts: { readonly stateMachine: sfn.IStateMachine; readonly dlq: sqs.IQueue; readonly topic: sns.ITopic },
  schedulePeriodSeconds: number,
): MonitorAlarms {
  const schedulePeriod = Duration.seconds(schedulePeriodSeconds);
  const alarms: MonitorAlarms = {
    // Over the schedule's period: at most one run ends in each, so the alarm stays in ALARM while run after run
    // fails and clears at the first period without a failure (AWS/States ExecutionsFailed, per state machine).
    executionsFailed: new cloudwatch.Alarm(scope, 'ExecutionsFailedAlarm', {
      alarmDescription:
        'A config-aggregator-watch run failed: an aggregator could not be watched, a step failed after its retries, ' +
        'or what was notified could not be recorded (see the execution in the Step Functions console).',
      metric: parts.stateMachine.metricFailed({ statistic: 'Sum', period: schedulePeriod }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    // The dispatcher emits SkippedRuns at each tick it skips; a period without a skipped tick clears the alarm.
    runOutlastedSchedule: new cloudwatch.Alarm(scope, 'RunOutlastedScheduleAlarm', {
      alarmDescription:
        'A config-aggregator-watch run was still going at the next scheduled tick, which was skipped: runs outlast ' +
        'the schedule (slow, not cut off; `aggwatch runs` lists the skipped ticks).',
      metric: MONITOR_METRICS.skippedRuns(schedulePeriod),
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
