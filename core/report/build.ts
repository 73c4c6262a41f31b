/**
 * Builds the report model from what the table holds: every current state of each aggregator, the transitions and
 * the run summaries of the history window. Pure: no I/O, no clock (the caller says when the report is generated).
 */
import { KNOWN_STATUSES, type AggregatorMeta, type HistoryEntry, type RunSummary, type SourceState } from '../model';
import { hintFor } from '../digest';
import {
  AFFECTED,
  CODE_OF,
  MAX_TIMELINE_POINTS,
  MAX_TRANSITIONS,
  type AggregatorReport,
  type CellStatus,
  type DarkAccount,
  type DarkRegion,
  type ErrorGroup,
  type Issue,
  type RegionStats,
  type ReportModel,
  type RowStats,
  type TimelinePoint,
  type TransitionRow,
  type Trend,
  STATUS_INFO,
} from './model';

export interface ReportInput {
  readonly generatedAt: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly tableName?: string;
  readonly aggregators: readonly AggregatorInput[];
}

export interface AggregatorInput {
  readonly name: string;
  readonly meta?: AggregatorMeta;
  /** Every current state of the aggregator (removed ones still owed a notice included). */
  readonly states: Iterable<SourceState>;
  /** Transitions of the window, in any order (the CLI reads them by status entered). */
  readonly transitions: readonly HistoryEntry[];
  /** Run summaries of the window, any aggregator's: others are ignored. */
  readonly runs: readonly RunSummary[];
}

export function buildReportModel(input: ReportInput): ReportModel {
  return {
    version: 1,
    generatedAt: input.generatedAt,
    window: { from: input.window.from, to: input.window.to },
    ...(input.tableName !== undefined ? { tableName: input.tableName } : {}),
    legend: STATUS_INFO,
    aggregators: input.aggregators.map(aggregatorReport),
  };
}

const AFFECTED_SET: ReadonlySet<CellStatus> = new Set(AFFECTED);
const KNOWN: ReadonlySet<string> = new Set(KNOWN_STATUSES);

/** The status a state is shown under: REMOVED and STALE before the status Config reported. */
export function cellStatus(s: SourceState): CellStatus {
  if (s.removedAt !== undefined) return 'REMOVED';
  if (s.status === 'SUCCEEDED') return s.stale === true ? 'STALE' : 'SUCCEEDED';
  return KNOWN.has(s.status) ? (s.status as CellStatus) : 'OTHER';
}

const toMinutes = (iso: string | undefined) => {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(t) ? -1 : Math.floor(t / 60_000);
};

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Placed {
  readonly state: SourceState;
  readonly status: CellStatus;
  readonly row: number;
  readonly column: number;
}

