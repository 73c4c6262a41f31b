/**
 * EventBridge schedule expressions: validated here because CDK passes any string through and a typo would
 * only surface as a failed deployment. Also works out how often the schedule fires, which sizes the
 * "no successful run" alarm.
 */
import { SettingsError } from '../core/settings';

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

export function parseSchedule(key: string, value: string): ParsedSchedule {
  const expression = value.trim();
  const fail = (why: string): never => {
    throw new SettingsError(key, value, `${ALLOWED} (${why})`);
  };

  const rate = RATE.exec(expression);
  if (rate) {
    const [, amount = '', unit = ''] = rate;
    const n = Number(amount);
    if (!/^[1-9]\d*$/.test(amount) || !Number.isSafeInteger(n)) fail(`${amount} is not a whole number from 1`);
    const singular = unit.replace(/s$/, '');
    const seconds = UNIT_SECONDS[singular];
    if (seconds === undefined) return fail(`unknown unit ${unit}`);
    if ((n === 1) !== (unit === singular)) fail(n === 1 ? `use ${singular} with 1` : `use ${singular}s with ${n}`);
    return withAlarmPeriod(expression, n * seconds);
  }

  const cron = CRON.exec(expression);
  if (!cron) return fail('it is neither rate(...) nor cron(...)');
  const fields = (cron[1] ?? '').split(' ');
  if (fields.length !== 6 || fields.some((f) => f === '')) {
    return fail(`cron needs exactly 6 fields separated by single spaces, got ${fields.filter((f) => f).length}`);
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) fail('exactly one of day-of-month and day-of-week must be ?');
  FIELDS.forEach((spec, i) => {
    const field = fields[i] ?? '';
    if (field === '?' && (spec.name === 'day-of-month' || spec.name === 'day-of-week')) return;
    if (!spec.chars.test(field)) fail(`${spec.name} field ${field} holds characters it does not allow`);
    const words = field.match(/[A-Za-z]{2,}/g) ?? [];
    const allowedWords: readonly string[] = 'words' in spec ? spec.words : [];
    for (const word of words) {
      if (!allowedWords.includes(word.toUpperCase())) fail(`${spec.name} field ${field} has unknown name ${word}`);
    }
  });
  const minuteSet = expand(minutes, 0, 59, 'minutes', fail);
  const hourSet = expand(hours, 0, 23, 'hours', fail);

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

/** Expands a numeric cron field (`*`, `n`, `a-b`, each with an optional `/step`, comma-separated) into its values. */
function expand(field: string, min: number, max: number, name: string, fail: (why: string) => never): number[] {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!m) fail(`${name} item ${item} is not *, n, a-b or one of them with /step`);
    const [, start = '', end, step] = m ?? [];
    const from = start === '*' ? min : Number(start);
    // `a/step` runs from a to the end of the range, as in EventBridge.
    const to = start === '*' ? max : end !== undefined ? Number(end) : step !== undefined ? max : from;
    const by = step === undefined ? 1 : Number(step);
    if (start === '*' && end !== undefined) fail(`${name} item ${item} is not *, n, a-b or one of them with /step`);
    if (from < min || to > max || from > to) fail(`${name} item ${item} is outside ${min}-${max}`);
    if (by < 1) fail(`${name} item ${item} has a step below 1`);
    for (let v = from; v <= to; v += by) values.add(v);
  }
  return [...values];
}
