/**
 * Page part: the accessible alternative to the map, a table of the matching cells, a page at a time. One row is in
 * the tab order; arrow keys move between rows, Page Up/Down between pages, Enter shows the cell on the map.
 * Self-contained (inlined by toString).
 */
import type { PageContext } from './context';

export function installList(ctx: PageContext): void {
  const PAGE = 50;
  const body = document.getElementById('list-body') as HTMLTableSectionElement;
  const summary = document.getElementById('list-summary') as HTMLElement;
  const previous = document.getElementById('list-prev') as HTMLButtonElement;
  const next = document.getElementById('list-next') as HTMLButtonElement;
  let page = 0;

  const cellText = (tr: HTMLTableRowElement, text: string | undefined, className?: string) => {
    const td = document.createElement('td');
    td.textContent = text ?? '';
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  };

  const render = (focusIndex?: number) => {
    const list = ctx.view.list;
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    page = Math.max(0, Math.min(page, pages - 1));
    const from = page * PAGE;
    const to = Math.min(list.length, from + PAGE);
    const rows: HTMLTableRowElement[] = [];
    for (let i = from; i < to; i++) {
      const d = ctx.describe(list[i] as number);
      const tr = document.createElement('tr');
      tr.tabIndex = -1;
      tr.dataset.cell = String(d.cell);
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = d.sourceId;
      tr.appendChild(th);
      cellText(tr, d.sourceType);
      cellText(tr, d.region);
      const status = cellText(tr, '');
      status.append(ctx.icon(d.info), ' ' + d.info.label + (d.rawStatus && d.rawStatus !== d.info.label && d.info.status !== 'SUCCEEDED' ? ' (' + d.rawStatus + ')' : ''));
      cellText(tr, d.errorCode);
      cellText(tr, d.errorMessage, 'message');
      cellText(tr, d.since && ctx.formatTime(d.since));
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    const focusable = rows[Math.max(0, Math.min(focusIndex ?? 0, rows.length - 1))];
    if (focusable) focusable.tabIndex = 0;
    if (focusIndex !== undefined) focusable?.focus();
    summary.textContent =
      list.length === 0
        ? 'No cell matches the filters.'
        : ctx.formatNumber(list.length) + ' matching cells; showing ' + ctx.formatNumber(from + 1) + ' to ' + ctx.formatNumber(to) + ' (page ' + (page + 1) + ' of ' + pages + ').';
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  };

  ctx.renderList = () => {
    page = 0;
    render();
  };

  previous.addEventListener('click', () => {
    page--;
    render();
  });
  next.addEventListener('click', () => {
    page++;
    render();
  });

  body.addEventListener('keydown', (event) => {
    const rows = Array.from(body.rows);
    const current = rows.indexOf(event.target as HTMLTableRowElement);
    if (current < 0) return;
    const move = (index: number) => {
      const target = rows[index];
      if (!target) return;
      rows.forEach((r) => (r.tabIndex = -1));
      target.tabIndex = 0;
      target.focus();
    };
    if (event.key === 'ArrowDown') move(current + 1);
    else if (event.key === 'ArrowUp') move(current - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(rows.length - 1);
    else if (event.key === 'PageDown' && !next.disabled) {
      page++;
      render(0);
    } else if (event.key === 'PageUp' && !previous.disabled) {
      page--;
      render(0);
    } else if (event.key === 'Enter' || event.key === ' ') {
      ctx.showCell(Number((event.target as HTMLElement).dataset.cell), true);
    } else return;
    event.preventDefault();
  });
  body.addEventListener('click', (event) => {
    const tr = (event.target as HTMLElement).closest('tr');
    if (tr?.dataset.cell) ctx.showCell(Number(tr.dataset.cell), false);
  });
}
