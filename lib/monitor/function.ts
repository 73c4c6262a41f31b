import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { settingsToEnvironment } from '../../core/settings';
import { TELEMETRY } from '../../core/telemetry';
import { HANDLER_TABLE_ACTIONS } from '../../adapters/store/table-schema';
import { functionCodeProps } from './function-code';
import { createIntegrations, type MonitorIntegrations } from './integrations';
import { createFunctionNetwork, type FunctionNetwork } from './network';
import { grantReportWrites } from './report-bucket';
import type { ResolvedProps } from './props';

const SOURCES_STATUS_ACTION = 'config:DescribeConfigurationAggregatorSourcesStatus';
/** Called only to discover the aggregators when none are configured. */
const DISCOVERY_ACTION = 'config:DescribeConfigurationAggregators';

/** The Config API actions the function calls (the second one only when it discovers the aggregators). */
export const CONFIG_ACTIONS = [SOURCES_STATUS_ACTION, DISCOVERY_ACTION] as const;

/**
 * The function's runtime. The tests, the CLI and the demo run on the same Node.js major (the `node` devDependency),
 * checked by test/unit/runtime.test.ts.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The function's timeout, Lambda's longest: 100,000 sources are 1,000 pages of 100 read in sequence, 150 s at 150 ms a
 * page, and a read round stops itself a margin before it and returns `done: false` (the next round continues).
 */
export const WORKER_TIMEOUT = Duration.minutes(15);

export interface MonitorFunction {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Where the function runs in the user's VPC (the dispatcher runs there too), when it does. */
  readonly network?: FunctionNetwork;
  /** The function's security group, when it runs in a VPC. */
  readonly securityGroup?: ec2.SecurityGroup;
  /** The events' bus, the findings' grant, the chat topic and channels. */
  readonly integrations: MonitorIntegrations;
}

/**
 * The monitor's function (the worker: every Task of the run's state machine invokes it, synchronously), its role and
 * log group, with the grants it needs and no more.
 */
export function createMonitorFunction(
  scope: Construct,
  props: ResolvedProps,
  resources: { readonly table: dynamodb.Table; readonly topic: sns.ITopic; readonly key: kms.IKey; readonly reportBucket?: s3.IBucket },
): MonitorFunction {
  const { logGroup, role } = functionLogsAndRole(scope, { logGroup: 'LogGroup', role: 'Role' }, 'config-aggregator-watch function', props.logRetention, resources.key);
  const network = props.network && createFunctionNetwork(scope, props.network, role);
  const integrations = createIntegrations(scope, props, role, resources.key);

  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    description: 'Reads AWS Config aggregator source status, records it and alerts on failures',
    // Bundled from source in this repository, pre-built in the npm package: the same bytes (function-code.ts).
    ...functionCodeProps(),
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    timeout: WORKER_TIMEOUT,
    // The state machine runs up to reconcileConcurrency Tasks at once (its Map states), and only one execution runs
    // at a time (the dispatcher): reserving that many keeps the Map's invocations from being throttled by other
    // functions of the account, and caps the function at what the run needs.
    reservedConcurrentExecutions: props.reserveConcurrency ? props.reconcileConcurrency : undefined,
    role,
    ...(network ? { vpc: network.vpc, vpcSubnets: network.vpcSubnets, securityGroups: [network.securityGroup] } : {}),
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
        smsNotices: props.smsNotices,
        ...(props.staleAfterHours === undefined ? {} : { staleAfterHours: props.staleAfterHours }),
        fullSweepHours: props.fullSweepHours,
        historyRetentionDays: props.historyRetentionDays,
        aggregatorConcurrency: props.aggregatorConcurrency,
        reconcileConcurrency: props.reconcileConcurrency,
        ...(integrations.eventBusName === undefined ? {} : { eventBusName: integrations.eventBusName }),
        securityHubFindings: props.securityHubFindings,
        ...(integrations.chatTopic ? { chatTopicArn: integrations.chatTopic.topicArn } : {}),
        ...(resources.reportBucket ? { reportBucket: resources.reportBucket.bucketName } : {}),
      }),
      POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
      POWERTOOLS_METRICS_NAMESPACE: TELEMETRY.namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    // No asynchronous-invocation settings: Step Functions invokes the function synchronously (RequestResponse), and
    // retries it with the state machine's own Retry; the schedule's retries and dead-letter queue are the
    // dispatcher's (lib/monitor/dispatcher.ts).
  });

  for (const statement of functionStatements(scope, props, resources.table)) role.addToPrincipalPolicy(statement);
  resources.topic.grantPublish(fn);
  if (resources.reportBucket) grantReportWrites(resources.reportBucket, role);

  return { function: fn, role, logGroup, integrations, ...(network ? { network, securityGroup: network.securityGroup } : {}) };
}

