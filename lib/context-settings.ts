/**
 * Reads the monitor's settings from the CDK context: `-c key=value` on the command line (strings, lists
 * comma-separated) or the `context` block of cdk.json (where JSON arrays, numbers and booleans work too).
 * Every value goes through the same schemas as the construct's props and the function's environment
 * (core/settings), so a bad one stops `cdk synth` with the key, the value and what is allowed.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { distance } from 'fastest-levenshtein';
import * as z from 'zod/mini';
import { AggwatchError } from '../core/errors';
import type { AlertableStatus } from '../core/model';
import { SETTINGS, SettingsError, listOf, matching, parseSetting, type SettingSchema } from '../core/settings';
import {
  CHAT_IDS,
  DURATION_PROPS,
  PROP_SCHEMAS,
  type ChatChannels,
  type ConfigAggregatorMonitorProps,
  type DurationPropName,
  type SettingProps,
} from './monitor/props';
import { asSourceStatuses } from './monitor/typed-props';

/** The context keys in hours or days, each the numeric prop a Duration prop replaced. */
type NumericKey = (typeof DURATION_PROPS)[DurationPropName]['numericKey'];

/** The prop a context key sets: its own name, or for a key in hours or days the Duration prop that replaced it. */
type PropOf<K extends keyof SettingProps> = K extends NumericKey
  ? { [P in DurationPropName]: (typeof DURATION_PROPS)[P]['numericKey'] extends K ? P : never }[DurationPropName]
  : K;

const inHours = (n: number) => Duration.hours(n);
const inDays = (n: number) => Duration.days(n);

/**
 * The schema of each context key: the setting's, by the same name (`logRetention` in days), giving the prop's
 * value: the schedule's expression as an `events.Schedule`, the statuses as `SourceStatus` members, a topic ARN
 * trimmed (`-c topicArn= arn:...`), and the hours and days as the Durations of the props that replaced them.
 */
const CONTEXT = {
  ...PROP_SCHEMAS,
  schedule: z.pipe(PROP_SCHEMAS.schedule, z.transform((schedule) => events.Schedule.expression(schedule.expression))),
  alertStatuses: z.pipe(PROP_SCHEMAS.alertStatuses, z.transform((statuses: AlertableStatus[]) => asSourceStatuses(statuses))),
  topicArn: z.pipe(z.string().check(z.trim()), PROP_SCHEMAS.topicArn),
  historyRetentionDays: z.pipe(PROP_SCHEMAS.historyRetentionDays, z.transform(inDays)),
  remindAfterHours: z.pipe(PROP_SCHEMAS.remindAfterHours, z.transform(inHours)),
  staleAfterHours: z.pipe(PROP_SCHEMAS.staleAfterHours, z.transform(inHours)),
  fullSweepHours: z.pipe(PROP_SCHEMAS.fullSweepHours, z.transform(inHours)),
} as const satisfies {
  readonly [K in keyof SettingProps]-?: SettingSchema<NonNullable<ConfigAggregatorMonitorProps[PropOf<K>]>>;
};

type ContextKey = keyof typeof CONTEXT;

/** The prop each context key sets (PropOf at run time). */
const PROP_NAME: Readonly<Record<ContextKey, keyof ConfigAggregatorMonitorProps>> = {
  ...(Object.fromEntries(Object.keys(CONTEXT).map((k) => [k, k])) as Record<ContextKey, ContextKey>),
  ...(Object.fromEntries(Object.values(DURATION_PROPS).map((d) => [d.numericKey, d.key])) as Record<NumericKey, DurationPropName>),
};

/** The context keys that become props, each through its schema. */
const PROP_KEYS = Object.keys(CONTEXT) as readonly ContextKey[];

/** The VPC by its id and the function's subnets: ids only, so that synthesis needs no lookup (`networkFromContext`). */
const NETWORK_KEYS = ['vpcId', 'subnetIds'] as const;

/** The integrations' constructs, by name and id: the bus and the chat channels (`integrationsFromContext`). */
const INTEGRATION_KEYS = ['eventBusName', 'slackWorkspaceId', 'slackChannelId', 'teamsTeamId', 'teamsChannelId', 'teamsTenantId'] as const;

/** The report bucket: the name of an existing bucket, or `create` (`reportBucketFromContext`). */
const REPORT_BUCKET_KEY = 'reportBucket';

/** The context keys the stack reads. */
export const CONTEXT_KEYS: readonly string[] = [...PROP_KEYS, ...NETWORK_KEYS, ...INTEGRATION_KEYS, REPORT_BUCKET_KEY];

/**
 * The `reportBucket` context key: `create` for a bucket the stack creates (every default), or the name of an existing
 * bucket (S3's naming rules); undefined when unset or blank.
 */
export function reportBucketFromContext(context: Readonly<Record<string, unknown>>): { readonly name: string } | 'create' | undefined {
  const value = context[REPORT_BUCKET_KEY];
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'create') return 'create';
  const schema = z.pipe(z.string({ error: 'create, or the name of an existing S3 bucket' }), SETTINGS.reportBucket);
  return { name: parseSetting(REPORT_BUCKET_KEY, schema, value) };
}

