/**
 * Every setting's schema, defined once and used by the function's environment reader, the CDK context reader,
 * the construct's props and the CLI's flags. A schema takes a setting as written (environment variables,
 * `-c key=value`, flags: strings, lists comma-separated) or as typed (props, cdk.json), and gives its typed value.
 * Every check carries the text of what is allowed, which SettingsError quotes (see parse.ts).
 *
 * zod/mini rather than zod's full build: the same checks, tree-shaken to a fraction of the function's bundle
 * (the full build added about 88 KB and 10 ms of module init to a minimal bundle).
 */
import * as z from 'zod/mini';
import { ALERTABLE_STATUSES } from '../model';
import type { NoticeKind } from '../notices';
import type { SettingSchema } from './parse';

export const AGGREGATOR_NAME = /^[\w-]{1,256}$/;
// Pragmatic address check (what SNS itself needs): one @, no spaces, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const TABLE_NAME = /^[\w.-]{3,255}$/;
const DIGITS = /^\s*\d+\s*$/;
/**
 * A Standard state machine's ARN, arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}
 * (Service Authorization Reference, AWS Step Functions, resource types); the name is 1 to 80 characters without
 * white space, brackets, wildcards, the special characters " # % \\ ^ | ~ ` $ & , ; : / or control characters
 * (CreateStateMachine, `name`, Step Functions API Reference).
 */
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
// PutEventsRequestEntry.EventBusName (EventBridge API Reference): a name ([/\.\-_A-Za-z0-9]+, 1 to 256) or the
// bus's ARN (an event bus ARN is required for a bus in another account).
const EVENT_BUS = /^(?:[/.\-_A-Za-z0-9]{1,256}|arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]{1,256})$/;

/**
 * Upper bound of `aggregatorConcurrency`: AWS Config allows 50 configuration aggregators per account and Region
 * (AWS Config service limits, https://docs.aws.amazon.com/config/latest/developerguide/configlimits.html).
 */
export const MAX_AGGREGATOR_CONCURRENCY = 50;
/**
 * Upper bound of `reconcileConcurrency`: an inline Map state runs at most 40 iterations at once (Step Functions
 * Developer Guide, "Inline mode Map state", https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html).
 */
export const MAX_RECONCILE_CONCURRENCY = 40;

/** Upper bound of `historyRetentionDays` (100 years). */
export const MAX_HISTORY_RETENTION_DAYS = 36_500;

