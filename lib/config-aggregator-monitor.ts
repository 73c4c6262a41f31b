import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { READER_TABLE_ACTIONS } from '../adapters/store/table-schema';
import { MONITOR_METRICS, createMonitorAlarms, type MonitorAlarms } from './monitor/alarms';
import { createMonitorDashboard } from './monitor/dashboard';
import { createDispatcher } from './monitor/dispatcher';
import { createMonitorKey } from './monitor/encryption';
import { WORKER_TIMEOUT, createMonitorFunction } from './monitor/function';
import { acknowledgeNagFindings } from './monitor/nag';
import { createNotifications } from './monitor/notifications';
import { resolveProps, type ConfigAggregatorMonitorProps } from './monitor/props';
import { createMonitorTable } from './monitor/table';
import { createReportBucket } from './monitor/report-bucket';
import { createWorkflow } from './monitor/workflow';
import { REPORT_PREFIX } from '../core/report/location';
import { SettingsError } from '../core/settings';

export type { MonitorAlarms } from './monitor/alarms';
export type { ReportBucketOptions } from './monitor/report-bucket';
export { CONFIG_ACTIONS, FUNCTION_RUNTIME } from './monitor/function';
export {
  LOG_RETENTION_DAYS,
  MAX_HISTORY_RETENTION_DAYS,
  type ChatChannels,
  type ConfigAggregatorMonitorProps,
  type SlackChannel,
  type TeamsChannel,
} from './monitor/props';

/**
 * Watches AWS Config aggregators: at each scheduled tick a dispatcher starts one run of a Step Functions state
 * machine, whose steps (the monitor's function) read every aggregator's source status, keep the current state and its
 * history in DynamoDB, and publish alerts to SNS. Alarms cover the monitor itself.
 *
 * Each concern is built in its own file under `monitor/`, as a child of this construct with the id it always had,
 * so the resources' logical ids (and a deployed table) stay where they are.
 */
export class ConfigAggregatorMonitor extends Construct {
  public readonly table: dynamodb.Table;
  /** The notices (digests in the email, json and sms formats): subscribe your own endpoints here. */
  public readonly topic: sns.ITopic;
  /** The monitor's own alarms, ALARM and OK; every e-mail address and phone number is subscribed to it too. */
  public readonly alarmTopic: sns.Topic;
  /** The monitor's key: it encrypts the log group, and the topic when the construct creates it. */
  public readonly key: kms.Key;
  /** The monitor's function: each Task of the state machine runs one of its steps. */
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** The run: a Standard state machine, one execution per scheduled tick, one at a time. */
  public readonly stateMachine: sfn.StateMachine;
  /** What the schedule invokes: starts the tick's execution, or records the tick as skipped. */
  public readonly dispatcher: nodejs.NodejsFunction;
  public readonly dispatcherRole: iam.Role;
  /** Receives scheduled ticks that failed every attempt, from Lambda or from EventBridge. */
  public readonly dlq: sqs.Queue;
  public readonly rule: events.Rule;
  /**
   * The functions' security group when they run in `vpc` (allow it in the VPC endpoints' security groups);
   * undefined otherwise.
   */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The topic the chat notifications go to, when `chat` is set (its channels are subscribed to it). */
  public readonly chatTopic?: sns.ITopic;
  /** The bucket the status reports are written to (`reportBucket`), created or given; undefined without one. */
  public readonly reportBucket?: s3.IBucket;
  public readonly alarms: MonitorAlarms;
  public readonly dashboard: cloudwatch.Dashboard;
  /** The period the alarms evaluate the function's metrics over: the schedule's, capped (see lib/schedule.ts). */
  private readonly alarmPeriod: Duration;