/** Thrown for a context key that is not ours but is spelled almost like one. */
export class UnknownContextKeyError extends AggwatchError {
  override readonly name = 'UnknownContextKeyError';
  readonly code = 'UnknownContextKey';
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
  const props: Record<string, unknown> = {};
  for (const key of PROP_KEYS) {
    const value = context[key];
    // `-c key=` clears a setting rather than setting it to nothing. Unset keys are left out, not passed as
    // undefined, so the construct's defaults read plainly.
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    props[PROP_NAME[key]] = parseSetting<unknown>(key, CONTEXT[key], value);
  }
  return props as { [K in ContextKey as PropOf<K>]?: z.output<(typeof CONTEXT)[K]> } satisfies ConfigAggregatorMonitorProps;
}

/** A VPC id and subnet ids as EC2 writes them: the prefix and 8 or 17 hexadecimal digits. */
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** Lambda's limit on the subnets of a function (Lambda API Reference, VpcConfig). */
const MAX_SUBNETS = 16;

const NETWORK = {
  vpcId: z.pipe(z.string().check(z.trim()), matching(VPC_ID, 'a VPC id: vpc- and 8 or 17 hexadecimal digits')),
  subnetIds: listOf(matching(SUBNET_ID, 'subnet ids: subnet- and 8 or 17 hexadecimal digits')).check(
    z.maxLength(MAX_SUBNETS, { error: `at most ${MAX_SUBNETS} subnets (Lambda's limit)` }),
  ),
} as const satisfies Record<(typeof NETWORK_KEYS)[number], SettingSchema<unknown>>;

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
  const { vpcId, subnetIds } = context;
  if (blank(vpcId) && blank(subnetIds)) return undefined;
  if (blank(subnetIds)) {
    throw new SettingsError('subnetIds', subnetIds ?? null, 'the ids of the subnets to run the function in (subnet-...), comma-separated; required with vpcId');
  }
  if (blank(vpcId)) throw new SettingsError('vpcId', vpcId ?? null, 'the id of the VPC of subnetIds (vpc-...); required with subnetIds');
  return { vpcId: parseSetting('vpcId', NETWORK.vpcId, vpcId), subnetIds: parseSetting('subnetIds', NETWORK.subnetIds, subnetIds) };
}

/** The bus (a name or ARN) and the chat channels the context names; each id checked by its schema. */
export interface IntegrationsContext {
  readonly eventBusName?: string;
  readonly chat?: ChatChannels;
}

/**
 * `-c eventBusName=security` (or a bus ARN), `-c slackWorkspaceId=T... -c slackChannelId=C...`, and
 * `-c teamsTeamId=... -c teamsChannelId=... -c teamsTenantId=...`: each channel's keys all or none.
 */
export function integrationsFromContext(context: Readonly<Record<string, unknown>>): IntegrationsContext {
  const value = (key: (typeof INTEGRATION_KEYS)[number]): string | undefined => {
    const v = context[key];
    return v === undefined || (typeof v === 'string' && v.trim() === '') ? undefined : typeof v === 'string' ? v.trim() : String(v);
  };
  const group = <K extends keyof typeof CHAT_IDS>(keys: readonly K[]): Record<K, string> | undefined => {
    const given = keys.filter((k) => value(k) !== undefined);
    if (given.length === 0) return undefined;
    const missing = keys.find((k) => value(k) === undefined);
    if (missing !== undefined) throw new SettingsError(missing, null, `required with ${given.join(', ')} (${keys.join(', ')} name one channel together)`);
    return Object.fromEntries(keys.map((k) => [k, parseSetting(k, CHAT_IDS[k], value(k))])) as Record<K, string>;
  };
  const slack = group(['slackWorkspaceId', 'slackChannelId'] as const);
  const teams = group(['teamsTeamId', 'teamsChannelId', 'teamsTenantId'] as const);
  const bus = value('eventBusName');
  const chat: ChatChannels = {
    ...(slack ? { slack: { workspaceId: slack.slackWorkspaceId, channelId: slack.slackChannelId } } : {}),
    ...(teams ? { teams: { teamId: teams.teamsTeamId, channelId: teams.teamsChannelId, tenantId: teams.teamsTenantId } } : {}),
  };
  return {
    ...(bus === undefined ? {} : { eventBusName: parseSetting('eventBusName', SETTINGS.eventBusName, bus) }),
    ...(slack || teams ? { chat } : {}),
  };
}

/**
 * CDK ignores context keys nobody reads, so `-c aggregator=x` would silently watch every aggregator. Keys within
 * two edits of ours (ignoring case) are taken as typos. CDK's and other tools' keys are left alone.
 */
export function rejectMisspelledKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (key.includes(':') || /^(@|aws|cdk)/i.test(key) || CONTEXT_KEYS.includes(key)) continue;
    const lower = key.toLowerCase();
    const [closest] = CONTEXT_KEYS.map((known) => ({ known, edits: distance(lower, known.toLowerCase()) }))
      .filter(({ edits }) => edits <= 2)
      .sort((x, y) => x.edits - y.edits);
    if (closest !== undefined) throw new UnknownContextKeyError(key, closest.known);
  }
}
