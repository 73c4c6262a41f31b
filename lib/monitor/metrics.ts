/**
 * The function's own metrics (core/telemetry.ts, published with the embedded metric format) as the construct's
 * `metric...()` methods give them, beside the two the alarms watch (MONITOR_METRICS in alarms.ts). Each with the
 * statistic that reads it as the function publishes it, over the alarms' period unless the options say otherwise.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { TELEMETRY } from '../../core/telemetry';
import { serviceMetric } from './alarms';
import type { SourceStatus } from './typed-props';

export const RUN_METRICS = {
  /** Aggregators that could not be read or recorded, per run (Sum). */
  aggregatorErrors: (period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.aggregatorErrors, { statistic: 'Sum', period, ...options }),
  /** A run's wall time in milliseconds (Maximum). */
  runDuration: (period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.runDuration, { statistic: 'Maximum', period, ...options }),
  /** SNS messages accepted (Sum). */
  noticesPublished: (period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.noticesPublished, { statistic: 'Sum', period, ...options }),
  /** Sources of one aggregator in one status at the last run (Maximum), with the Aggregator and Status dimensions. */
  sources: (aggregator: string, status: SourceStatus, period: Duration, options: cloudwatch.MetricOptions = {}) =>
    serviceMetric(TELEMETRY.metrics.sources, {
      statistic: 'Maximum',
      period,
      ...options,
      dimensionsMap: {
        [TELEMETRY.dimensions.service]: TELEMETRY.service,
        [TELEMETRY.dimensions.aggregator]: aggregator,
        [TELEMETRY.dimensions.status]: status,
        ...options.dimensionsMap,
      },
    }),
} as const;
