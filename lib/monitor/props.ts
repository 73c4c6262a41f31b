import { Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as z from 'zod/mini';
import type { AlertableStatus } from '../../core/model';
import type { NoticeKind } from '../../core/notices';
import {
  DEFAULTS,
  MAX_HISTORY_RETENTION_DAYS,
  SETTINGS,
  SettingsError,
  flag,
  matching,
  parseSetting,
  wholeNumber,
  type SettingSchema,
} from '../../core/settings';
import { SCHEDULE, type ParsedSchedule } from '../schedule';
import { REPORT_BUCKET_DEFAULTS, type ReportBucketChoice, type ReportBucketOptions } from './report-bucket';

/** Upper bound of `historyRetentionDays`: the function's own check of its environment. */
export { MAX_HISTORY_RETENTION_DAYS } from '../../core/settings';

/** The retention periods CloudWatch Logs accepts, in days (9999: never expire). */
export const LOG_RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');

const LOG_RETENTION_ALLOWED = `one of ${LOG_RETENTION_DAYS.join(', ')} (days)`;

export interface ConfigAggregatorMonitorProps {
  /**
   * Names of the Config aggregators to watch, in this stack's account and region.
   * @default - every aggregator in the account and region, discovered at each run
   */
  readonly aggregators?: string[];
  /**
   * E-mail addresses to subscribe to the alert topic. Each must confirm the subscription from the e-mail AWS sends.
   * @default - no e-mail subscriptions
   */
  readonly emails?: string[];
  /**
   * Phone numbers in E.164 form (such as +15555550100) to subscribe to the alert topic by SMS.
   * @default - no SMS subscriptions
   */
  readonly smsNumbers?: string[];
  /**
   * Which notices are told by SMS: any of `failure`, `reminder`, `recovery`, `monitor-error`. The e-mail and json
   * formats carry every notice.
   * @default ['failure', 'monitor-error']
   */
  readonly smsNotices?: string[];
  /**
   * When to check: an EventBridge `rate(...)` or `cron(...)` expression.
   * @default 'rate(15 minutes)'
   */
  readonly schedule?: string;
  /**
   * Aggregators read at once in a read round of the run's execution, 1 to 50. They share one adaptive Config rate
   * budget: more speeds up many aggregators, not a throttled account.
   * @default 5
   */
  readonly aggregatorConcurrency?: number;
  /**
   * Reconcile units (one shard of an aggregator's sources each) the run's state machine runs at once, 1 to 40
   * (the inline Map state's limit).
   * @default 10
   */
  readonly reconcileConcurrency?: number;
  /**
   * How long history entries and run summaries are kept (DynamoDB TTL), in days.
   * @default 400
   */
  readonly historyRetentionDays?: number;
  /**
   * Source statuses that raise an alert: `FAILED`, and optionally `OUTDATED`.
   * @default ['FAILED']
   */
  readonly alertStatuses?: AlertableStatus[];
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
   * Publish the notices to this existing SNS topic instead of creating one. If it is encrypted, its key policy must
   * let this construct's function role use the key (`kms:Decrypt`, `kms:GenerateDataKey*`); docs/security.md gives
   * the statement. `emails` and `smsNumbers` are subscribed to it, each with its format's filter policy. The
   * monitor's own alarms go to the alarm topic the construct creates, whatever topic the notices go to.
   * @default - a new topic encrypted with the monitor's customer-managed key
   */
  readonly topicArn?: string;
  /**
   * How long the function's log events are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserve concurrent executions: one for the dispatcher (two deliveries of ticks never race) and
   * `reconcileConcurrency` for the function (the state machine's Tasks are never throttled by other functions).
   * Lambda refuses a reservation that leaves fewer than 100 unreserved executions, so on accounts with a small
   * concurrency quota (new accounts can have 10) set this to `false`; runs still never overlap (the dispatcher
   * starts none while one runs), and a throttled Task is retried.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
  /**
   * Run the function in this VPC (AWS Control Tower's CT.LAMBDA.PR.3 requires it), with a security group of its
   * own that allows nothing in and only HTTPS out. The function's calls then go through the VPC: its subnets need
   * VPC endpoints for AWS Config, SNS and DynamoDB (and, to be safe, CloudWatch Logs and metrics), or a route to a
   * NAT gateway; see docs/security.md.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Where in `vpc` the function's network interfaces go: private subnets, at most 16, two or more Availability
   * Zones for availability.
   * @default - the VPC's default selection: its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The EventBridge bus the monitor's events go to (one per change; docs/integrations.md). Events are always sent.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Import a Security Hub CSPM finding per source in an alert condition (Security Hub CSPM must be enabled in the
   * account and region; imported findings are billed).
   * @default false
   */
  readonly securityHubFindings?: boolean;
  /**
   * Chat channels (Amazon Q Developer in chat applications) that get each digest as a card, through a topic of
   * their own. The Slack workspace or Microsoft Teams team must already be authorized in the Amazon Q Developer
   * console.
   * @default - no chat
   */
  readonly chat?: ChatChannels;
  /**
   * Write the status report (docs/report.md) at each full sweep of an aggregator, as
   * `reports/<aggregator>/latest.html` and a dated copy, and name it in every digest e-mail. An existing bucket
   * (the function gets `s3:PutObject` on `reports/*` of it; for SSE-KMS with a key of its own, grant the function
   * role `kms:GenerateDataKey` on it), or `true` or options to create a private, KMS-encrypted, versioned bucket with
   * lifecycle rules that meets the Control Tower controls on S3 (docs/report.md, "In S3").
   * @default - no report is written
   */
  readonly reportBucket?: s3.IBucket | true | ReportBucketOptions;
}

/** Where the chat notifications go: a Slack channel, a Microsoft Teams channel, or both. */
export interface ChatChannels {
  /**
   * @default - no Slack channel
   */
  readonly slack?: SlackChannel;
  /**
   * @default - no Microsoft Teams channel
   */
  readonly teams?: TeamsChannel;
}

export interface SlackChannel {
  /** The Slack workspace (team) id authorized in Amazon Q Developer, such as T07EA123LEP. */
  readonly workspaceId: string;
  /** The channel id, such as C07EZ1ABC23 (the end of the channel's link). */
  readonly channelId: string;
}

export interface TeamsChannel {
  /** The Microsoft Teams team id (a UUID). */
  readonly teamId: string;
  /** The channel id, as Microsoft Teams gives it (19%3a...%40thread.tacv2). */
  readonly channelId: string;
  /** The Microsoft Entra tenant id (a UUID). */
  readonly tenantId: string;
}

/** The props validated once, defaults applied: what the parts of the construct are built from. */
export interface ResolvedProps {
  readonly aggregators: readonly string[];
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly schedule: ParsedSchedule;
  readonly historyRetentionDays: number;
  readonly aggregatorConcurrency: number;
  readonly reconcileConcurrency: number;
  readonly alertStatuses: readonly AlertableStatus[];
  readonly remindAfterHours: number;
  readonly notifyRecoveries: boolean;
  readonly smsNotices: readonly NoticeKind[];
  readonly staleAfterHours?: number;
  readonly fullSweepHours: number;
  /** An existing topic's ARN (a token is passed through: only CloudFormation can check it). */
  readonly existingTopicArn?: string;
  readonly logRetention: logs.RetentionDays;
  readonly reserveConcurrency: boolean;
  /** Where the function runs in the user's VPC, if anywhere. */
  readonly network?: { readonly vpc: ec2.IVpc; readonly vpcSubnets?: ec2.SubnetSelection };
  readonly eventBus?: events.IEventBus;
  readonly securityHubFindings: boolean;
  readonly chat?: ChatChannels;
  /** The report bucket to use or create, if any. */
  readonly reportBucket?: ReportBucketChoice;
}

// AWS::Chatbot::SlackChannelConfiguration and ::MicrosoftTeamsChannelConfiguration (CloudFormation User Guide):
// SlackWorkspaceId ^[0-9A-Z]{1,255}$, SlackChannelId ^[A-Za-z0-9]+$ (1 to 256), TeamId and TeamsTenantId UUIDs,
// TeamsChannelId ^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$ (1 to 256).
const UUID = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;
export const CHAT_IDS = {
  slackWorkspaceId: matching(/^[0-9A-Z]{1,255}$/, 'a Slack workspace id: capital letters and digits, such as T07EA123LEP'),
  slackChannelId: matching(/^[A-Za-z0-9]{1,256}$/, 'a Slack channel id: letters and digits, such as C07EZ1ABC23'),
  teamsTeamId: matching(UUID, 'a Microsoft Teams team id (a UUID)'),
  teamsChannelId: matching(/^(?=.{1,256}$)[\w\-=+/.,]*%3[aA][\w\-=+/.,]*%40[\w\-=+/.,]*$/, 'a Microsoft Teams channel id such as 19%3ab6ef35dc342d4e1fb1e2b3b1f1a1b1c1%40thread.tacv2'),
  teamsTenantId: matching(UUID, 'a Microsoft Entra tenant id (a UUID)'),
} as const;

function resolveChat(chat: ChatChannels | undefined): ChatChannels | undefined {
  if (chat === undefined) return undefined;
  if (chat.slack === undefined && chat.teams === undefined) throw new SettingsError('chat', chat, 'a slack or teams channel (or both)');
  const id = (key: keyof typeof CHAT_IDS, value: string) => (Token.isUnresolved(value) ? value : parseSetting(key, CHAT_IDS[key], value));
  return {
    ...(chat.slack ? { slack: { workspaceId: id('slackWorkspaceId', chat.slack.workspaceId), channelId: id('slackChannelId', chat.slack.channelId) } } : {}),
    ...(chat.teams
      ? { teams: { teamId: id('teamsTeamId', chat.teams.teamId), channelId: id('teamsChannelId', chat.teams.channelId), tenantId: id('teamsTenantId', chat.teams.tenantId) } }
      : {}),
  };
}

/**
 * Each prop's schema: the settings the function shares (core/settings), and the stack's own. The CDK context
 * reads the same keys with the same schemas (lib/context-settings.ts).
 */
export const PROP_SCHEMAS = {
  aggregators: SETTINGS.aggregators,
  emails: SETTINGS.emails,
  smsNumbers: SETTINGS.smsNumbers,
  smsNotices: SETTINGS.smsNotices,
  schedule: SCHEDULE,
  historyRetentionDays: SETTINGS.historyRetentionDays,
  aggregatorConcurrency: SETTINGS.aggregatorConcurrency,
  reconcileConcurrency: SETTINGS.reconcileConcurrency,
  alertStatuses: SETTINGS.alertStatuses,
  remindAfterHours: SETTINGS.remindAfterHours,
  notifyRecoveries: SETTINGS.notifyRecoveries,
  staleAfterHours: SETTINGS.staleAfterHours,
  fullSweepHours: SETTINGS.fullSweepHours,
  topicArn: SETTINGS.topicArn,
  logRetention: z.pipe(
    wholeNumber(Math.max(...LOG_RETENTION_DAYS), LOG_RETENTION_ALLOWED).check(
      z.refine((days: number) => LOG_RETENTION_DAYS.includes(days), { error: LOG_RETENTION_ALLOWED }),
    ),
    z.transform((days: number) => days as logs.RetentionDays),
  ),
  reserveConcurrency: flag(),
  securityHubFindings: SETTINGS.securityHubFindings,
} as const satisfies { readonly [K in keyof SettingProps]-?: SettingSchema<unknown> };

type PropKey = keyof typeof PROP_SCHEMAS;

/** The props that are settings (a value a schema checks); the rest are constructs, typed by TypeScript alone. */
export type SettingProps = Omit<ConfigAggregatorMonitorProps, 'vpc' | 'vpcSubnets' | 'eventBus' | 'chat' | 'reportBucket'>;

/** The value of prop `key` through its schema; throws SettingsError naming the prop. */
export function parseProp<K extends PropKey>(key: K, value: unknown): z.output<(typeof PROP_SCHEMAS)[K]> {
  return parseSetting(key, PROP_SCHEMAS[key] as SettingSchema<z.output<(typeof PROP_SCHEMAS)[K]>>, value);
}

/** Validates every prop with the same schemas the function applies to its environment; throws SettingsError. */
export function resolveProps(props: ConfigAggregatorMonitorProps): ResolvedProps {
  // In the order of the props, so that of several bad values the first one is reported.
  const aggregators = props.aggregators === undefined ? [] : parseProp('aggregators', props.aggregators);
  const emails = props.emails === undefined ? [] : parseProp('emails', props.emails);
  const phones = props.smsNumbers === undefined ? [] : parseProp('smsNumbers', props.smsNumbers);
  const smsNotices = parseProp('smsNotices', props.smsNotices ?? DEFAULTS.smsNotices);
  const schedule = parseProp('schedule', props.schedule ?? DEFAULTS.schedule);
  const historyRetentionDays = parseProp('historyRetentionDays', props.historyRetentionDays ?? DEFAULTS.historyRetentionDays);
  const aggregatorConcurrency = parseProp('aggregatorConcurrency', props.aggregatorConcurrency ?? DEFAULTS.aggregatorConcurrency);
  const reconcileConcurrency = parseProp('reconcileConcurrency', props.reconcileConcurrency ?? DEFAULTS.reconcileConcurrency);
  const statuses = parseProp('alertStatuses', props.alertStatuses ?? DEFAULTS.alertStatuses);
  const remindAfterHours = parseProp('remindAfterHours', props.remindAfterHours ?? DEFAULTS.remindAfterHours);
  const notifyRecoveries = parseProp('notifyRecoveries', props.notifyRecoveries ?? DEFAULTS.notifyRecoveries);
  const staleAfterHours = props.staleAfterHours === undefined ? undefined : parseProp('staleAfterHours', props.staleAfterHours);
  const fullSweepHours = parseProp('fullSweepHours', props.fullSweepHours ?? DEFAULTS.fullSweepHours);
  // A token (a topic from another construct) can only be checked by CloudFormation.
  const existingTopicArn =
    props.topicArn === undefined || Token.isUnresolved(props.topicArn) ? props.topicArn : parseProp('topicArn', props.topicArn);
  const logRetention = parseProp('logRetention', props.logRetention ?? logs.RetentionDays.ONE_YEAR);
  const reserveConcurrency = parseProp('reserveConcurrency', props.reserveConcurrency ?? true);
  if (props.vpcSubnets !== undefined && props.vpc === undefined) {
    // Not the selection itself: it holds constructs, which do not print.
    throw new SettingsError('vpcSubnets', '(a subnet selection)', 'a subnet selection only together with vpc');
  }
  const network = props.vpc === undefined ? undefined : { vpc: props.vpc, ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}) };
  const securityHubFindings = parseProp('securityHubFindings', props.securityHubFindings ?? DEFAULTS.securityHubFindings);
  const chat = resolveChat(props.chat);
  const reportBucket = resolveReportBucket(props.reportBucket);
  return {
    aggregators,
    emails,
    phones,
    schedule,
    historyRetentionDays,
    aggregatorConcurrency,
    reconcileConcurrency,
    alertStatuses: statuses,
    remindAfterHours,
    notifyRecoveries,
    smsNotices,
    ...(staleAfterHours === undefined ? {} : { staleAfterHours }),
    fullSweepHours,
    ...(existingTopicArn === undefined ? {} : { existingTopicArn }),
    logRetention,
    reserveConcurrency,
    ...(network === undefined ? {} : { network }),
    ...(props.eventBus === undefined ? {} : { eventBus: props.eventBus }),
    securityHubFindings,
    ...(chat === undefined ? {} : { chat }),
    ...(reportBucket === undefined ? {} : { reportBucket }),
  };
}

const isBucket = (value: object): value is s3.IBucket => 'bucketArn' in value && 'bucketName' in value;

/** `reportBucket` as given: a bucket, `true` or options (their retention periods checked), or nothing. */
function resolveReportBucket(value: ConfigAggregatorMonitorProps['reportBucket'] | false): ReportBucketChoice | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    throw new SettingsError('reportBucket', value, 'an s3.IBucket, true, or the options of a bucket to create');
  }
  if (value !== true && isBucket(value)) return { existing: value };
  const options: ReportBucketOptions = value === true ? {} : value;
  const days = (key: 'reportRetentionDays' | 'accessLogRetentionDays') =>
    parseSetting(`reportBucket.${key}`, wholeNumber(MAX_HISTORY_RETENTION_DAYS), options[key] ?? REPORT_BUCKET_DEFAULTS[key]);
  return { create: { ...options, reportRetentionDays: days('reportRetentionDays'), accessLogRetentionDays: days('accessLogRetentionDays') } };
}