function aggregatorReport(input: AggregatorInput): AggregatorReport {
  const meta = input.meta;
  const rowIndex = new Map<string, number>();
  const columnIndex = new Map<string, number>();
  const rowList: { sourceId: string; sourceType: string; collected: number; failed: number; affected: number }[] = [];
  const columnList: { region: string; collected: number; failed: number; affected: number }[] = [];
  const placed: Placed[] = [];
  const counts = Object.fromEntries(STATUS_INFO.map((s) => [s.status, 0])) as Record<CellStatus, number>;

  for (const state of input.states) {
    const rowKey = `${state.sourceType}\u0000${state.sourceId}`;
    let row = rowIndex.get(rowKey);
    if (row === undefined) {
      row = rowList.push({ sourceId: state.sourceId, sourceType: state.sourceType, collected: 0, failed: 0, affected: 0 }) - 1;
      rowIndex.set(rowKey, row);
    }
    let column = columnIndex.get(state.region);
    if (column === undefined) {
      column = columnList.push({ region: state.region, collected: 0, failed: 0, affected: 0 }) - 1;
      columnIndex.set(state.region, column);
    }
    const status = cellStatus(state);
    counts[status]++;
    for (const stats of [rowList[row]!, columnList[column]!]) {
      stats.collected++;
      if (status === 'FAILED') stats.failed++;
      if (AFFECTED_SET.has(status)) stats.affected++;
    }
    placed.push({ state, status, row, column });
  }

  // Config reports one status per source id, type and region (AggregatedSourceStatus, Config API reference:
  // https://docs.aws.amazon.com/config/latest/APIReference/API_AggregatedSourceStatus.html); a cell without one is an
  // account the aggregator does not cover in that region (NONE), which is its configuration, not a failure.
  // Most affected first; then by id, so the same table gives the same picture.
  const rowOrder = rowList.map((_, i) => i);
  rowOrder.sort((a, b) => {
    const x = rowList[a]!;
    const y = rowList[b]!;
    return y.failed - x.failed || y.affected - x.affected || compareText(x.sourceId, y.sourceId) || compareText(x.sourceType, y.sourceType);
  });
  const columnOrder = columnList.map((_, i) => i).sort((a, b) => compareText(columnList[a]!.region, columnList[b]!.region));
  const rowAt = invert(rowOrder);
  const columnAt = invert(columnOrder);
  const rows: RowStats[] = rowOrder.map((i) => rowList[i]!);
  const regions: RegionStats[] = columnOrder.map((i) => columnList[i]!);

  const width = regions.length;
  const codes = new Array<string>(rows.length * width).fill(CODE_OF.NONE);
  counts.NONE = codes.length - placed.length;
  const strings = new StringTable();
  const issues: Issue[] = [];
  for (const p of placed) {
    const cell = rowAt[p.row]! * width + columnAt[p.column]!;
    codes[cell] = CODE_OF[p.status];
    if (p.status === 'SUCCEEDED') continue;
    const s = p.state;
    issues.push([cell, strings.id(s.status), strings.id(s.errorCode), strings.id(s.errorMessage), toMinutes(s.removedAt ?? s.since), toMinutes(s.lastUpdateTime)]);
  }
  issues.sort((a, b) => a[0] - b[0]);

  const transitions = input.transitions.filter((h) => !(h.event === 'FIRST_SEEN' && h.toStatus === 'SUCCEEDED'));
  transitions.sort((a, b) => compareText(b.at, a.at) || compareText(a.sourceId, b.sourceId) || compareText(a.region, b.region));
  const timeline = timelineOf(input.runs.filter((r) => r.aggregator === input.name), MAX_TIMELINE_POINTS);

  return {
    name: input.name,
    ...(meta?.lastFullSweepAt !== undefined ? { lastFullSweepAt: meta.lastFullSweepAt } : {}),
    ...(meta?.monitorError !== undefined ? { monitorError: meta.monitorError } : {}),
    counts,
    regions,
    rows,
    cells: codes.join(''),
    issues,
    strings: strings.values,
    errors: errorGroups(placed),
    darkAccounts: darkAccounts(placed, rowList),
    darkRegions: darkRegions(placed, columnList),
    timeline,
    trend: trendOf(timeline, transitions),
    transitions: transitions.slice(0, MAX_TRANSITIONS).map(transitionRow),
    transitionCount: transitions.length,
  };
}

function invert(order: readonly number[]): number[] {
  const at = new Array<number>(order.length);
  order.forEach((original, position) => (at[original] = position));
  return at;
}

class StringTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  id(value: string | undefined): number {
    if (value === undefined) return -1;
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.push(value) - 1;
      this.index.set(value, i);
    }
    return i;
  }
}

function mostCommon(values: Iterable<string>): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of counts) if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
  return best?.[0];
}

function errorGroups(placed: readonly Placed[]): ErrorGroup[] {
  const groups = new Map<string, { code: string; condition: string; members: Placed[] }>();
  for (const p of placed) {
    if (!AFFECTED_SET.has(p.status) || p.status === 'REMOVED') continue;
    const code = p.state.errorCode ?? '';
    const condition = p.status === 'OTHER' ? p.state.status : p.status;
    const key = code === '' ? `\u0000${condition}` : code;
    const group = groups.get(key) ?? { code, condition, members: [] };
    group.members.push(p);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g): ErrorGroup => {
      const condition = g.code === '' ? g.condition : (mostCommon(g.members.map((m) => (m.status === 'OTHER' ? m.state.status : m.status))) ?? g.condition);
      const scopes = [...new Set(g.members.map((m): 'ACCOUNT' | 'ORGANIZATION' => (m.state.sourceType === 'ORGANIZATION' ? 'ORGANIZATION' : 'ACCOUNT')))].sort();
      const hints = scopes.flatMap((scope) => {
        const text = hintFor(g.code === '' ? g.condition : g.code, scope);
        return text === undefined ? [] : [{ scope, text }];
      });
      return {
        code: g.code,
        condition,
        sources: g.members.length,
        accounts: new Set(g.members.map((m) => m.row)).size,
        regions: new Set(g.members.map((m) => m.column)).size,
        hints,
      };
    })
    .sort((a, b) => b.sources - a.sources || compareText(a.code, b.code) || compareText(a.condition, b.condition));
}

