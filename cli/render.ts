/**
 * Tables for people: aligned columns without borders (cli-table3), statuses coloured on a terminal only.
 */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import { STALE, type HistoryEntry } from '../core/model';
import { REMOVED } from '../adapters/store/table-schema';
import { formatWhen } from './time';

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: '  ',
} as const;

export interface Style {
  /** A status (or condition) in its colour: FAILED red, OUTDATED/STALE yellow, SUCCEEDED green, REMOVED grey. */
  status(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

export function makeStyle(colour: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: colour ? 1 : 0 });
  const byStatus: Record<string, (s: string) => string> = {
    FAILED: c.red,
    OUTDATED: c.yellow,
    [STALE]: c.yellow,
    SUCCEEDED: c.green,
    [REMOVED]: c.gray,
  };
  return {
    status: (s) => (byStatus[s] ?? ((x: string) => x))(s),
    dim: c.dim,
    bold: c.bold,
    red: c.red,
    green: c.green,
    yellow: c.yellow,
  };
}

/** Rows under a header, columns aligned, trailing blanks trimmed; ends with a newline. */
export function renderTable(style: Style, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: head.map((h) => style.bold(h)),
    chars: NO_BORDERS,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true },
  });
  for (const row of rows) table.push([...row]);
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

/** Shortens free text (error messages) for a table cell; the full text is in --json. */
export function clip(text: string | undefined, max = 60): string {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Severity order for listings: problems first. */
const ORDER = ['FAILED', 'OUTDATED', STALE, REMOVED, 'SUCCEEDED'];
export function statusRank(s: string): number {
  const i = ORDER.indexOf(s);
  // Unknown statuses sit between the known problems and SUCCEEDED.
  return i === -1 ? ORDER.length - 1.5 : i;
}

/** `FAILED 2, OUTDATED 1, SUCCEEDED 40` (problems first, zero counts left out). */
export function formatCounts(style: Style, counts: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(counts ?? {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return '-';
  entries.sort(([a], [b]) => statusRank(a) - statusRank(b) || a.localeCompare(b));
  return entries.map(([s, n]) => `${style.status(s)} ${n}`).join(', ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A history entry's change: `SUCCEEDED → FAILED`, or just the status when it did not change. */
export function change(style: Style, h: Pick<HistoryEntry, 'fromStatus' | 'toStatus'>): string {
  if (h.fromStatus === undefined || h.fromStatus === h.toStatus) return style.status(h.toStatus);
  return `${style.status(h.fromStatus)} → ${style.status(h.toStatus)}`;
}

/** `code: message`, clipped; `-` when there is no error. */
export function errorText(h: { errorCode?: string; errorMessage?: string }): string {
  return h.errorCode || h.errorMessage ? clip([h.errorCode, h.errorMessage].filter(Boolean).join(': ')) : '-';
}

/** History entries as `history` and `failures` show them. */
export function historyTable(style: Style, now: Date, entries: readonly HistoryEntry[]): string {
  return renderTable(
    style,
    ['AT', 'AGGREGATOR', 'SOURCE', 'TYPE', 'REGION', 'EVENT', 'CHANGE', 'ERROR'],
    entries.map((h) => [
      formatWhen(h.at, now),
      h.aggregator,
      h.sourceId,
      h.sourceType,
      h.region,
      style.status(h.event),
      change(style, h),
      errorText(h),
    ]),
  );
}
