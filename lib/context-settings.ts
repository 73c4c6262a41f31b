/**
 * Reads the monitor's settings from the CDK context: `-c key=value` on the command line (strings, lists
 * comma-separated) or the `context` block of cdk.json (where JSON arrays, numbers and booleans work too).
 * Every value goes through the shared validators, so a bad one stops `cdk synth` with the key, the value and
 * what is allowed.
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  SettingsError,
  aggregatorNames,
  alertStatuses,
  booleanValue,
  emailAddresses,
  positiveInteger,
  smsNumbers,
  topicArn,
} from '../core/settings';
import {
  LOG_RETENTION_DAYS,
  MAX_HISTORY_RETENTION_DAYS,
  type ConfigAggregatorMonitorProps,
} from './monitor/props';
import { parseSchedule } from './schedule';

/**
 * The context keys the stack reads: the construct's props, by the same names (`logRetention` in days), and the VPC
 * by its id and the function's subnets (read by `vpcFromContext`).
 */
export const CONTEXT_KEYS = [
  'aggregators',
  'emails',
  'smsNumbers',
  'schedule',
  'historyRetentionDays',
  'alertStatuses',
  'remindAfterHours',
  'notifyRecoveries',
  'staleAfterHours',
  'fullSweepHours',
  'topicArn',
  'logRetention',
  'reserveConcurrency',
  'vpcId',
  'subnetIds',
] as const;

type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Thrown for a context key that is not ours but is spelled almost like one. */
export class UnknownContextKeyError extends Error {
  override readonly name = 'UnknownContextKeyError';
  constructor(
    readonly key: string,
    readonly suggestion: string,
  ) {
    super(`Unknown context key '${key}'. Did you mean '${suggestion}'?`);
  }
}

/** Turns the whole context (`node.getAllContext()`) into construct props; unset keys stay unset (defaults apply). */
export function monitorPropsFromContext(context: Readonly<Record<string, unknown>>): ConfigAggregatorMonitorProps {
  rejectMisspelledKeys(Object.keys(context));
  const get = (key: ContextKey): unknown => {
    const value = context[key];
    // `-c key=` clears a setting rather than setting it to nothing.
    return typeof value === 'string' && value.trim() === '' ? undefined : value;
  };
  const list = <T>(key: ContextKey, parse: (key: string, value: string | readonly string[]) => T): T | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return parse(key, value);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return parse(key, value);
    throw new SettingsError(key, value, 'a comma-separated string or a JSON array of strings');
  };
  const integer = (key: ContextKey, max?: number): number | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new SettingsError(key, value, `a whole number from 1 to ${max ?? 1_000_000}`);
    }
    return positiveInteger(key, value, max);
  };
  const flag = (key: ContextKey): boolean | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new SettingsError(key, value, 'true or false');
    return booleanValue(key, value);
  };
  const text = <T>(key: ContextKey, parse: (key: string, value: string) => T): T | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return parse(key, JSON.stringify(value));
    return parse(key, value.trim());
  };

  const logRetention = integer('logRetention', Math.max(...LOG_RETENTION_DAYS));
  if (logRetention !== undefined && !LOG_RETENTION_DAYS.includes(logRetention)) {
    throw new SettingsError('logRetention', context.logRetention, `one of ${LOG_RETENTION_DAYS.join(', ')} (days)`);
  }
  const props: ConfigAggregatorMonitorProps = {
    aggregators: list('aggregators', aggregatorNames),
    emails: list('emails', emailAddresses),
    smsNumbers: list('smsNumbers', smsNumbers),
    schedule: text('schedule', (key, value) => parseSchedule(key, value).expression),
    historyRetentionDays: integer('historyRetentionDays', MAX_HISTORY_RETENTION_DAYS),
    alertStatuses: list('alertStatuses', alertStatuses),
    remindAfterHours: integer('remindAfterHours'),
    notifyRecoveries: flag('notifyRecoveries'),
    staleAfterHours: integer('staleAfterHours'),
    fullSweepHours: integer('fullSweepHours'),
    topicArn: text('topicArn', topicArn),
    logRetention: logRetention as logs.RetentionDays | undefined,
    reserveConcurrency: flag('reserveConcurrency'),
  };
  // Unset keys are left out, not passed as undefined, so the construct's defaults read plainly.
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as ConfigAggregatorMonitorProps;
}

/** A VPC id and subnet ids as EC2 writes them: the prefix and 8 or 17 hexadecimal digits. */
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** Lambda's limit on the subnets of a function (Lambda API Reference, VpcConfig). */
const MAX_SUBNETS = 16;

/** Where to run the function, as the context names it: ids only, so that synthesis needs no lookup. */
export interface NetworkContext {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

/**
 * The `vpcId` and `subnetIds` context keys (`-c vpcId=vpc-... -c subnetIds=subnet-...,subnet-...`): both or
 * neither; undefined when neither is set.
 */
export function networkFromContext(context: Readonly<Record<string, unknown>>): NetworkContext | undefined {
  const blank = (v: unknown) => v === undefined || (typeof v === 'string' && v.trim() === '');
  const rawVpc = context.vpcId;
  const rawSubnets = context.subnetIds;
  if (blank(rawVpc) && blank(rawSubnets)) return undefined;
  if (blank(rawSubnets)) {
    throw new SettingsError('subnetIds', rawSubnets ?? null, 'the ids of the subnets to run the function in (subnet-...), comma-separated; required with vpcId');
  }
  if (blank(rawVpc)) throw new SettingsError('vpcId', rawVpc ?? null, 'the id of the VPC of subnetIds (vpc-...); required with subnetIds');
  if (typeof rawVpc !== 'string' || !VPC_ID.test(rawVpc.trim())) {
    throw new SettingsError('vpcId', rawVpc, 'a VPC id: vpc- and 8 or 17 hexadecimal digits');
  }
  const items =
    typeof rawSubnets === 'string'
      ? rawSubnets.split(',').map((s) => s.trim())
      : Array.isArray(rawSubnets) && rawSubnets.every((s) => typeof s === 'string')
        ? rawSubnets.map((s: string) => s.trim())
        : undefined;
  if (items === undefined) throw new SettingsError('subnetIds', rawSubnets, 'a comma-separated string or a JSON array of subnet ids');
  const bad = items.find((id) => !SUBNET_ID.test(id));
  if (bad !== undefined) throw new SettingsError('subnetIds', bad, 'subnet ids: subnet- and 8 or 17 hexadecimal digits');
  const repeated = items.find((id, i) => items.indexOf(id) !== i);
  if (repeated !== undefined) throw new SettingsError('subnetIds', repeated, 'each subnet once');
  if (items.length > MAX_SUBNETS) throw new SettingsError('subnetIds', items, `at most ${MAX_SUBNETS} subnets (Lambda's limit)`);
  return { vpcId: rawVpc.trim(), subnetIds: items };
}

/**
 * CDK ignores context keys nobody reads, so `-c aggregator=x` would silently watch every aggregator. Keys within
 * two edits of ours (ignoring case) are taken as typos. CDK's and other tools' keys are left alone.
 */
export function rejectMisspelledKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (key.includes(':') || /^(@|aws|cdk)/i.test(key) || (CONTEXT_KEYS as readonly string[]).includes(key)) continue;
    const lower = key.toLowerCase();
    const [closest] = CONTEXT_KEYS.map((known) => ({ known, distance: editDistance(lower, known.toLowerCase()) }))
      .filter(({ distance }) => distance <= 2)
      .sort((x, y) => x.distance - y.distance);
    if (closest !== undefined) throw new UnknownContextKeyError(key, closest.known);
  }
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
