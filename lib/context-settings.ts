/**
 * Reads the monitor's settings from the CDK context: `-c key=value` on the command line (strings, lists
 * comma-separated) or the `context` block of cdk.json (where JSON arrays, numbers and booleans work too).
 * Every value goes through the same schemas as the construct's props and the function's environment
 * (core/settings), so a bad one stops `cdk synth` with the key, the value and what is allowed.
 */
import { distance } from 'fastest-levenshtein';
import * as z from 'zod/mini';
import { AggwatchError } from '../core/errors';
import { parseSetting, type SettingSchema } from '../core/settings';
import { PROP_SCHEMAS, type ConfigAggregatorMonitorProps } from './monitor/props';

/**
 * The schema of each context key: the prop's, by the same name (`logRetention` in days), with the schedule
 * kept as its expression and a topic ARN trimmed (`-c topicArn= arn:...`).
 */
const CONTEXT = {
  ...PROP_SCHEMAS,
  schedule: z.pipe(PROP_SCHEMAS.schedule, z.transform((schedule) => schedule.expression)),
  topicArn: z.pipe(z.string().check(z.trim()), PROP_SCHEMAS.topicArn),
} as const satisfies {
  readonly [K in keyof ConfigAggregatorMonitorProps]-?: SettingSchema<NonNullable<ConfigAggregatorMonitorProps[K]>>;
};

type ContextKey = keyof typeof CONTEXT;

/** The context keys the stack reads. */
export const CONTEXT_KEYS = Object.keys(CONTEXT) as readonly ContextKey[];

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
  for (const key of CONTEXT_KEYS) {
    const value = context[key];
    // `-c key=` clears a setting rather than setting it to nothing. Unset keys are left out, not passed as
    // undefined, so the construct's defaults read plainly.
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    props[key] = parseSetting<unknown>(key, CONTEXT[key], value);
  }
  return props as { [K in ContextKey]?: z.output<(typeof CONTEXT)[K]> } satisfies ConfigAggregatorMonitorProps;
}

/**
 * CDK ignores context keys nobody reads, so `-c aggregator=x` would silently watch every aggregator. Keys within
 * two edits of ours (ignoring case) are taken as typos. CDK's and other tools' keys are left alone.
 */
export function rejectMisspelledKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (key.includes(':') || /^(@|aws|cdk)/i.test(key) || (CONTEXT_KEYS as readonly string[]).includes(key)) continue;
    const lower = key.toLowerCase();
    const [closest] = CONTEXT_KEYS.map((known) => ({ known, edits: distance(lower, known.toLowerCase()) }))
      .filter(({ edits }) => edits <= 2)
      .sort((x, y) => x.edits - y.edits);
    if (closest !== undefined) throw new UnknownContextKeyError(key, closest.known);
  }
}
