/**
 * Time arguments and time display: `--since`/`--until` parsing (pure, unit-tested) and local-time rendering
 * with a relative age. Stored times are ISO 8601 in UTC; people read their own time zone.
 */
import { UsageError } from './errors';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^(\d{1,7})\s*([mhdw])$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export const TIME_FORMS = '<n>m|h|d|w (e.g. 30m, 24h, 7d, 2w) or an ISO date/time (2026-01-01, 2026-01-01T08:00, 2026-01-01T08:00:00Z)';

/**
 * A point in time from `30m`, `24h`, `7d`, `2w` (that long before `now`), an ISO date (local midnight) or an ISO
 * date-time (local time unless it carries `Z` or an offset). Throws a UsageError naming the flag and the value.
 */
export function parseTime(value: string, now: Date, flag = '--since'): Date {
  const v = value.trim();
  const bad = () => new UsageError(`Invalid ${flag} "${value}": expected ${TIME_FORMS}.`);

  const rel = RELATIVE.exec(v);
  if (rel) {
    const unit = rel[2]!.toLowerCase() as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[unit]);
  }

  const day = DATE_ONLY.exec(v);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const date = new Date(y, m - 1, d);
    if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) throw bad();
    return date;
  }

  const dt = DATE_TIME.exec(v);
  if (dt) {
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(dt[i] ?? 0)) as [number, number, number, number, number, number];
    // Validate the calendar fields ourselves: Date.parse quietly rolls 2026-02-30 over into March.
    const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    const valid =
      probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d &&
      probe.getUTCHours() === h && probe.getUTCMinutes() === mi && probe.getUTCSeconds() === s;
    if (!valid) throw bad();
    // No zone: local time (as Date reads it). `Z` or an offset: that zone; `+0100` is given its colon.
    const date = new Date(v.replace(' ', 'T').replace(/z$/, 'Z').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isNaN(date.getTime())) throw bad();
    return date;
  }
  throw bad();
}

export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

/** The `--since`/`--until` window, `--until` defaulting to now. */
export function timeWindow(opts: { since?: string; until?: string }, defaultSince: string, now: Date): TimeWindow {
  const from = parseTime(opts.since ?? defaultSince, now, '--since');
  const to = opts.until === undefined ? now : parseTime(opts.until, now, '--until');
  if (from.getTime() > to.getTime()) {
    throw new UsageError(
      `--since (${formatLocal(from)}) is after --until (${formatLocal(to)}): the window is empty.`,
    );
  }
  return { from, to };
}

/** The window as the store's ISO bounds. */
export function isoRange(w: TimeWindow): { from: string; to: string } {
  return { from: w.from.toISOString(), to: w.to.toISOString() };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-11-24 13:05` in the local time zone. */
export function formatLocal(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * English narrow relative time (`5m ago`, `in 3h`). The rest stays on Date's own accessors: Intl has no 24-hour
 * `YYYY-MM-DD HH:mm` pattern (only locale orders), writes offsets as `GMT+01:00`, and Intl.DurationFormat is Node 23+.
 */
const AGE = new Intl.RelativeTimeFormat('en', { style: 'narrow' });

/** `just now`, `5m ago`, `3h ago`, `12d ago` (or `in 3h` for a time ahead of `now`). */
export function relativeAge(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return 'just now';
  const [n, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < 3_600 ? [Math.floor(abs / 60), 'minute'] : abs < 48 * 3_600 ? [Math.floor(abs / 3_600), 'hour'] : [Math.floor(abs / 86_400), 'day'];
  return AGE.format(seconds < 0 ? n : -n, unit);
}

/** A stored ISO time as `2026-11-24 13:05 (3h ago)`, local time; `-` when absent, verbatim when unparseable. */
export function formatWhen(iso: string | undefined, now: Date): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${formatLocal(d)} (${relativeAge(d, now)})`;
}

/** The local zone's offset, e.g. `UTC+01:00`, for headings. */
export function zoneLabel(at: Date): string {
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `850 ms`, `12.3 s`, `2m 05s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
}