/** Splits a comma-separated value (or takes a list) into trimmed, non-empty, distinct items. */
export function splitList(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : value;
  return [...new Set(items.map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** A string that matches `pattern`. */
export function matching(pattern: RegExp, allowed: string): SettingSchema<string, string> {
  return z.string({ error: allowed }).check(z.regex(pattern, { error: allowed }));
}

/** A list, from a comma-separated string or an array of strings: its items trimmed, non-empty and distinct. */
export function listOf<T>(item: SettingSchema<T, string>): SettingSchema<T[]> {
  const written = z.union([z.string(), z.array(z.string())], {
    error: 'a comma-separated string or a JSON array of strings',
  });
  return z.pipe(
    z.pipe(written, z.transform((value: string | string[]) => splitList(value))),
    z.pipe(z.array(item), z.transform((items: T[]) => [...new Set(items)])),
  );
}

/** One or more of `values`, in any case (given in upper case), as a list. */
export function statusesOf<const V extends readonly [string, ...string[]]>(
  values: V,
  allowed: string,
): SettingSchema<V[number][]> {
  const status = z.pipe(z.string().check(z.toUpperCase()), z.enum(values, { error: allowed }));
  return listOf(status).check(z.minLength(1, { error: allowed }));
}

/** One or more of `values`, in any case (given in lower case), as a list. */
export function kindsOf<const V extends readonly [string, ...string[]]>(
  values: V,
  allowed: string,
): SettingSchema<V[number][]> {
  const kind = z.pipe(z.string().check(z.toLowerCase()), z.enum(values, { error: allowed }));
  return listOf(kind).check(z.minLength(1, { error: allowed }));
}

/** The notice kinds `smsNotices` can choose: every kind there is (the `kinds` message attribute's values). */
export const SMS_NOTICE_KINDS = ['failure', 'reminder', 'recovery', 'monitor-error'] as const satisfies readonly NoticeKind[];

/** A whole number from 1 to `max`, given as a number or a decimal string. */
export function wholeNumber(max = 1_000_000, allowed = `a whole number from 1 to ${max}`): SettingSchema<number> {
  const written = z.union([z.number(), z.pipe(z.string().check(z.regex(DIGITS)), z.transform(Number))], {
    error: allowed,
  });
  return z.pipe(written, z.int({ error: allowed }).check(z.minimum(1, { error: allowed }), z.maximum(max, { error: allowed })));
}

/** true or false, given as a boolean or as a string in any case. */
export function flag(): SettingSchema<boolean> {
  const written = z.pipe(
    z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.enum(['true', 'false'])),
    z.transform((s: 'true' | 'false') => s === 'true'),
  );
  return z.union([z.boolean(), written], { error: 'true or false' });
}

/**
 * An S3 general purpose bucket name, by S3's naming rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3 to 63 lowercase letters, digits,
 * periods and hyphens, beginning and ending with a letter or digit, no two adjacent periods, not an IP address, none
 * of the reserved prefixes (xn--, sthree-, amzn-s3-demo-) or suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
 */
export function bucketName(): SettingSchema<string, string> {
  const allowed =
    'an S3 bucket name: 3 to 63 lowercase letters, digits, . or -, beginning and ending with a letter or digit, ' +
    'no "..", not an IP address, not starting with xn--, sthree- or amzn-s3-demo-, not ending with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3';
  return z.string({ error: allowed }).check(
    z.trim(),
    z.regex(BUCKET_NAME, { error: allowed }),
    z.refine((name: string) => !isReservedBucketName(name), { error: allowed }),
  );
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

function isReservedBucketName(name: string): boolean {
  return (
    name.includes('..') ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ||
    RESERVED_PREFIXES.some((p) => name.startsWith(p)) ||
    RESERVED_SUFFIXES.some((s) => name.endsWith(s))
  );
}

/** The settings shared by the function's environment, the CDK context and props, and the CLI. */
export const SETTINGS = {
  aggregators: listOf(matching(AGGREGATOR_NAME, 'aggregator names of 1 to 256 letters, digits, _ or - ([\\w-]{1,256})')),
  emails: listOf(matching(EMAIL, 'e-mail addresses such as ops@example.com')),
  smsNumbers: listOf(matching(E164, 'E.164 phone numbers such as +15555550100')),
  alertStatuses: statusesOf(ALERTABLE_STATUSES, `one or more of ${ALERTABLE_STATUSES.join(', ')}`),
  remindAfterHours: wholeNumber(),
  notifyRecoveries: flag(),
  staleAfterHours: wholeNumber(),
  fullSweepHours: wholeNumber(),
  historyRetentionDays: wholeNumber(MAX_HISTORY_RETENTION_DAYS),
  topicArn: matching(TOPIC_ARN, 'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts'),
  tableName: matching(TABLE_NAME, 'a DynamoDB table name ([\\w.-]{3,255})'),
  smsNotices: kindsOf(SMS_NOTICE_KINDS, `one or more of ${SMS_NOTICE_KINDS.join(', ')}`),
  eventBusName: matching(EVENT_BUS, 'an EventBridge bus name ([/.\\-_A-Za-z0-9]{1,256}) or bus ARN such as arn:aws:events:us-east-1:123456789012:event-bus/security'),
  securityHubFindings: flag(),
  chatTopicArn: matching(TOPIC_ARN, 'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:chat'),
  reportBucket: bucketName(),
  aggregatorConcurrency: wholeNumber(MAX_AGGREGATOR_CONCURRENCY),
  reconcileConcurrency: wholeNumber(MAX_RECONCILE_CONCURRENCY),
  stateMachineArn: matching(STATE_MACHINE_ARN, 'a Step Functions state machine ARN such as arn:aws:states:us-east-1:123456789012:stateMachine:AggWatchRuns'),
} as const;
