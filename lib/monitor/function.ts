import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { settingsToEnvironment } from '../../core/settings';
import { TELEMETRY } from '../../core/telemetry';
import { HANDLER_TABLE_ACTIONS } from '../../adapters/store/table-schema';
import { functionCodeProps } from './function-code';
import type { ResolvedProps } from './props';

/** The Config API actions the function calls. */
export const CONFIG_ACTIONS = [
  'config:DescribeConfigurationAggregatorSourcesStatus',
  'config:DescribeConfigurationAggregators',
] as const;

/**
 * The function's runtime. The tests, the CLI and the demo run on the same Node.js major (the `node` devDependency),
 * checked by test/unit/runtime.test.ts.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface MonitorFunction {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Receives scheduled invocations that failed every attempt, from Lambda or from EventBridge. */
  readonly dlq: sqs.Queue;
  readonly rule: events.Rule;
}

/** The scheduled function, its role, log group and dead-letter queue, with the grants it needs and no more. */
export function createMonitorFunction(
  scope: Construct,
  props: ResolvedProps,
  resources: { readonly table: dynamodb.Table; readonly topic: sns.ITopic },
): MonitorFunction {
  const dlq = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });

  const logGroup = new logs.LogGroup(scope, 'LogGroup', { retention: props.logRetention });
  // Own role rather than the default one, which carries the AWSLambdaBasicExecutionRole managed policy
  // (log groups it never uses); this one may write to its own log group only.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'config-aggregator-watch function',
  });
  logGroup.grantWrite(role);

  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    description: 'Reads AWS Config aggregator source status, records it and alerts on failures',
    // Bundled from source in this repository, pre-built in the npm package: the same bytes (function-code.ts).
    ...functionCodeProps(),
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    // 100,000 sources are 1,000 pages of 100 read in sequence, 150 s at 150 ms a page: ample headroom, and the
    // handler stops itself, loudly, before this deadline.
    timeout: Duration.minutes(15),
    reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      ...settingsToEnvironment({
        ...(props.aggregators.length > 0 ? { aggregators: props.aggregators } : {}),
        tableName: resources.table.tableName,
        topicArn: resources.topic.topicArn,
        alertStatuses: props.alertStatuses,
        remindAfterHours: props.remindAfterHours,
        notifyRecoveries: props.notifyRecoveries,
        ...(props.staleAfterHours === undefined ? {} : { staleAfterHours: props.staleAfterHours }),
        fullSweepHours: props.fullSweepHours,
        historyRetentionDays: props.historyRetentionDays,
      }),
      POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
      POWERTOOLS_METRICS_NAMESPACE: TELEMETRY.namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    retryAttempts: 2,
    onFailure: new destinations.SqsDestination(dlq),
  });

  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...CONFIG_ACTIONS],
      resources: [Stack.of(scope).formatArn({ service: 'config', resource: 'config-aggregator', resourceName: '*' })],
    }),
  );
  resources.table.grant(fn, ...HANDLER_TABLE_ACTIONS);
  resources.topic.grantPublish(fn);

  const rule = new events.Rule(scope, 'Schedule', {
    description: 'Runs the config-aggregator-watch check',
    schedule: events.Schedule.expression(props.schedule.expression),
    targets: [new targets.LambdaFunction(fn, { deadLetterQueue: dlq, retryAttempts: 2 })],
  });

  return { function: fn, role, logGroup, dlq, rule };
}
