/**
 * Page part: starts the page once the other parts are installed. The aggregator selector, the map's summary line,
 * and `window.aggwatchReport`, a read-only view of what the page shows (for tests and for anyone scripting it).
 * Self-contained (inlined by toString).
 */
import type { PageContext } from './context';

export function startPage(ctx: PageContext): void {
  const chooser = document.getElementById('aggregator') as HTMLSelectElement | null;
  const mapSummary = document.getElementById('map-summary') as HTMLElement;
  ctx.cursor = { row: 0, column: 0 };

  ctx.refresh = () => {
    ctx.readFilters();
    ctx.computeView();
    const { report } = ctx.agg;
    mapSummary.textContent =
      'Showing ' + ctx.formatNumber(ctx.view.rows.length) + ' of ' + ctx.formatNumber(report.rows.length) + ' sources x ' +
      ctx.formatNumber(report.regions.length) + ' regions; ' + ctx.formatNumber(ctx.view.list.length) + ' cells match the filters.';
    ctx.drawMap();
    ctx.renderList();
  };

  const show = (index: number) => {
    ctx.select(index);
    document.querySelectorAll<HTMLElement>('[data-aggregator]').forEach((section) => {
      section.hidden = section.dataset.aggregator !== String(index);
    });
    ctx.cursor = { row: 0, column: 0 };
    ctx.refresh();
  };

  chooser?.addEventListener('change', () => show(Number(chooser.value)));
  document.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>('[data-filter-code]');
    if (button) ctx.filterByCode(button.dataset.filterCode ?? '');
  });
  document.documentElement.classList.add('scripted');

  const cells = (list: ArrayLike<number>) =>
    Array.from(list, (cell) => {
      const d = ctx.describe(cell);
      return { sourceId: d.sourceId, sourceType: d.sourceType, region: d.region, status: d.info.status, errorCode: d.errorCode };
    });
  Object.defineProperty(window, 'aggwatchReport', {
    value: Object.freeze({
      model: ctx.model,
      aggregator: () => ctx.agg.report.name,
      /** Source ids of the map's rows, in display order. */
      shownRows: () => Array.from(ctx.view.rows, (row) => ctx.agg.report.rows[row]?.sourceId),
      shownColumns: () => Array.from(ctx.view.columns, (column) => ctx.agg.report.regions[column]?.region),
      /** The cells that match the filters, in display order (the list's content, every page). */
      matchingCells: (limit?: number) => cells(ctx.view.list.subarray(0, limit ?? ctx.view.list.length)),
      /** The map's focused cell. */
      cursor: () => {
        const row = ctx.view.rows[ctx.cursor.row];
        const column = ctx.view.columns[ctx.cursor.column];
        return row === undefined || column === undefined ? undefined : ctx.describe(row * ctx.agg.width + column);
      },
      /** The grid canvas's layout (CSS pixels): row p, column c is at labelWidth + c * cell, p * cell - scrollTop. */
      geometry: () => ({ ...ctx.geometry }),
      firstPaintMs: () => ctx.firstPaintMs,
    }),
  });

  if (ctx.model.aggregators.length > 0) show(0);
}