  constructor(scope: Construct, id: string, props: ConfigAggregatorMonitorProps = {}) {
    super(scope, id);
    const resolved = resolveProps(props);

    this.table = createMonitorTable(this);
    this.key = createMonitorKey(this);
    const notifications = createNotifications(this, resolved, this.key);
    this.topic = notifications.topic;
    this.alarmTopic = notifications.alarmTopic;
    const report = resolved.reportBucket;
    this.reportBucket = report && ('existing' in report ? report.existing : createReportBucket(this, report.create, this.key));
    const parts = createMonitorFunction(this, resolved, {
      table: this.table,
      topic: this.topic,
      key: this.key,
      ...(this.reportBucket ? { reportBucket: this.reportBucket } : {}),
    });
    this.function = parts.function;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    this.securityGroup = parts.securityGroup;
    this.chatTopic = parts.integrations.chatTopic;
    const workflow = createWorkflow(this, resolved, { worker: this.function, key: this.key, workerTimeout: WORKER_TIMEOUT });
    this.stateMachine = workflow.stateMachine;
    const dispatcher = createDispatcher(this, resolved, {
      table: this.table,
      key: this.key,
      stateMachine: this.stateMachine,
      ...(parts.network ? { network: parts.network } : {}),
    });
    this.dispatcher = dispatcher.function;
    this.dispatcherRole = dispatcher.role;
    this.dlq = dispatcher.dlq;
    this.rule = dispatcher.rule;

    const period = resolved.schedule.alarmPeriodSeconds;
    this.alarmPeriod = Duration.seconds(period);
    this.alarms = createMonitorAlarms(this, { stateMachine: this.stateMachine, dlq: this.dlq, topic: this.alarmTopic }, period);
    this.dashboard = createMonitorDashboard(this, { function: this.function, stateMachine: this.stateMachine, alarms: this.alarms }, period);
    acknowledgeNagFindings({
      table: this.table,
      role: this.role,
      dispatcherRole: this.dispatcherRole,
      stateMachine: this.stateMachine,
      stateMachineRole: workflow.role,
      topicKey: notifications.key,
      dlq: this.dlq,
      discovers: resolved.aggregators.length === 0,
      ...(resolved.network
        ? { subnetIds: resolved.network.vpc.selectSubnets(resolved.network.vpcSubnets).subnetIds }
        : {}),
    });
  }

  /**
   * Runs that read and recorded every aggregator: what the `noSuccessfulRun` alarm watches.
   * @default - Sum over the alarms' period (the schedule's, at most 12 hours)
   */
  public metricSuccessfulRuns(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return MONITOR_METRICS.successfulRuns(this.alarmPeriod, options);
  }

  /**
   * Sources FAILED at the last run: what the `failedSources` alarm watches. The function's own invocation
   * metrics are on `function` (`metricErrors()`, `metricDuration()`, ...).
   * @default - Maximum over the alarms' period (the schedule's, at most 12 hours)
   */
  public metricFailedSources(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return MONITOR_METRICS.failedSources(this.alarmPeriod, options);
  }

  /**
   * Scheduled ticks the dispatcher skipped because the previous run was still going: what the
   * `runOutlastedSchedule` alarm watches. The executions' own metrics are on `stateMachine` (`metricFailed()`, ...).
   * @default - Sum over the alarms' period (the schedule's, at most 12 hours)
   */
  public metricSkippedRuns(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return MONITOR_METRICS.skippedRuns(this.alarmPeriod, options);
  }

  /**
   * Lets `grantee` read the history as `aggwatch` does: `dynamodb:Query` on the table and its indexes, nothing else
   * (a role for the CLI, a report job). Reads by key need `table.grantReadData()`.
   */
  public grantReadHistory(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, ...READER_TABLE_ACTIONS);
  }

  /**
   * Lets `grantee` read the status reports (`s3:GetObject*`, `s3:List*` and, for a key the construct knows,
   * `kms:Decrypt`), under `reports/` only. Throws without `reportBucket`.
   */
  public grantReadReports(grantee: iam.IGrantable): iam.Grant {
    if (!this.reportBucket) throw new SettingsError('reportBucket', null, 'a bucket (or true) when the reports are to be read: grantReadReports needs one');
    return this.reportBucket.grantRead(grantee, `${REPORT_PREFIX}*`);
  }
}
