/**
 * The schedule and the dispatcher it invokes (docs/decisions/engine.md, "One execution at a time, idempotent starts"):
 * at each tick the dispatcher (lambda/dispatcher.ts) starts one execution of the run's state machine, named after the
 * tick, unless an earlier one is still running (then it records the tick as skipped and emits SkippedRuns).
 *
 * The schedule's retries and dead-letter queue are here: the rule invokes the dispatcher asynchronously, retried by
 * EventBridge (a failed delivery) and by Lambda (a failed invocation), each twice, then dead-lettered to the queue.
 */
import { Duration, Stack, ArnFormat } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { dispatcherSettingsToEnvironment } from '../../core/settings';
import { TELEMETRY } from '../../core/telemetry';
import { FUNCTION_RUNTIME, functionLogsAndRole } from './function';
import { functionCodeProps } from './function-code';
import { grantNetworkInterfaces, type FunctionNetwork } from './network';
import type { ResolvedProps } from './props';

/**
 * The longest an event waits for its delivery and its invocation's retries, in both EventBridge's and Lambda's
 * retry policy: one schedule period (at least a minute, at most Lambda's 6 hours). A tick older than that would
 * only meet the next tick's execution and be recorded as skipped; it goes to the dead-letter queue instead.
 * MaximumEventAgeInSeconds: 60 to 86,400 for an EventBridge target (EventBridge API Reference, RetryPolicy),
 * 60 to 21,600 for Lambda (Lambda API Reference, PutFunctionEventInvokeConfig).
 */
export function maxEventAge(schedulePeriodSeconds: number): Duration {
  return Duration.seconds(Math.min(Math.max(schedulePeriodSeconds, 60), 21_600));
}

export interface MonitorDispatcher {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Receives scheduled ticks that failed every attempt, from Lambda or from EventBridge. */
  readonly dlq: sqs.Queue;
  readonly rule: events.Rule;
}

/** The dispatcher, its role and log group, the dead-letter queue and the schedule rule that invokes it. */
export function createDispatcher(
  scope: Construct,
  props: ResolvedProps,
  parts: {
    readonly table: dynamodb.Table;
    readonly key: kms.IKey;
    readonly stateMachine: sfn.StateMachine;
    readonly network?: FunctionNetwork;
  },
): MonitorDispatcher {
  const dlq = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    // This queue is a dead-letter queue (of Lambda's on-failure destination and of the schedule target); CT.SQS.PR.1
    // takes a RedriveAllowPolicy for one. allowAll lets only queues of this account and region name it as their
    // dead-letter queue (Amazon SQS Developer Guide, RedriveAllowPolicy); none does.
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });

  const { logGroup, role } = functionLogsAndRole(
    scope,
    { logGroup: 'DispatcherLogGroup', role: 'DispatcherRole' },
    'config-aggregator-watch dispatcher',
    props.logRetention,
    parts.key,
  );
  for (const statement of dispatcherStatements(scope, parts.stateMachine, parts.table)) role.addToPrincipalPolicy(statement);
  // In the user's VPC like the worker (CT.LAMBDA.PR.3), with the same subnets and security group.
  if (parts.network) grantNetworkInterfaces(scope, parts.network, role);

  const age = maxEventAge(props.schedule.periodSeconds);
  const fn = new nodejs.NodejsFunction(scope, 'Dispatcher', {
    description: 'Starts one config-aggregator-watch run (a Step Functions execution) per scheduled tick',
    ...functionCodeProps('dispatcher'),
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    // A list, a describe, a start and a put, each with the SDK's retries.
    timeout: Duration.minutes(1),
    // Two deliveries of ticks never race between ListExecutions and StartExecution (docs/decisions/engine.md).
    reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
    role,
    ...(parts.network
      ? { vpc: parts.network.vpc, vpcSubnets: parts.network.vpcSubnets, securityGroups: [parts.network.securityGroup] }
      : {}),
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      // What lambda/dispatcher.ts reads (core/settings.ts DISPATCHER_ENV): one definition of the names.
      ...dispatcherSettingsToEnvironment({
        stateMachineArn: parts.stateMachine.stateMachineArn,
        tableName: parts.table.tableName,
        historyRetentionDays: props.historyRetentionDays,
      }),
      POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
      POWERTOOLS_METRICS_NAMESPACE: TELEMETRY.namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    retryAttempts: 2,
    maxEventAge: age,
    onFailure: new destinations.SqsDestination(dlq),
  });

  const rule = new events.Rule(scope, 'Schedule', {
    description: 'Runs the config-aggregator-watch check',
    schedule: events.Schedule.expression(props.schedule.expression),
    targets: [new targets.LambdaFunction(fn, { deadLetterQueue: dlq, retryAttempts: 2, maxEventAge: age })],
  });
  return { function: fn, role, logGroup, dlq, rule };
}

/**
 * The dispatcher's calls, each on the resource types the Service Authorization Reference gives it (Actions defined
 * by AWS Step Functions; test/support/iam-reference.json holds the entries):
 * - states:StartExecution and states:ListExecutions take the stateMachine type: this state machine;
 * - states:DescribeExecution takes the execution type, arn:...:execution:${StateMachineName}:${ExecutionId}: this
 *   state machine's executions (their names are the ticks', not known in advance);
 * - dynamodb:PutItem on the table: the skipped tick's run summary. Its metrics go out as EMF log lines.
 */
function dispatcherStatements(scope: Construct, stateMachine: sfn.StateMachine, table: dynamodb.Table): iam.PolicyStatement[] {
  const executions = Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return [
    new iam.PolicyStatement({ actions: ['states:StartExecution', 'states:ListExecutions'], resources: [stateMachine.stateMachineArn] }),
    new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
    new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn] }),
  ];
}
