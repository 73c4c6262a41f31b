/**
 * --since/--until parsing and time display: pure functions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/errors';
import { formatDuration, formatLocal, formatWhen, parseTime, relativeAge, timeWindow, zoneLabel } from '../../cli/time';

const NOW = new Date('2026-11-24T15:00:00.000Z');
const iso = (value: string, flag?: string) => parseTime(value, NOW, flag).toISOString();

afterEach(() => {
  process.env.TZ = 'UTC';
});
process.env.TZ = 'UTC';

describe('parseTime', () => {
  it('takes <n>m|h|d|w before now', () => {
    expect(iso('30m')).toBe('2026-11-24T14:30:00.000Z');
    expect(iso('24h')).toBe('2026-11-23T15:00:00.000Z');
    expect(iso('7d')).toBe('2026-11-17T15:00:00.000Z');
    expect(iso('2w')).toBe('2026-11-10T15:00:00.000Z');
    expect(iso(' 3H ')).toBe('2026-11-24T12:00:00.000Z');
    expect(iso('0m')).toBe(NOW.toISOString());
  });

  it('takes an ISO date as local midnight, and an ISO date-time as local unless it has a zone', () => {
    process.env.TZ = 'Europe/Paris';
    expect(iso('2026-01-01')).toBe('2025-12-31T23:00:00.000Z');
    expect(iso('2026-07-01T08:30')).toBe('2026-07-01T06:30:00.000Z');
    expect(iso('2026-07-01 08:30:15')).toBe('2026-07-01T06:30:15.000Z');
    expect(iso('2026-07-01T08:30:00Z')).toBe('2026-07-01T08:30:00.000Z');
    expect(iso('2026-07-01T08:30:00.250z')).toBe('2026-07-01T08:30:00.250Z');
    expect(iso('2026-07-01T08:30:00+05:30')).toBe('2026-07-01T03:00:00.000Z');
    expect(iso('2026-07-01T08:30-0400')).toBe('2026-07-01T12:30:00.000Z');
  });

  it.each(['', 'yesterday', '7', 'd', '-7d', '7 days', '1.5h', '7y', '2026-02-30', '2026-13-01', '2026-1-1', '2026-01-01T25:00', '2026-01-01T10:61', '01/02/2026', '12345678d'])(
    'refuses %j, naming the flag, the value and the accepted forms',
    (value) => {
      expect(() => parseTime(value, NOW, '--until')).toThrow(UsageError);
      expect(() => parseTime(value, NOW, '--until')).toThrow(
        `Invalid --until "${value}": expected <n>m|h|d|w (e.g. 30m, 24h, 7d, 2w) or an ISO date/time (2026-01-01, 2026-01-01T08:00, 2026-01-01T08:00:00Z).`,
      );
    },
  );
});

describe('timeWindow', () => {
  it('defaults --since to the command default and --until to now', () => {
    const w = timeWindow({}, '24h', NOW);
    expect([w.from.toISOString(), w.to.toISOString()]).toEqual(['2026-11-23T15:00:00.000Z', NOW.toISOString()]);
  });

  it('refuses a window that ends before it starts (exit code 2)', () => {
    expect(() => timeWindow({ since: '1h', until: '2h' }, '24h', NOW)).toThrow(
      '--since (2026-11-24 14:00) is after --until (2026-11-24 13:00): the window is empty.',
    );
    try {
      timeWindow({ since: 'nope' }, '24h', NOW);
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
    }
  });
});

describe('display', () => {
  it('shows the relative age', () => {
    const ago = (ms: number) => relativeAge(new Date(NOW.getTime() - ms), NOW);
    expect(ago(0)).toBe('just now');
    expect(ago(59_000)).toBe('just now');
    expect(ago(60_000)).toBe('1m ago');
    expect(ago(59 * 60_000)).toBe('59m ago');
    expect(ago(3 * 3_600_000)).toBe('3h ago');
    expect(ago(47 * 3_600_000)).toBe('47h ago');
    expect(ago(48 * 3_600_000)).toBe('2d ago');
    expect(ago(-2 * 3_600_000)).toBe('in 2h');
  });

  it('shows stored UTC times in the local time zone', () => {
    process.env.TZ = 'America/New_York';
    expect(formatWhen('2026-11-24T12:00:00.000Z', NOW)).toBe('2026-11-24 07:00 (3h ago)');
    expect(formatLocal(new Date('2026-07-01T12:00:00Z'))).toBe('2026-07-01 08:00');
    expect(zoneLabel(NOW)).toBe('UTC-05:00');
    expect(formatWhen(undefined, NOW)).toBe('-');
    expect(formatWhen('not a time', NOW)).toBe('not a time');
  });

  it('shows durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(undefined)).toBe('-');
  });
});
