import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../core/settings';
import { MAX_ALARM_PERIOD_SECONDS, parseSchedule } from '../../lib/schedule';

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('parseSchedule: rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60],
    ['rate(15 minutes)', 900],
    ['rate(1 hour)', HOUR],
    ['rate(6 hours)', 6 * HOUR],
    ['rate(12 hours)', 12 * HOUR],
    ['rate(1 day)', DAY],
    ['rate(3 days)', 3 * DAY],
  ])('%s fires every %i seconds', (expression, seconds) => {
    const parsed = parseSchedule('schedule', expression);
    expect(parsed.expression).toBe(expression);
    expect(parsed.periodSeconds).toBe(seconds);
    expect(parsed.alarmPeriodSeconds).toBe(Math.min(seconds, MAX_ALARM_PERIOD_SECONDS));
  });

  it('caps the alarm period so that two periods fit in one day', () => {
    expect(MAX_ALARM_PERIOD_SECONDS * 2).toBe(DAY);
    expect(parseSchedule('schedule', 'rate(1 day)').alarmPeriodSeconds).toBe(12 * HOUR);
    expect(parseSchedule('schedule', 'rate(13 hours)').alarmPeriodSeconds).toBe(12 * HOUR);
  });

  it('trims surrounding whitespace', () => {
    expect(parseSchedule('schedule', '  rate(5 minutes) ').expression).toBe('rate(5 minutes)');
  });

  it.each([
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(2 hour)',
    'rate(1 days)',
    'rate(0 minutes)',
    'rate(05 minutes)',
    'rate(-5 minutes)',
    'rate(1.5 hours)',
    'rate(5 seconds)',
    'rate(5 weeks)',
    'rate(5  minutes)',
    'rate(5minutes)',
    'rate(5 Minutes)',
    'rate()',
    'every 5 minutes',
    '',
    'rate(99999999999999999999 minutes)',
  ])('rejects %j', (expression) => {
    expect(() => parseSchedule('schedule', expression)).toThrow(SettingsError);
  });

  it('names the key, the value and what is allowed', () => {
    let error: unknown;
    try {
      parseSchedule('schedule', 'rate(1 minutes)');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const settingsError = error as SettingsError;
    expect(settingsError.key).toBe('schedule');
    expect(settingsError.value).toBe('rate(1 minutes)');
    expect(settingsError.allowed).toMatch(/rate\(N unit\).*cron\(/);
    expect(settingsError.message).toContain('use minute with 1');
  });

  it('rejects a value that is not a string, naming it as given', () => {
    let error: unknown;
    try {
      parseSchedule('schedule', 15);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).value).toBe(15);
    expect((error as SettingsError).message).toMatch(/^Invalid schedule: 15\. Allowed: rate\(N unit\)/);
  });
});

describe('parseSchedule: cron expressions', () => {
  it.each([
    ['cron(0/15 * * * ? *)', 15 * 60],
    ['cron(*/5 * * * ? *)', 5 * 60],
    ['cron(* * * * ? *)', 60],
    ['cron(0 * * * ? *)', HOUR],
    ['cron(0,30 * * * ? *)', 30 * 60],
    ['cron(0,10 * * * ? *)', 50 * 60],
    ['cron(0 */6 * * ? *)', 6 * HOUR],
    ['cron(0 0/4 * * ? *)', 4 * HOUR],
    // 08:00 and 20:00: 12 hours apart both ways.
    ['cron(0 8,20 * * ? *)', 12 * HOUR],
    // 08:00 to 18:00 hourly: the longest wait is overnight, 18:00 to 08:00.
    ['cron(0 8-18 * * ? *)', 14 * HOUR],
    ['cron(15 10 * * ? *)', DAY],
    ['cron(0 9 ? * * *)', DAY],
    ['cron(30 2-4/2 * * ? *)', 22 * HOUR],
  ])('%s: every day, longest gap %i seconds', (expression, seconds) => {
    const parsed = parseSchedule('schedule', expression);
    expect(parsed.expression).toBe(expression);
    expect(parsed.periodSeconds).toBe(seconds);
    expect(parsed.alarmPeriodSeconds).toBe(Math.min(seconds, MAX_ALARM_PERIOD_SECONDS));
  });

  it.each([
    'cron(0/15 * ? * MON-FRI *)',
    'cron(0 12 1 * ? *)',
    'cron(0 12 L * ? *)',
    'cron(0 12 15W * ? *)',
    'cron(0 12 LW * ? *)',
    'cron(0 10 ? * 6L *)',
    'cron(0 10 ? * MON#2 *)',
    'cron(0 10 * JAN-MAR ? *)',
    'cron(0 10 * 1/2 ? *)',
    'cron(0 10 * * ? 2030)',
    'cron(0 10 * * ? 2025-2030)',
  ])('%s: not every day, so one day (alarm period capped at 12 hours)', (expression) => {
    const parsed = parseSchedule('schedule', expression);
    expect(parsed.periodSeconds).toBe(DAY);
    expect(parsed.alarmPeriodSeconds).toBe(12 * HOUR);
  });

  it.each([
    ['cron(0 12 * * *)', /exactly 6 fields/],
    ['cron(0 12 * * ? * *)', /exactly 6 fields/],
    ['cron(0  12 * * ? *)', /single spaces/],
    ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 12 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 12 * * ? *)', /minutes item 60 is outside 0-59/],
    ['cron(0 24 * * ? *)', /hours item 24 is outside 0-23/],
    ['cron(0 18-8 * * ? *)', /hours item 18-8/],
    ['cron(0/0 * * * ? *)', /step below 1/],
    ['cron(*-5 * * * ? *)', /minutes item \*-5/],
    ['cron(a * * * ? *)', /minutes field a holds characters/],
    ['cron(0 12 * * ? 20#30)', /year field/],
    ['cron(0 12 * FOO ? *)', /unknown name FOO/],
    ['cron(0 12 ? * FUNDAY *)', /unknown name FUNDAY/],
    ['cron(0 12 X * ? *)', /day-of-month field X/],
    ['cron(0 12 * * ?)', /exactly 6 fields/],
    ['cron()', /exactly 6 fields/],
    ['cron 0 12 * * ? *', /neither rate/],
  ])('rejects %s', (expression, why) => {
    expect(() => parseSchedule('schedule', expression)).toThrow(SettingsError);
    expect(() => parseSchedule('schedule', expression)).toThrow(why);
  });
});
