/**
 * The page's shared state, as the script's parts see it. Types only: each part (data, filters, map, list, main) is a
 * self-contained function that the renderer inlines with Function.prototype.toString, so the parts share nothing but
 * this object, and none of them may import a value (type imports are erased).
 */
/// <reference lib="dom" />
import type { AggregatorReport, ReportModel, StatusInfo } from '../model';

/** The selected aggregator, decoded for the page. */
export interface AggregatorView {
  readonly index: number;
  readonly report: AggregatorReport;
  readonly width: number;
  /** Per cell: its status's index in the legend. */
  readonly status: Uint8Array;
  /** Per cell: its index in report.issues, or -1. */
  readonly issueAt: Int32Array;
  /** Source ids, lower case, for the search. */
  readonly ids: readonly string[];
}

export interface FilterState {
  /** Per legend index: whether cells of that status match. */
  statuses: boolean[];
  /** Index into report.strings of the error code a cell must have, -2 for any, -1 for "no error code". */
  errorCode: number;
  /** Column a cell must be in, or -1. */
  region: number;
  search: string;
  rows: 'affected' | 'id';
  columns: 'name' | 'affected';
  /** Show accounts that have no matching cell too. */
  allRows: boolean;
}

export interface View {
  /** Rows shown, in display order (indexes into report.rows). */
  rows: Int32Array;
  /** Columns in display order (indexes into report.regions). */
  columns: Int32Array;
  /** Per cell: 1 when it matches the filters. */
  matches: Uint8Array;
  /** Matching cells, in display order. */
  list: Int32Array;
}

export interface CellDescription {
  readonly cell: number;
  readonly sourceId: string;
  readonly sourceType: string;
  readonly region: string;
  readonly info: StatusInfo;
  /** LastUpdateStatus as stored (differs from the label for STALE, REMOVED and unknown statuses). */
  readonly rawStatus?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly since?: string;
  readonly lastUpdate?: string;
  /** The aggwatch command that prints this cell's history; absent for a cell with no source. */
  readonly command?: string;
}

export interface PageContext {
  model: ReportModel;
  agg: AggregatorView;
  filter: FilterState;
  view: View;
  /** The focused cell of the map, as (position in view.rows, position in view.columns). */
  cursor: { row: number; column: number };
  /** The grid's layout in CSS pixels: the label column's width and a cell's side. */
  geometry: { labelWidth: number; cell: number };
  /** When the map was first drawn (performance.now()), for the benchmark. */
  firstPaintMs?: number;

  // data
  select(index: number): void;
  describe(cell: number): CellDescription;
  /** `2026-11-24 12:00 UTC`. */
  formatTime(iso: string | undefined): string;
  formatNumber(n: number): string;
  /** An <svg> that shows a status's symbol. */
  icon(info: StatusInfo): SVGSVGElement;

  // filters
  readFilters(): void;
  computeView(): void;
  resetFilters(): void;
  /** Puts the error code filter on a code ('' for "no error code") and refreshes. */
  filterByCode(code: string): void;

  // map and list
  drawMap(): void;
  renderList(): void;
  /** Moves the map's cursor to a cell (report cell index), scrolling it into view. */
  showCell(cell: number, focus: boolean): void;

  /** Recomputes the view from the filters and redraws everything. */
  refresh(): void;
}
