/**
 * The monitor's settings: one definition, validated the same way at `cdk synth` (construct props and
 * context) and at the function's cold start (environment). Each error names the setting, the bad value
 * and what is allowed.
 */
import { ALERTABLE_STATUSES, type AlertableStatus } from './model';
import type { NoticeKind } from './notices';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Invalid ${key}: ${JSON.stringify(value)}. Allowed: ${allowed}.`);
  }
}

export const DEFAULTS = {
  schedule: 'rate(15 minutes)',
  historyRetentionDays: 400,
  alertStatuses: ['FAILED'] as readonly AlertableStatus[],
  remindAfterHours: 24,
  notifyRecoveries: true,
  fullSweepHours: 6,
  smsNotices: ['failure', 'monitor-error'] as readonly NoticeKind[],
} as const;

/** The notice kinds `smsNotices` can choose: every kind there is (the `kinds` message attribute's values). */
export const SMS_NOTICE_KINDS = ['failure', 'reminder', 'recovery', 'monitor-error'] as const satisfies readonly NoticeKind[];

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
} as const satisfies Record<keyof MonitorSettings, string>;

export const AGGREGATOR_NAME = /^[\w-]{1,256}$/;
// Pragmatic address check (what SNS itself needs): one @, no spaces, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const TABLE_NAME = /^[\w.-]{3,255}$/;

/** Splits a comma-separated value (or takes a list) into trimmed, non-empty, distinct items. */
export function splitList(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : value;
  return [...new Set(items.map((s) => s.trim()).filter((s) => s.length > 0))];
}

export function aggregatorNames(key: string, value: string | readonly string[]): string[] {
  const names = splitList(value);
  for (const name of names) {
    if (!AGGREGATOR_NAME.test(name)) {
      throw new SettingsError(key, name, 'aggregator names of 1 to 256 letters, digits, _ or - ([\\w-]{1,256})');
    }
  }
  return names;
}

export function emailAddresses(key: string, value: string | readonly string[]): string[] {
  const items = splitList(value);
  for (const item of items) {
    if (!EMAIL.test(item)) throw new SettingsError(key, item, 'e-mail addresses such as ops@example.com');
  }
  return items;
}

export function smsNumbers(key: string, value: string | readonly string[]): string[] {
  const items = splitList(value);
  for (const item of items) {
    if (!E164.test(item)) throw new SettingsError(key, item, 'E.164 phone numbers such as +15555550100');
  }
  return items;
}

export function alertStatuses(key: string, value: string | readonly string[]): AlertableStatus[] {
  const items = splitList(splitList(value).map((s) => s.toUpperCase()));
  if (items.length === 0) throw new SettingsError(key, value, `one or more of ${ALERTABLE_STATUSES.join(', ')}`);
  for (const item of items) {
    if (!(ALERTABLE_STATUSES as readonly string[]).includes(item)) {
      throw new SettingsError(key, item, `one or more of ${ALERTABLE_STATUSES.join(', ')}`);
    }
  }
  return items as AlertableStatus[];
}

export function smsNotices(key: string, value: string | readonly string[]): NoticeKind[] {
  const allowed = `one or more of ${SMS_NOTICE_KINDS.join(', ')}`;
  const items = splitList(splitList(value).map((s) => s.toLowerCase()));
  if (items.length === 0) throw new SettingsError(key, value, allowed);
  for (const item of items) {
    if (!(SMS_NOTICE_KINDS as readonly string[]).includes(item)) throw new SettingsError(key, item, allowed);
  }
  return items as NoticeKind[];
}

/** A positive whole number, given as a number or a decimal string. */
export function positiveInteger(key: string, value: string | number, max = 1_000_000): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new SettingsError(key, value, `a whole number from 1 to ${max}`);
  }
  return n;
}

export function booleanValue(key: string, value: string | boolean): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SettingsError(key, value, 'true or false');
}

export function topicArn(key: string, value: string): string {
  if (!TOPIC_ARN.test(value)) {
    throw new SettingsError(key, value, 'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts');
  }
  return value;
}

export function tableName(key: string, value: string): string {
  if (!TABLE_NAME.test(value)) throw new SettingsError(key, value, 'a DynamoDB table name ([\\w.-]{3,255})');
  return value;
}

/**
 * Reads and validates the handler's settings from its environment. Called once, at cold start.
 * Every problem is reported, not just the first, so one deploy fixes them all.
 */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): MonitorSettings {
  const errors: string[] = [];
  const read = <T>(name: string, parse: (key: string, raw: string) => T, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(name, raw);
    } catch (e) {
      errors.push((e as Error).message);
      return fallback;
    }
  };
  const required = (name: string, parse: (key: string, raw: string) => string): string => {
    if (env[name] === undefined || env[name].trim() === '') {
      errors.push(`Missing ${name}: the environment variable must be set (the stack sets it).`);
      return '';
    }
    return read(name, parse, '');
  };

  const aggregators = read<string[] | undefined>(ENV.aggregators, aggregatorNames, undefined);
  const settings: MonitorSettings = {
    ...(aggregators && aggregators.length > 0 ? { aggregators } : {}),
    tableName: required(ENV.tableName, tableName),
    topicArn: required(ENV.topicArn, topicArn),
    alertStatuses: read(ENV.alertStatuses, alertStatuses, [...DEFAULTS.alertStatuses]),
    remindAfterHours: read(ENV.remindAfterHours, (k, v) => positiveInteger(k, v), DEFAULTS.remindAfterHours),
    notifyRecoveries: read(ENV.notifyRecoveries, booleanValue, DEFAULTS.notifyRecoveries),
    ...optional(read<number | undefined>(ENV.staleAfterHours, (k, v) => positiveInteger(k, v), undefined)),
    fullSweepHours: read(ENV.fullSweepHours, (k, v) => positiveInteger(k, v), DEFAULTS.fullSweepHours),
    historyRetentionDays: read(
      ENV.historyRetentionDays,
      (k, v) => positiveInteger(k, v, 36_500),
      DEFAULTS.historyRetentionDays,
    ),
    smsNotices: read(ENV.smsNotices, smsNotices, [...DEFAULTS.smsNotices]),
  };
  if (errors.length > 0) throw new Error(`Invalid configuration:\n- ${errors.join('\n- ')}`);
  return settings;
}

function optional(staleAfterHours: number | undefined): { staleAfterHours?: number } {
  return staleAfterHours === undefined ? {} : { staleAfterHours };
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
  };
}
