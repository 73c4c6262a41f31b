/**
 * The monitor's settings: one definition (the schemas in settings/schemas.ts), validated the same way at
 * `cdk synth` (construct props and context), at the function's cold start (environment) and by the CLI (flags).
 * Each error names the setting, the bad value and what is allowed.
 */
import type { AlertableStatus } from './model';
import type { NoticeKind } from './notices';
import { ConfigurationError, SettingsError, parseSetting, type SettingSchema } from './settings/parse';
import { SETTINGS } from './settings/schemas';

export { ConfigurationError, SettingsError, parseSetting, type SettingSchema } from './settings/parse';
export {
  AGGREGATOR_NAME,
  bucketName,
  SMS_NOTICE_KINDS,
  MAX_AGGREGATOR_CONCURRENCY,
  MAX_HISTORY_RETENTION_DAYS,
  MAX_RECONCILE_CONCURRENCY,
  SETTINGS,
  flag,
  listOf,
  matching,
  splitList,
  statusesOf,
  wholeNumber,
} from './settings/schemas';

export const DEFAULTS = {
  schedule: 'rate(15 minutes)',
  historyRetentionDays: 400,
  alertStatuses: ['FAILED'] as readonly AlertableStatus[],
  remindAfterHours: 24,
  notifyRecoveries: true,
  fullSweepHours: 6,
  smsNotices: ['failure', 'monitor-error'] as readonly NoticeKind[],
  securityHubFindings: false,
  aggregatorConcurrency: 5,
  reconcileConcurrency: 10,
} as const;

/** What the handler needs; everything else (subscriptions, schedule) is the stack's business. */
export interface MonitorSettings {
  /** Aggregators to watch; undefined: every aggregator in the account and region, found at run time. */
  readonly aggregators?: readonly string[];
  readonly tableName: string;
  readonly topicArn: string;
  readonly alertStatuses: readonly AlertableStatus[];
  readonly remindAfterHours: number;
  readonly notifyRecoveries: boolean;
  /** Off when undefined. */
  readonly staleAfterHours?: number;
  readonly fullSweepHours: number;
  readonly historyRetentionDays: number;
  /** The notice kinds told by SMS; DEFAULTS.smsNotices when undefined. */
  readonly smsNotices?: readonly NoticeKind[];
  /**
   * The bus the events go to (a name or ARN); undefined: the account's default bus. Events are always sent: with
   * no rule matching them they cost only the PutEvents call, and an always-present stream is what lets a team
   * add a rule later without redeploying the monitor.
   */
  readonly eventBusName?: string;
  /** Import Security Hub CSPM findings (opt-in: Security Hub CSPM must be enabled, and imports are billed); off when undefined. */
  readonly securityHubFindings?: boolean;
  /**
   * The topic the chat notifications (Amazon Q Developer custom notifications) go to; undefined: no chat. A topic
   * of its own, not a `format` on the alert topic: Amazon Q Developer subscribes to the topics a channel
   * configuration names itself, and neither its documentation nor AWS::Chatbot::*ChannelConfiguration offers a
   * filter policy on that subscription, so on the alert topic it would also receive every e-mail, SMS and json
   * publication (docs/integrations.md).
   */
  readonly chatTopicArn?: string;
  /** The bucket the function writes the status report to at each full sweep (docs/report.md); none when undefined. */
  readonly reportBucket?: string;
  /**
   * Aggregators read at once in a read round. All of them share one Config client and one adaptive rate budget
   * (adapters/config-rate.ts): Config's request rate is per account and Region, so more concurrency speeds up many
   * small aggregators, not a throttled account.
   */
  readonly aggregatorConcurrency: number;
  /** Reconcile units (an aggregator's shard) run at once by the state machine's Map; the table's write pace is shared among them. */
  readonly reconcileConcurrency: number;
}

