/**
 * The props that take CDK types (a `Duration`, an `events.Schedule`, an `sns.ITopic`) turned into the settings the
 * function and the alarms are built from, with the same checks as the settings themselves (core/settings) and
 * errors that name the prop, the value and what is allowed. The numeric props they replace (`remindAfterHours`, ...)
 * still work, through the same schema; giving both is an error.
 */
import { Token, type Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { AlertableStatus, KnownStatus } from '../../core/model';
import { SettingsError, parseSetting, wholeNumber, type SettingSchema } from '../../core/settings';
import { SCHEDULE, type ParsedSchedule } from '../schedule';

/**
 * A source's status as AWS Config reports it (`LastUpdateStatus` of DescribeConfigurationAggregatorSourcesStatus,
 * AWS Config API Reference, AggregatedSourceStatus). `alertStatuses` takes `FAILED` and `OUTDATED`.
 */
export enum SourceStatus {
  /** The source's last update failed. */
  FAILED = 'FAILED',
  /** The source's last update succeeded. */
  SUCCEEDED = 'SUCCEEDED',
  /** The source's data is outdated. */
  OUTDATED = 'OUTDATED',
}

/** True only when A and B are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The enum's values are exactly the model's statuses (core/model.ts), checked by the compiler. */
export const SOURCE_STATUSES_MATCH_MODEL: Same<`${SourceStatus}`, KnownStatus> = true;

/** `statuses` (as the settings schema gives them) as the enum's members: the same strings. */
export function asSourceStatuses(statuses: readonly AlertableStatus[]): SourceStatus[] {
  return statuses.map((s) => SourceStatus[s]);
}

/** The whole hours or days a Duration prop may hold, and the numeric prop it replaces. */
export interface DurationProp {
  /** The Duration prop's name, such as `remindAfter`. */
  readonly key: string;
  /** The numeric prop it replaces, such as `remindAfterHours`. */
  readonly numericKey: string;
  readonly unit: 'hours' | 'days';
  /** The numeric prop's schema: a whole number from 1 to its maximum. */
  readonly max: number;
}

/**
 * The whole hours (or days) of a Duration prop or of the numeric prop it replaces; undefined when neither is given.
 * Throws a SettingsError for both at once, a fraction of the unit, a token or a value that is not a Duration.
 */
export function wholeUnits(prop: DurationProp, duration: unknown, numeric: unknown, numericSchema: SettingSchema<number>): number | undefined {
  const example = prop.unit === 'hours' ? 'Duration.hours(24)' : 'Duration.days(30)';
  if (duration !== undefined && numeric !== undefined) {
    throw new SettingsError(prop.key, describe(duration), `${prop.key} or ${prop.numericKey}, not both (${prop.numericKey} is deprecated)`);
  }
  if (numeric !== undefined) return parseSetting(prop.numericKey, numericSchema, numeric);
  if (duration === undefined) return undefined;
  const allowed = `a Duration of whole ${prop.unit} from 1 to ${prop.max} ${prop.unit}, such as ${example}`;
  // By its methods rather than instanceof: an app may hold a second copy of aws-cdk-lib.
  if (!isDuration(duration)) throw new SettingsError(prop.key, describe(duration), allowed);
  // A token's amount is only known at deployment; the function's settings are checked at synthesis.
  if (duration.isUnresolved()) throw new SettingsError(prop.key, duration.toHumanString(), `${allowed} (not a token)`);
  const amount = prop.unit === 'hours' ? duration.toHours({ integral: false }) : duration.toDays({ integral: false });
  const schema: SettingSchema<number> = wholeNumber(prop.max, allowed);
  const result = schema.safeParse(amount);
  if (!result.success) throw new SettingsError(prop.key, duration.toHumanString(), allowed, { cause: result.error });
  return result.data;
}

const SCHEDULE_ALLOWED =
  "an events.Schedule, such as events.Schedule.rate(Duration.minutes(15)), events.Schedule.cron({ minute: '0' }) " +
  "or events.Schedule.expression('rate(15 minutes)') (a string is read from the schedule context key only)";

/**
 * The schedule's expression, checked as EventBridge takes it, with how often it fires (which sizes the alarms):
 * `events.Schedule` gives only its expression (`expressionString`), so that is what is parsed.
 */
export function parseScheduleProp(schedule: unknown): ParsedSchedule {
  if (typeof schedule !== 'object' || schedule === null || typeof (schedule as events.Schedule).expressionString !== 'string') {
    throw new SettingsError('schedule', describe(schedule), SCHEDULE_ALLOWED);
  }
  const expression = (schedule as events.Schedule).expressionString;
  if (Token.isUnresolved(expression)) {
    throw new SettingsError('schedule', expression, `${SCHEDULE_ALLOWED}, not a token: the alarms' period is worked out from it at synthesis`);
  }
  return parseSetting('schedule', SCHEDULE, expression);
}

/** Where the notices go when not to a topic of the construct's own: a topic construct, or an ARN imported as `Topic`. */
export type ExistingTopic = { readonly topic: sns.ITopic } | { readonly arn: string };

/**
 * `topic` or `topicArn` (checked by `arnSchema`, a token passed through: only CloudFormation can check it), not
 * both; undefined for neither.
 */
export function existingTopic(topic: sns.ITopic | undefined, topicArn: string | undefined, arnSchema: SettingSchema<string>): ExistingTopic | undefined {
  if (topic !== undefined && topicArn !== undefined) throw new SettingsError('topicArn', topicArn, 'topic or topicArn, not both');
  if (topic !== undefined) {
    if (typeof topic !== 'object' || topic === null || typeof topic.addSubscription !== 'function') {
      throw new SettingsError('topic', describe(topic), 'an sns.ITopic, such as sns.Topic.fromTopicArn(this, "Alerts", arn)');
    }
    return { topic };
  }
  if (topicArn === undefined) return undefined;
  return { arn: Token.isUnresolved(topicArn) ? topicArn : parseSetting('topicArn', arnSchema, topicArn) };
}

/** A value as an error message can print it: constructs and CDK objects do not print as JSON. */
function describe(value: unknown): unknown {
  if (isDuration(value)) return value.toHumanString();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return `(${value.constructor?.name ?? 'an object'})`;
  return value;
}

function isDuration(value: unknown): value is Duration {
  const d = value as Partial<Duration> | null;
  return typeof d === 'object' && d !== null && typeof d.toHours === 'function' && typeof d.toHumanString === 'function' && typeof d.isUnresolved === 'function';
}
