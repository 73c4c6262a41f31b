/** Times as the digest prints them: ISO 8601 UTC, with the elapsed time in words. */
import { oneLine } from './charset';

/** ISO 8601 UTC; 'unknown' when absent; a value that is not a time is shown cleaned, as sent. */
export function isoTime(value: string | undefined): string {
  if (value === undefined) return 'unknown';
  const t = Date.parse(value);
  return Number.isNaN(t) ? oneLine(value, 40) : new Date(t).toISOString();
}

/** "2d 3h", "3h 15m", "3h", "45m", "<1m"; empty when either time is unknown or in the future. */
export function duration(from: string | undefined, to: string): string {
  const ms = from === undefined ? Number.NaN : Date.parse(to) - Date.parse(from);
  if (!(ms >= 0)) return '';
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return m > 0 ? `${m}m` : '<1m';
}

/** "2025-03-04T09:00:00.000Z (for 3h)": the time, and the elapsed time until `at` in the caller's words. */
export function withRelative(iso: string | undefined, at: string, words: (d: string) => string): string {
  const d = duration(iso, at);
  return d === '' ? isoTime(iso) : `${isoTime(iso)} (${words(d)})`;
}