/**
 * What the function's own calls need, each action on the resource types the Service Authorization Reference gives
 * it (test/support/iam-reference.json holds the entries the tests check these statements against):
 * - `config:DescribeConfigurationAggregatorSourcesStatus` takes the ConfigurationAggregator resource type,
 *   `arn:${Partition}:config:${Region}:${Account}:config-aggregator/${AggregatorId}`. The id is not the name
 *   (config-aggregator-xxxxxxxx), so it is scoped to this account's and region's aggregators.
 * - `config:DescribeConfigurationAggregators` has no resource type: "If there is no value for this column, you must
 *   specify all resources ("*")" (Service Authorization Reference, Actions defined by AWS Config). Only discovery
 *   (no `aggregators` configured) calls it, so only then is it granted.
 * - DynamoDB: the item actions take the table resource type; Query also takes the index type, so only Query is
 *   granted on the indexes.
 */
function functionStatements(scope: Construct, props: ResolvedProps, table: dynamodb.Table): iam.PolicyStatement[] {
  const aggregators = Stack.of(scope).formatArn({ service: 'config', resource: 'config-aggregator', resourceName: '*' });
  return [
    new iam.PolicyStatement({ actions: [SOURCES_STATUS_ACTION], resources: [aggregators] }),
    ...(props.aggregators.length === 0
      ? [new iam.PolicyStatement({ actions: [DISCOVERY_ACTION], resources: ['*'] })]
      : []),
    new iam.PolicyStatement({ actions: [...HANDLER_TABLE_ACTIONS], resources: [table.tableArn] }),
    new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/*`] }),
  ];
}

/**
 * A function's own log group, encrypted with the monitor's key (CT.CLOUDWATCH.PR.3; the key policy lets CloudWatch
 * Logs use it), and its own role rather than the default one, which carries the AWSLambdaBasicExecutionRole managed
 * policy (log groups it never uses): this one may write to its own log group only, using the key through Logs.
 */
export function functionLogsAndRole(
  scope: Construct,
  ids: { readonly logGroup: string; readonly role: string },
  description: string,
  retention: logs.RetentionDays,
  key: kms.IKey,
): { readonly logGroup: logs.LogGroup; readonly role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, ids.logGroup, { retention, encryptionKey: key });
  const role = new iam.Role(scope, ids.role, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  logGroup.grantWrite(role);
  role.addToPrincipalPolicy(logsKeyStatement(scope, logGroup, key));
  return { logGroup, role };
}

/**
 * The log group's key, used through CloudWatch Logs on the role's behalf. CloudWatch Logs "supports kms:ViaService
 * which allows logs to make AWS KMS calls on your behalf. You should add this to your roles which call CloudWatch
 * Logs" (CloudWatch Logs User Guide, Encrypt log data ... using AWS KMS). Whether it does so for the log events
 * Lambda writes with the function's role is not documented; this grant, usable only through CloudWatch Logs and
 * only for this log group, makes either answer work.
 */
export function logsKeyStatement(scope: Construct, logGroup: logs.LogGroup, key: kms.IKey): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `logs.${Aws.REGION}.${Aws.URL_SUFFIX}` },
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': Stack.of(scope).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  });
}