/** Environment variable names: the construct writes them, the handler reads them. */
export const ENV = {
  aggregators: 'AGGREGATORS',
  tableName: 'TABLE_NAME',
  topicArn: 'TOPIC_ARN',
  alertStatuses: 'ALERT_STATUSES',
  remindAfterHours: 'REMIND_AFTER_HOURS',
  notifyRecoveries: 'NOTIFY_RECOVERIES',
  staleAfterHours: 'STALE_AFTER_HOURS',
  fullSweepHours: 'FULL_SWEEP_HOURS',
  historyRetentionDays: 'HISTORY_RETENTION_DAYS',
  smsNotices: 'SMS_NOTICES',
  eventBusName: 'EVENT_BUS_NAME',
  securityHubFindings: 'SECURITY_HUB_FINDINGS',
  chatTopicArn: 'CHAT_TOPIC_ARN',
  reportBucket: 'REPORT_BUCKET',
  aggregatorConcurrency: 'AGGREGATOR_CONCURRENCY',
  reconcileConcurrency: 'RECONCILE_CONCURRENCY',
} as const satisfies Record<keyof MonitorSettings, string>;

/**
 * Reads and validates the handler's settings from its environment. Called once, at cold start.
 * Every problem is reported, not just the first, so one deploy fixes them all.
 */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): MonitorSettings {
  const { read, required, errors } = environmentReader(env);
  const aggregators = read<string[] | undefined>(ENV.aggregators, SETTINGS.aggregators, undefined);
  const reportBucket = read<string | undefined>(ENV.reportBucket, SETTINGS.reportBucket, undefined);
  const settings: MonitorSettings = {
    ...(aggregators && aggregators.length > 0 ? { aggregators } : {}),
    tableName: required(ENV.tableName, SETTINGS.tableName),
    topicArn: required(ENV.topicArn, SETTINGS.topicArn),
    alertStatuses: read(ENV.alertStatuses, SETTINGS.alertStatuses, [...DEFAULTS.alertStatuses]),
    remindAfterHours: read(ENV.remindAfterHours, SETTINGS.remindAfterHours, DEFAULTS.remindAfterHours),
    notifyRecoveries: read(ENV.notifyRecoveries, SETTINGS.notifyRecoveries, DEFAULTS.notifyRecoveries),
    ...optional(read<number | undefined>(ENV.staleAfterHours, SETTINGS.staleAfterHours, undefined)),
    fullSweepHours: read(ENV.fullSweepHours, SETTINGS.fullSweepHours, DEFAULTS.fullSweepHours),
    historyRetentionDays: read(ENV.historyRetentionDays, SETTINGS.historyRetentionDays, DEFAULTS.historyRetentionDays),
    smsNotices: read(ENV.smsNotices, SETTINGS.smsNotices, [...DEFAULTS.smsNotices]),
    ...present('eventBusName', read<string | undefined>(ENV.eventBusName, SETTINGS.eventBusName, undefined)),
    securityHubFindings: read(ENV.securityHubFindings, SETTINGS.securityHubFindings, DEFAULTS.securityHubFindings),
    ...present('chatTopicArn', read<string | undefined>(ENV.chatTopicArn, SETTINGS.chatTopicArn, undefined)),
    ...(reportBucket === undefined ? {} : { reportBucket }),
    aggregatorConcurrency: read(ENV.aggregatorConcurrency, SETTINGS.aggregatorConcurrency, DEFAULTS.aggregatorConcurrency),
    reconcileConcurrency: read(ENV.reconcileConcurrency, SETTINGS.reconcileConcurrency, DEFAULTS.reconcileConcurrency),
  };
  if (errors.length > 0) throw new ConfigurationError(errors);
  return settings;
}

/**
 * Reads environment variables through their schemas, collecting every problem (`errors`) instead of stopping at the
 * first: `read` falls back when unset or blank, `required` names a missing variable.
 */
function environmentReader(env: Readonly<Record<string, string | undefined>>) {
  const errors: string[] = [];
  const read = <T>(name: string, schema: SettingSchema<T>, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parseSetting(name, schema, raw);
    } catch (e) {
      if (!(e instanceof SettingsError)) throw e;
      errors.push(e.message);
      return fallback;
    }
  };
  const required = (name: string, schema: SettingSchema<string>): string => {
    if (env[name] === undefined || env[name].trim() === '') {
      errors.push(`Missing ${name}: the environment variable must be set (the stack sets it).`);
      return '';
    }
    return read(name, schema, '');
  };
  return { read, required, errors };
}

