import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlertableStatus } from '../core/model';
import {
  DEFAULTS,
  SettingsError,
  aggregatorNames,
  alertStatuses,
  booleanValue,
  emailAddresses,
  positiveInteger,
  settingsToEnvironment,
  smsNumbers,
  topicArn,
} from '../core/settings';
import { TELEMETRY } from '../core/telemetry';
import { ATTR, HANDLER_TABLE_ACTIONS, createTableInput } from '../adapters/store/table-schema';
import { parseSchedule } from './schedule';

/** Upper bound of `historyRetentionDays`, the same as the function's own check of its environment. */
export const MAX_HISTORY_RETENTION_DAYS = 36_500;

/** The Config API actions the function calls. */
export const CONFIG_ACTIONS = [
  'config:DescribeConfigurationAggregatorSourcesStatus',
  'config:DescribeConfigurationAggregators',
] as const;

export interface ConfigAggregatorMonitorProps {
  /**
   * Names of the Config aggregators to watch, in this stack's account and region.
   * @default - every aggregator in the account and region, discovered at each run
   */
  readonly aggregators?: readonly string[];
  /**
   * E-mail addresses to subscribe to the alert topic. Each must confirm the subscription from the e-mail AWS sends.
   * @default - no e-mail subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Phone numbers in E.164 form (such as +15555550100) to subscribe to the alert topic by SMS.
   * @default - no SMS subscriptions
   */
  readonly smsNumbers?: readonly string[];
  /**
   * When to check: an EventBridge `rate(...)` or `cron(...)` expression.
   * @default 'rate(15 minutes)'
   */
  readonly schedule?: string;
  /**
   * How long history entries and run summaries are kept (DynamoDB TTL), in days.
   * @default 400
   */
  readonly historyRetentionDays?: number;
  /**
   * Source statuses that raise an alert: `FAILED`, and optionally `OUTDATED`.
   * @default ['FAILED']
   */
  readonly alertStatuses?: readonly AlertableStatus[];
  /**
   * Hours after which a source still in an alerting status is reported again.
   * @default 24
   */
  readonly remindAfterHours?: number;
  /**
   * Whether to report sources that return to SUCCEEDED.
   * @default true
   */
  readonly notifyRecoveries?: boolean;
  /**
   * Report a SUCCEEDED source whose last update is older than this many hours as stale.
   * @default - stale sources are not reported
   */
  readonly staleAfterHours?: number;
  /**
   * Hours between full sweeps, which read every source instead of only those not SUCCEEDED.
   * @default 6
   */
  readonly fullSweepHours?: number;
  /**
   * Publish to this existing SNS topic instead of creating one (and its KMS key). If that topic is encrypted,
   * its key policy must let this construct's function role and `cloudwatch.amazonaws.com` use the key
   * (`kms:Decrypt`, `kms:GenerateDataKey*`). `emails` and `smsNumbers` are subscribed to it.
   * @default - a new topic encrypted with a new customer-managed key
   */
  readonly topicArn?: string;
  /**
   * How long the function's log events are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserve one concurrent execution for the function, so that two runs never overlap. Lambda refuses a
   * reservation that leaves fewer than 100 unreserved executions, so on accounts with a small concurrency
   * quota (new accounts can have 10) set this to `false`; runs may then overlap when one outlasts the schedule.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
}

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

/**
 * The function's runtime. The tests, the CLI and the demo run on the same Node.js major (the `node` devDependency),
 * checked by test/unit/runtime.test.ts.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The retention periods CloudWatch Logs accepts, in days (9999: never expire). */
export const LOG_RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');

/**
 * Watches AWS Config aggregators: a scheduled function reads every aggregator's source status, keeps the
 * current state and its history in DynamoDB, and publishes alerts to SNS. Alarms cover the monitor itself.
 */
export class ConfigAggregatorMonitor extends Construct {
  public readonly table: dynamodb.Table;
  public readonly topic: sns.ITopic;
  /** The topic's key; undefined when `topicArn` names an existing topic. */
  public readonly key?: kms.Key;
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Receives scheduled invocations that failed every attempt, from Lambda or from EventBridge. */
  public readonly dlq: sqs.Queue;
  public readonly rule: events.Rule;
  public readonly alarms: MonitorAlarms;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ConfigAggregatorMonitorProps = {}) {
    super(scope, id);

    const aggregators = props.aggregators === undefined ? [] : aggregatorNames('aggregators', props.aggregators);
    const emails = props.emails === undefined ? [] : emailAddresses('emails', props.emails);
    const phones = props.smsNumbers === undefined ? [] : smsNumbers('smsNumbers', props.smsNumbers);
    const schedule = parseSchedule('schedule', props.schedule ?? DEFAULTS.schedule);
    const historyRetentionDays = positiveInteger(
      'historyRetentionDays',
      props.historyRetentionDays ?? DEFAULTS.historyRetentionDays,
      MAX_HISTORY_RETENTION_DAYS,
    );
    const statuses = alertStatuses('alertStatuses', props.alertStatuses ?? DEFAULTS.alertStatuses);
    const remindAfterHours = positiveInteger('remindAfterHours', props.remindAfterHours ?? DEFAULTS.remindAfterHours);
    const notifyRecoveries = booleanValue('notifyRecoveries', props.notifyRecoveries ?? DEFAULTS.notifyRecoveries);
    const staleAfterHours =
      props.staleAfterHours === undefined ? undefined : positiveInteger('staleAfterHours', props.staleAfterHours);
    const fullSweepHours = positiveInteger('fullSweepHours', props.fullSweepHours ?? DEFAULTS.fullSweepHours);
    // A token (a topic from another construct) can only be checked by CloudFormation.
    const existingTopicArn =
      props.topicArn === undefined || Token.isUnresolved(props.topicArn)
        ? props.topicArn
        : topicArn('topicArn', props.topicArn);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    if (!LOG_RETENTION_DAYS.includes(logRetention)) {
      throw new SettingsError('logRetention', logRetention, `one of ${LOG_RETENTION_DAYS.join(', ')} (days)`);
    }
    const reserveConcurrency = booleanValue('reserveConcurrency', props.reserveConcurrency ?? true);

    this.table = this.createTable();

    if (existingTopicArn === undefined) {
      this.key = new kms.Key(this, 'Key', {
        description: 'Encrypts the config-aggregator-watch alert topic',
        enableKeyRotation: true,
        // The key protects messages in flight only; nothing outlives the topic that needs it.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // Alarms publish to the encrypted topic as CloudWatch, which needs the key too.
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: 'Config aggregator watch',
        masterKey: this.key,
        enforceSSL: true,
      });
    } else {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', existingTopicArn);
    }
    for (const email of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const phone of phones) this.topic.addSubscription(new subscriptions.SmsSubscription(phone));

    this.dlq = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logRetention });
    // Own role rather than the default one, which carries the AWSLambdaBasicExecutionRole managed policy
    // (log groups it never uses); this one may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'config-aggregator-watch function',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Reads AWS Config aggregator source status, records it and alerts on failures',
      entry: fileURLToPath(new URL('../lambda/handler.ts', import.meta.url)),
      handler: 'handler',
      projectRoot: fileURLToPath(new URL('..', import.meta.url)),
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // 100,000 sources are 1,000 pages of 100 read in sequence, 150 s at 150 ms a page: ample headroom, and the
      // handler stops itself, loudly, before this deadline.
      timeout: Duration.minutes(15),
      reservedConcurrentExecutions: reserveConcurrency ? 1 : undefined,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...settingsToEnvironment({
          ...(aggregators.length > 0 ? { aggregators } : {}),
          tableName: this.table.tableName,
          topicArn: this.topic.topicArn,
          alertStatuses: statuses,
          remindAfterHours,
          notifyRecoveries,
          ...(staleAfterHours === undefined ? {} : { staleAfterHours }),
          fullSweepHours,
          historyRetentionDays,
        }),
        POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
        POWERTOOLS_METRICS_NAMESPACE: TELEMETRY.namespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: false,
        // Node 22 syntax: the same bundle also runs on the nodejs22.x runtime.
        target: 'node22',
        // Bundle the AWS SDK too: the code tested is the code deployed, whatever SDK the runtime ships.
        externalModules: [],
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Some bundled CommonJS dependencies call require() for Node built-ins; ESM has no require of its own.
        banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
      },
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(this.dlq),
    });

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...CONFIG_ACTIONS],
        resources: [
          Stack.of(this).formatArn({ service: 'config', resource: 'config-aggregator', resourceName: '*' }),
        ],
      }),
    );
    this.table.grant(this.function, ...HANDLER_TABLE_ACTIONS);
    this.topic.grantPublish(this.function);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the config-aggregator-watch check',
      schedule: events.Schedule.expression(schedule.expression),
      targets: [new targets.LambdaFunction(this.function, { deadLetterQueue: this.dlq, retryAttempts: 2 })],
    });

    this.alarms = this.createAlarms(schedule.alarmPeriodSeconds);
    this.dashboard = this.createDashboard(schedule.alarmPeriodSeconds);
    this.acknowledgeNagFindings();
  }

  /** The table exactly as `createTableInput()` describes it, so the stack and the local mode cannot drift apart. */
  private createTable(): dynamodb.Table {
    const schema = createTableInput('unused');
    const attribute = (name: string | undefined): dynamodb.Attribute => {
      const type = schema.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
      if (name === undefined || type === undefined) throw new Error(`table-schema: attribute ${name} has no type`);
      return { name, type: ATTRIBUTE_TYPES[type] };
    };
    const keyOf = (keySchema: readonly { AttributeName?: string; KeyType?: string }[] | undefined, type: string) =>
      attribute(keySchema?.find((k) => k.KeyType === type)?.AttributeName);

    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: keyOf(schema.KeySchema, 'HASH'),
      sortKey: keyOf(schema.KeySchema, 'RANGE'),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ATTR.expiresAt,
      deletionProtection: true,
      // The history is the point of the monitor: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of schema.LocalSecondaryIndexes ?? []) {
      table.addLocalSecondaryIndex({
        indexName: required(index.IndexName, 'local index name'),
        sortKey: keyOf(index.KeySchema, 'RANGE'),
        projectionType: projection(index.Projection?.ProjectionType),
      });
    }
    for (const index of schema.GlobalSecondaryIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: required(index.IndexName, 'global index name'),
        partitionKey: keyOf(index.KeySchema, 'HASH'),
        sortKey: keyOf(index.KeySchema, 'RANGE'),
        projectionType: projection(index.Projection?.ProjectionType),
      });
    }
    return table;
  }

  private createAlarms(schedulePeriodSeconds: number): MonitorAlarms {
    const serviceMetric = (metricName: string, statistic: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: TELEMETRY.namespace,
        metricName,
        dimensionsMap: { [TELEMETRY.dimensions.service]: TELEMETRY.service },
        statistic,
        period,
      });
    const schedulePeriod = Duration.seconds(schedulePeriodSeconds);
    const alarms: MonitorAlarms = {
      errors: new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: 'The config-aggregator-watch function failed (error or timeout).',
        metric: this.function.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      noSuccessfulRun: new cloudwatch.Alarm(this, 'NoSuccessfulRunAlarm', {
        alarmDescription:
          'No config-aggregator-watch run read and recorded every aggregator within two schedule periods: ' +
          'aggregator status is not being watched.',
        metric: serviceMetric(TELEMETRY.metrics.successfulRuns, 'Sum', schedulePeriod),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // No data is the failure this alarm exists for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      failedSources: new cloudwatch.Alarm(this, 'FailedSourcesAlarm', {
        alarmDescription: 'At least one AWS Config aggregator source is FAILED.',
        metric: serviceMetric(TELEMETRY.metrics.failedSources, 'Maximum', schedulePeriod),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // A late run says nothing about the sources: keep the last state (the no-run alarm covers silence).
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      }),
      deadLetters: new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
        alarmDescription:
          'A scheduled config-aggregator-watch run failed every attempt and is in the dead-letter queue.',
        metric: this.dlq.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    const action = new cwActions.SnsAction(this.topic);
    for (const alarm of Object.values(alarms)) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return alarms;
  }

  private createDashboard(periodSeconds: number): cloudwatch.Dashboard {
    const period = Duration.seconds(periodSeconds);
    const { namespace, service, dimensions, metrics } = TELEMETRY;
    const serviceMetric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { [dimensions.service]: service },
        statistic,
        period,
        label,
      });
    const search =
      `SEARCH('{${namespace},${dimensions.service},${dimensions.aggregator},${dimensions.status}} ` +
      `MetricName="${metrics.sources}" ${dimensions.service}="${service}"', 'Maximum', ${periodSeconds})`;

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
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
          serviceMetric(metrics.successfulRuns, 'Sum', 'Successful runs'),
          this.function.metricInvocations({ statistic: 'Sum', period, label: 'Invocations' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Errors',
        width: 12,
        left: [
          this.function.metricErrors({ statistic: 'Sum', period, label: 'Function errors' }),
          serviceMetric(metrics.aggregatorErrors, 'Sum', 'Aggregator errors'),
        ],
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Duration (ms)',
        width: 12,
        left: [
          this.function.metricDuration({ statistic: 'p50', period, label: 'Function p50' }),
          this.function.metricDuration({ statistic: 'Maximum', period, label: 'Function max' }),
          serviceMetric(metrics.runDuration, 'Maximum', 'Run duration max'),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 12, height: 6, alarms: Object.values(this.alarms) }),
    );
    return dashboard;
  }

  /**
   * Acknowledges the cdk-nag (v3, CDK policy validation) findings that are deliberate, each on the narrowest
   * construct and finding, with the reason.
   */
  private acknowledgeNagFindings(): void {
    const tableLogicalId = Stack.of(this).resolve((this.table.node.defaultChild as dynamodb.CfnTable).logicalId);
    const configArn = 'arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:config-aggregator/*';
    const policy = Validations.of(this.role);
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${configArn}]`,
      reason:
        'Config aggregator ARNs end in a random suffix (config-aggregator/config-aggregator-xxxxxxxx), not the ' +
        'aggregator name, so they cannot be scoped by name; the statement is limited to this account and region ' +
        'and to the two read-only Describe actions.',
    });
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${String(tableLogicalId)}.Arn>/index/*]`,
      reason:
        "Queries use the table's attention (LSI) and transitions (GSI) indexes; index/* covers only this table's " +
        'indexes, with the same actions as the table.',
    });
    if (this.key) {
      policy.acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to a KMS-encrypted SNS topic needs kms:GenerateDataKey* (with and without plaintext); the ' +
          "grant is on this topic's key only.",
      });
    }
    Validations.of(this.dlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue (the function's on-failure destination and the schedule " +
        "target's DLQ), and it is alarmed; a dead-letter queue for it would never be read.",
    });
  }
}

const ATTRIBUTE_TYPES = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
} as const;

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`table-schema: missing ${what}`);
  return value;
}

function projection(type: string | undefined): dynamodb.ProjectionType {
  switch (type) {
    case 'KEYS_ONLY':
      return dynamodb.ProjectionType.KEYS_ONLY;
    case 'INCLUDE':
      throw new Error('table-schema: INCLUDE projections are not mirrored by the stack');
    default:
      return dynamodb.ProjectionType.ALL;
  }
}