/** FAILED in every region where it is collected, and collected in two or more. */
function darkAccounts(placed: readonly Placed[], rows: readonly RowStats[]): DarkAccount[] {
  const codes = new Map<number, string[]>();
  for (const p of placed) if (p.status === 'FAILED' && p.state.errorCode) (codes.get(p.row) ?? codes.set(p.row, []).get(p.row)!).push(p.state.errorCode);
  return rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.collected >= 2 && r.failed === r.collected)
    .map(({ r, i }) => {
      const code = mostCommon(codes.get(i) ?? []);
      return { sourceId: r.sourceId, sourceType: r.sourceType, regions: r.collected, ...(code ? { errorCode: code } : {}) };
    })
    .sort((a, b) => b.regions - a.regions || compareText(a.sourceId, b.sourceId));
}

/** FAILED for every source collected there, two sources at least. */
function darkRegions(placed: readonly Placed[], columns: readonly RegionStats[]): DarkRegion[] {
  const codes = new Map<number, string[]>();
  for (const p of placed) if (p.status === 'FAILED' && p.state.errorCode) (codes.get(p.column) ?? codes.set(p.column, []).get(p.column)!).push(p.state.errorCode);
  return columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.collected >= 2 && c.failed === c.collected)
    .map(({ c, i }) => {
      const code = mostCommon(codes.get(i) ?? []);
      return { region: c.region, sources: c.collected, ...(code ? { errorCode: code } : {}) };
    })
    .sort((a, b) => compareText(a.region, b.region));
}

/**
 * One point per run, oldest first; past `max` runs, runs are grouped into `max` equal spans of time and each point
 * keeps the highest counts of its span (a peak stays visible).
 */
export function timelineOf(runs: readonly RunSummary[], max: number): TimelinePoint[] {
  const sorted = [...runs].sort((a, b) => compareText(a.runAt, b.runAt));
  const point = (at: string, group: readonly RunSummary[]): TimelinePoint => {
    const ok = group.filter((r) => r.outcome === 'ok');
    const top = (status: string) => Math.max(...ok.map((r) => r.counts[status] ?? 0));
    return {
      at,
      ...(ok.length > 0 ? { failed: top('FAILED'), outdated: top('OUTDATED') } : {}),
      runs: group.length,
      errors: group.length - ok.length,
    };
  };
  if (sorted.length <= max) return sorted.map((r) => point(r.runAt, [r]));
  const first = Date.parse(sorted[0]!.runAt);
  const span = (Date.parse(sorted.at(-1)!.runAt) - first) / max || 1;
  const buckets = new Map<number, RunSummary[]>();
  for (const r of sorted) {
    const b = Math.min(max - 1, Math.floor((Date.parse(r.runAt) - first) / span));
    (buckets.get(b) ?? buckets.set(b, []).get(b)!).push(r);
  }
  return [...buckets.values()].map((group) => point(group.at(-1)!.runAt, group));
}

function trendOf(timeline: readonly TimelinePoint[], transitions: readonly HistoryEntry[]): Trend {
  const measured = timeline.filter((p) => p.failed !== undefined);
  const value = (p: TimelinePoint | undefined) => (p === undefined ? undefined : (p.failed ?? 0) + (p.outdated ?? 0));
  const start = value(measured[0]);
  const end = value(measured.at(-1));
  const failing = (s: string | undefined) => s === 'FAILED' || s === 'OUTDATED';
  let entered = 0;
  let recovered = 0;
  for (const h of transitions) {
    if (failing(h.toStatus) && (h.event === 'FIRST_SEEN' || (h.event === 'STATUS_CHANGED' && !failing(h.fromStatus)))) entered++;
    if (h.event === 'STATUS_CHANGED' && h.toStatus === 'SUCCEEDED' && h.fromStatus !== 'SUCCEEDED') recovered++;
  }
  const direction =
    start === undefined || end === undefined || measured.length < 2 ? 'unknown' : end > start ? 'worse' : end < start ? 'better' : 'unchanged';
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), direction, entered, recovered };
}

function transitionRow(h: HistoryEntry): TransitionRow {
  return {
    at: h.at,
    sourceId: h.sourceId,
    sourceType: h.sourceType,
    region: h.region,
    event: h.event,
    ...(h.fromStatus !== undefined ? { fromStatus: h.fromStatus } : {}),
    toStatus: h.toStatus,
    ...(h.errorCode !== undefined ? { errorCode: h.errorCode } : {}),
  };
}