/**
 * What the dispatcher (lambda/dispatcher.ts) needs: the state machine it starts, the table it records skipped ticks
 * in, and how long those records are kept (as run summaries: historyRetentionDays).
 */
export interface DispatcherSettings {
  readonly stateMachineArn: string;
  readonly tableName: string;
  readonly historyRetentionDays: number;
}

/** The dispatcher's environment variables: the construct writes them, the dispatcher reads them. */
export const DISPATCHER_ENV = {
  stateMachineArn: 'STATE_MACHINE_ARN',
  tableName: ENV.tableName,
  historyRetentionDays: ENV.historyRetentionDays,
} as const satisfies Record<keyof DispatcherSettings, string>;

/** Reads and validates the dispatcher's settings, once, at cold start; every problem is reported. */
export function dispatcherSettingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): DispatcherSettings {
  const { read, required, errors } = environmentReader(env);
  const settings: DispatcherSettings = {
    stateMachineArn: required(DISPATCHER_ENV.stateMachineArn, SETTINGS.stateMachineArn),
    tableName: required(DISPATCHER_ENV.tableName, SETTINGS.tableName),
    historyRetentionDays: read(DISPATCHER_ENV.historyRetentionDays, SETTINGS.historyRetentionDays, DEFAULTS.historyRetentionDays),
  };
  if (errors.length > 0) throw new ConfigurationError(errors);
  return settings;
}

/** The environment the construct gives the dispatcher: the inverse of dispatcherSettingsFromEnvironment. */
export function dispatcherSettingsToEnvironment(s: DispatcherSettings): Record<string, string> {
  return {
    [DISPATCHER_ENV.stateMachineArn]: s.stateMachineArn,
    [DISPATCHER_ENV.tableName]: s.tableName,
    [DISPATCHER_ENV.historyRetentionDays]: String(s.historyRetentionDays),
  };
}

function optional(staleAfterHours: number | undefined): { staleAfterHours?: number } {
  return staleAfterHours === undefined ? {} : { staleAfterHours };
}

/** `{ [key]: value }`, or nothing for an unset value (exactOptionalPropertyTypes). */
function present<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The environment the construct gives the function: the inverse of settingsFromEnvironment. */
export function settingsToEnvironment(s: MonitorSettings): Record<string, string> {
  return {
    [ENV.aggregators]: (s.aggregators ?? []).join(','),
    [ENV.tableName]: s.tableName,
    [ENV.topicArn]: s.topicArn,
    [ENV.alertStatuses]: s.alertStatuses.join(','),
    [ENV.remindAfterHours]: String(s.remindAfterHours),
    [ENV.notifyRecoveries]: String(s.notifyRecoveries),
    ...(s.staleAfterHours === undefined ? {} : { [ENV.staleAfterHours]: String(s.staleAfterHours) }),
    [ENV.fullSweepHours]: String(s.fullSweepHours),
    [ENV.historyRetentionDays]: String(s.historyRetentionDays),
    ...(s.smsNotices === undefined ? {} : { [ENV.smsNotices]: s.smsNotices.join(',') }),
    ...(s.eventBusName === undefined ? {} : { [ENV.eventBusName]: s.eventBusName }),
    ...(s.securityHubFindings === undefined ? {} : { [ENV.securityHubFindings]: String(s.securityHubFindings) }),
    ...(s.chatTopicArn === undefined ? {} : { [ENV.chatTopicArn]: s.chatTopicArn }),
    ...(s.reportBucket === undefined ? {} : { [ENV.reportBucket]: s.reportBucket }),
    [ENV.aggregatorConcurrency]: String(s.aggregatorConcurrency),
    [ENV.reconcileConcurrency]: String(s.reconcileConcurrency),
  };
}
