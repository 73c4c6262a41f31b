/**
 * EventBridge schedule expressions (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):
 * validated here because CDK passes any string through and a typo would only surface as a failed deployment. Also
 * works out how often the schedule fires, which sizes the "no successful run" alarm.
 *
 * Our own parser, expressed as a settings schema: of the npm packages that know AWS's six-field cron,
 * aws-cron-parser (last release 2021) accepts malformed fields and cron-validate (aws-cloud-watch preset) is not a
 * dependency of this project; neither expands the minute and hour fields, which the alarm period needs.
 */
import * as z from 'zod/mini';
import { parseSetting, type SettingSchema } from '../core/settings';

export interface ParsedSchedule {
  /** The expression, as EventBridge takes it. */
  readonly expression: string;
  /**
   * The longest time between two firings, in seconds. Exact for `rate(...)`; for `cron(...)` derived from the
   * minute and hour fields when it fires every day, otherwise one day.
   */
  readonly periodSeconds: number;
  /** `periodSeconds` capped so that two alarm periods fit in CloudWatch's one-day evaluation limit. */
  readonly alarmPeriodSeconds: number;
}

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
/** CloudWatch: period x evaluation periods must not exceed one day; the alarm uses two periods. */
export const MAX_ALARM_PERIOD_SECONDS = DAY / 2;

const RATE = /^rate\((\d+) ([a-z]+)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { minute: MINUTE, hour: 60 * MINUTE, day: DAY };

const ALLOWED =
  'rate(N unit) with N a whole number from 1 and unit minute|minutes|hour|hours|day|days ' +
  '(singular only when N is 1), ' +
  'or cron(minutes hours day-of-month month day-of-week year) with one of day-of-month and day-of-week set to ?';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** EventBridge's cron fields: the characters each may hold and, for names, which words. */
const FIELDS = [
  { name: 'minutes', chars: /^[\d,\-*/]+$/ },
  { name: 'hours', chars: /^[\d,\-*/]+$/ },
  { name: 'day-of-month', chars: /^[\d,\-*/LW]+$/, words: ['LW'] },
  { name: 'month', chars: /^[\dA-Za-z,\-*/]+$/, words: MONTHS },
  { name: 'day-of-week', chars: /^[\dA-Za-z,\-*L#]+$/, words: [...WEEKDAYS, 'L'] },
  { name: 'year', chars: /^[\d,\-*/]+$/ },
] as const;

/** A schedule expression (trimmed), as EventBridge takes it, with how often it fires. */
export const SCHEDULE: SettingSchema<ParsedSchedule> = z.pipe(
  z.string({ error: ALLOWED }),
  z.transform((value: string, payload) => {
    const parsed = analyse(value.trim());
    if (typeof parsed !== 'string') return parsed;
    payload.issues.push({ code: 'custom', message: `${ALLOWED} (${parsed})`, input: value });
    return z.NEVER;
  }),
);

/** The schedule `value` of setting `key`, or a SettingsError naming the key, the value and why it is not one. */
export function parseSchedule(key: string, value: unknown): ParsedSchedule {
  return parseSetting(key, SCHEDULE, value);
}

/** The schedule, or why the expression is not one. */
function analyse(expression: string): ParsedSchedule | string {
  const rate = RATE.exec(expression);
  if (rate) {
    const [, amount = '', unit = ''] = rate;
    const n = Number(amount);
    if (!/^[1-9]\d*$/.test(amount) || !Number.isSafeInteger(n)) return `${amount} is not a whole number from 1`;
    const singular = unit.replace(/s$/, '');
    const seconds = UNIT_SECONDS[singular];
    if (seconds === undefined) return `unknown unit ${unit}`;
    if ((n === 1) !== (unit === singular)) return n === 1 ? `use ${singular} with 1` : `use ${singular}s with ${n}`;
    return withAlarmPeriod(expression, n * seconds);
  }

  const cron = CRON.exec(expression);
  if (!cron) return 'it is neither rate(...) nor cron(...)';
  const fields = (cron[1] ?? '').split(' ');
  if (fields.length !== 6 || fields.some((f) => f === '')) {
    return `cron needs exactly 6 fields separated by single spaces, got ${fields.filter((f) => f).length}`;
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return 'exactly one of day-of-month and day-of-week must be ?';
  for (const [i, spec] of FIELDS.entries()) {
    const field = fields[i] ?? '';
    if (field === '?' && (spec.name === 'day-of-month' || spec.name === 'day-of-week')) continue;
    if (!spec.chars.test(field)) return `${spec.name} field ${field} holds characters it does not allow`;
    const words = field.match(/[A-Za-z]{2,}/g) ?? [];
    const allowedWords: readonly string[] = 'words' in spec ? spec.words : [];
    const unknown = words.find((word) => !allowedWords.includes(word.toUpperCase()));
    if (unknown !== undefined) return `${spec.name} field ${field} has unknown name ${unknown}`;
  }
  const minuteSet = expand(minutes, 0, 59, 'minutes');
  if (typeof minuteSet === 'string') return minuteSet;
  const hourSet = expand(hours, 0, 23, 'hours');
  if (typeof hourSet === 'string') return hourSet;

  const everyDay = month === '*' && year === '*' && [dayOfMonth, dayOfWeek].every((f) => f === '*' || f === '?');
  if (!everyDay) return withAlarmPeriod(expression, DAY);
  const firings = hourSet.flatMap((h) => minuteSet.map((m) => h * 60 + m)).sort((a, b) => a - b);
  return withAlarmPeriod(expression, largestGapMinutes(firings) * MINUTE);
}

function withAlarmPeriod(expression: string, periodSeconds: number): ParsedSchedule {
  return { expression, periodSeconds, alarmPeriodSeconds: Math.min(periodSeconds, MAX_ALARM_PERIOD_SECONDS) };
}

/** The longest wait between consecutive firings over a day, wrapping from the last firing to the next day's first. */
function largestGapMinutes(sortedMinutesOfDay: readonly number[]): number {
  const first = sortedMinutesOfDay[0] ?? 0;
  const last = sortedMinutesOfDay[sortedMinutesOfDay.length - 1] ?? 0;
  let gap = 24 * 60 - last + first;
  for (let i = 1; i < sortedMinutesOfDay.length; i++) {
    gap = Math.max(gap, (sortedMinutesOfDay[i] ?? 0) - (sortedMinutesOfDay[i - 1] ?? 0));
  }
  return gap;
}

/**
 * Expands a numeric cron field (`*`, `n`, `a-b`, each with an optional `/step`, comma-separated) into its values,
 * or says why it cannot.
 */
function expand(field: string, min: number, max: number, name: string): number[] | string {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
    const [, start = '', end, step] = m ?? [];
    if (!m || (start === '*' && end !== undefined)) return `${name} item ${item} is not *, n, a-b or one of them with /step`;
    const from = start === '*' ? min : Number(start);
    // `a/step` runs from a to the end of the range, as in EventBridge.
    const to = start === '*' ? max : end !== undefined ? Number(end) : step !== undefined ? max : from;
    const by = step === undefined ? 1 : Number(step);
    if (from < min || to > max || from > to) return `${name} item ${item} is outside ${min}-${max}`;
    if (by < 1) return `${name} item ${item} has a step below 1`;
    for (let v = from; v <= to; v += by) values.add(v);
  }
  return [...values];
}
