/**
 * The status report's model: what one HTML report shows, built from the table's states, history and run summaries
 * by `buildReportModel` (build.ts). Plain JSON (no Map, no Date): the renderer embeds it in the page as is, and the
 * page's script reads the same object, so there is one definition of what the report says.
 *
 * The map is compact because it must hold 10,000 accounts x 37 regions: one character per cell (`cells`), and one
 * tuple per cell that is not plainly SUCCEEDED or empty (`issues`), its strings interned in `strings`.
 */
import type { HistoryEvent } from '../model';

/** What a cell of the map shows. The order is the severity order: most severe first. */
export const CELL_STATUSES = ['FAILED', 'OUTDATED', 'STALE', 'OTHER', 'REMOVED', 'SUCCEEDED', 'NONE'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export interface StatusInfo {
  readonly status: CellStatus;
  /** The character that stands for the status in `AggregatorReport.cells`. */
  readonly code: string;
  readonly label: string;
  /** Fill colour of the cell (the symbol is drawn in white or black on it, see `ink`). */
  readonly colour: string;
  readonly ink: string;
  /** The shape drawn in the cell and beside the label, so that colour never carries the meaning alone. */
  readonly symbol: 'cross' | 'triangle' | 'clock' | 'question' | 'dash' | 'check' | 'empty';
  readonly description: string;
}

/**
 * The legend. Colours are the Okabe-Ito palette's distinguishable hues (vermillion, orange, yellow, purple, grey,
 * bluish green); each status also has its own symbol.
 */
export const STATUS_INFO: readonly StatusInfo[] = [
  { status: 'FAILED', code: 'F', label: 'FAILED', colour: '#d55e00', ink: '#ffffff', symbol: 'cross', description: 'Config failed to aggregate this source (LastUpdateStatus FAILED)' },
  { status: 'OUTDATED', code: 'O', label: 'OUTDATED', colour: '#e69f00', ink: '#000000', symbol: 'triangle', description: 'The aggregated data is not the most recent (LastUpdateStatus OUTDATED)' },
  { status: 'STALE', code: 'T', label: 'STALE', colour: '#f0e442', ink: '#000000', symbol: 'clock', description: 'SUCCEEDED, but not updated for longer than the stale threshold' },
  { status: 'OTHER', code: 'U', label: 'other status', colour: '#cc79a7', ink: '#000000', symbol: 'question', description: 'A status the monitor does not know, kept as Config sent it' },
  { status: 'REMOVED', code: 'R', label: 'REMOVED', colour: '#7a7a7a', ink: '#ffffff', symbol: 'dash', description: 'Left the aggregator; kept until its notice is sent' },
  { status: 'SUCCEEDED', code: 'S', label: 'SUCCEEDED', colour: '#009e73', ink: '#ffffff', symbol: 'check', description: 'Aggregated successfully' },
  { status: 'NONE', code: '.', label: 'not collected', colour: '#eeeeee', ink: '#777777', symbol: 'empty', description: 'The aggregator has no such source: this account is not aggregated in this region' },
];

export const STATUS_BY_CODE: ReadonlyMap<string, StatusInfo> = new Map(STATUS_INFO.map((s) => [s.code, s]));
export const CODE_OF: Readonly<Record<CellStatus, string>> = Object.fromEntries(STATUS_INFO.map((s) => [s.status, s.code])) as Record<CellStatus, string>;

/** Statuses that count as affected (the "most affected" sort, the list's default filter). */
export const AFFECTED: readonly CellStatus[] = ['FAILED', 'OUTDATED', 'STALE', 'OTHER', 'REMOVED'];

export interface ReportModel {
  readonly version: 1;
  readonly generatedAt: string;
  /** The history window: transitions and the timeline cover it; the map is the current state. */
  readonly window: { readonly from: string; readonly to: string };
  /** The table read, when known: the commands the report suggests name it. */
  readonly tableName?: string;
  readonly legend: readonly StatusInfo[];
  readonly aggregators: readonly AggregatorReport[];
}

export interface RegionStats {
  readonly region: string;
  /** Sources in this region (cells not NONE). */
  readonly collected: number;
  readonly failed: number;
  readonly affected: number;
}

/** One row of the map: a source (an account, or an organization) across the regions. */
export interface RowStats {
  readonly sourceId: string;
  readonly sourceType: string;
  readonly collected: number;
  readonly failed: number;
  readonly affected: number;
}

/**
 * A cell that is neither SUCCEEDED nor empty: [cell index (row * regions + column), raw status, error code, error
 * message, since, last update]. Strings are indexes into `strings` (-1: none); times are minutes since the epoch
 * (-1: unknown).
 */
export type Issue = readonly [cell: number, status: number, errorCode: number, errorMessage: number, since: number, lastUpdate: number];

export interface ErrorGroup {
  /** The error code, or '' for sources Config gave no code (grouped by `condition`). */
  readonly code: string;
  /** The condition when there is no code, else the most common status among the group. */
  readonly condition: string;
  readonly sources: number;
  readonly accounts: number;
  readonly regions: number;
  /** The remediation hint per source type, where one is known. */
  readonly hints: readonly { readonly scope: 'ACCOUNT' | 'ORGANIZATION'; readonly text: string }[];
}

export interface DarkAccount {
  readonly sourceId: string;
  readonly sourceType: string;
  readonly regions: number;
  /** Its most common error code, if any. */
  readonly errorCode?: string;
}

export interface DarkRegion {
  readonly region: string;
  readonly sources: number;
  readonly errorCode?: string;
}

export interface TimelinePoint {
  readonly at: string;
  /** FAILED and OUTDATED counts of the run (the most in the bucket when runs are grouped); absent for failed runs. */
  readonly failed?: number;
  readonly outdated?: number;
  /** Runs in this point. */
  readonly runs: number;
  /** Runs in this point that failed (the aggregator could not be read). */
  readonly errors: number;
}

export interface Trend {
  /** FAILED + OUTDATED at the first and the last successful run of the window. */
  readonly start?: number;
  readonly end?: number;
  readonly direction: 'better' | 'worse' | 'unchanged' | 'unknown';
  /** Transitions into FAILED or OUTDATED in the window (first seen failing included). */
  readonly entered: number;
  /** Transitions from FAILED, OUTDATED or another status back to SUCCEEDED in the window. */
  readonly recovered: number;
}

export interface TransitionRow {
  readonly at: string;
  readonly sourceId: string;
  readonly sourceType: string;
  readonly region: string;
  readonly event: HistoryEvent;
  readonly fromStatus?: string;
  readonly toStatus: string;
  readonly errorCode?: string;
}

export interface AggregatorReport {
  readonly name: string;
  readonly lastFullSweepAt?: string;
  readonly monitorError?: { readonly code: string; readonly message: string; readonly since: string };
  /** Sources per status; NONE counts the empty cells of the map. */
  readonly counts: Readonly<Record<CellStatus, number>>;
  /** The map's columns, by name. */
  readonly regions: readonly RegionStats[];
  /** The map's rows, most affected first: FAILED cells, then affected cells, then id. */
  readonly rows: readonly RowStats[];
  /** rows x regions characters, row by row: `StatusInfo.code` of each cell. */
  readonly cells: string;
  readonly issues: readonly Issue[];
  readonly strings: readonly string[];
  /** Error codes of the affected sources (REMOVED left out), most frequent first. */
  readonly errors: readonly ErrorGroup[];
  /** Sources FAILED in every region they are collected in (two at least): authorization gone, typically. */
  readonly darkAccounts: readonly DarkAccount[];
  /** Regions where every source is FAILED (two at least): a region not enabled, or an SCP. */
  readonly darkRegions: readonly DarkRegion[];
  readonly timeline: readonly TimelinePoint[];
  readonly trend: Trend;
  /** The newest transitions of the window (at most MAX_TRANSITIONS), newest first. */
  readonly transitions: readonly TransitionRow[];
  /** Transitions in the window, all of them. */
  readonly transitionCount: number;
}

export const MAX_TRANSITIONS = 200;
export const MAX_TIMELINE_POINTS = 360;
