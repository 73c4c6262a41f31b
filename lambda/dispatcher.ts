/**
 * The dispatcher's Lambda entry point, invoked by the schedule (asynchronously, reserved concurrency 1): starts the
 * tick's execution of the run's state machine, one at a time (lambda/dispatch.ts). Built once at cold start: the
 * settings (validated: a bad value fails the init with a message naming it), the clients, Logger and Metrics.
 * Its own small bundle: the Step Functions and DynamoDB clients only, none of the monitor's.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { dispatcherSettingsFromEnvironment } from '../core/settings';
import { TELEMETRY } from '../core/telemetry';
import { Executions } from '../adapters/executions';
import { SkippedRunWriter } from '../adapters/store/skipped-runs';
import { dispatch, type DispatchResult } from './dispatch';
import { RETRY } from './sdk-options';

const settings = dispatcherSettingsFromEnvironment(process.env);
const logger = new Logger({ serviceName: TELEMETRY.service });
const metrics = new Metrics({ namespace: TELEMETRY.namespace, serviceName: TELEMETRY.service });
const executions = new Executions(new SFNClient(RETRY), settings.stateMachineArn);
const skipped = new SkippedRunWriter(
  DynamoDBDocumentClient.from(new DynamoDBClient(RETRY), { marshallOptions: { removeUndefinedValues: true } }),
  settings,
);

export const handler = async (event: unknown, context: Context): Promise<DispatchResult> => {
  logger.addContext(context);
  try {
    return await dispatch(
      {
        executions,
        skipped,
        logger,
        countSkipped: (value) => metrics.addMetric(TELEMETRY.metrics.skippedRuns, MetricUnit.Count, value),
      },
      event,
    );
  } catch (e) {
    // Lambda retries the event (twice), then sends it to the on-failure destination.
    logger.error('Dispatch failed', e as Error);
    throw e;
  } finally {
    metrics.publishStoredMetrics();
  }
};
