/**
 * Page part: the filter form (statuses, error code, region, search, sort) and the view it selects: which rows and
 * columns the map shows, in which order, and which cells match. Self-contained (inlined by toString).
 */
import type { PageContext } from './context';

export function installFilters(ctx: PageContext): void {
  const form = document.getElementById('filters') as HTMLFormElement;
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const codeSelect = byId<HTMLSelectElement>('f-code');
  const regionSelect = byId<HTMLSelectElement>('f-region');
  const search = byId<HTMLInputElement>('f-search');
  const rowsSelect = byId<HTMLSelectElement>('f-rows');
  const columnsSelect = byId<HTMLSelectElement>('f-columns');
  const allRows = byId<HTMLInputElement>('f-all-rows');
  const statusBoxes = Array.from(form.querySelectorAll<HTMLInputElement>('input[name=status]'));
  const defaults = statusBoxes.map((box) => box.defaultChecked);

  const option = (value: string, label: string) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    return o;
  };

  /** The code and region choices are the selected aggregator's. */
  const fillChoices = () => {
    const { report } = ctx.agg;
    codeSelect.replaceChildren(option('-2', 'any'));
    let withoutCode = 0;
    for (const e of report.errors) {
      if (e.code === '') {
        withoutCode += e.sources;
        continue;
      }
      const value = String(report.strings.indexOf(e.code));
      if (value !== '-1') codeSelect.appendChild(option(value, e.code + ' (' + ctx.formatNumber(e.sources) + ')'));
    }
    if (withoutCode > 0) codeSelect.appendChild(option('-1', '(no error code) (' + ctx.formatNumber(withoutCode) + ')'));
    regionSelect.replaceChildren(option('-1', 'all regions'));
    report.regions.forEach((r, i) => regionSelect.appendChild(option(String(i), r.region + ' (' + ctx.formatNumber(r.affected) + ' affected)')));
  };

  ctx.readFilters = () => {
    ctx.filter = {
      statuses: ctx.model.legend.map((info) => statusBoxes.some((box) => box.value === info.code && box.checked)),
      errorCode: Number(codeSelect.value || '-2'),
      region: Number(regionSelect.value || '-1'),
      search: search.value.trim().toLowerCase(),
      rows: rowsSelect.value === 'id' ? 'id' : 'affected',
      columns: columnsSelect.value === 'affected' ? 'affected' : 'name',
      allRows: allRows.checked,
    };
  };

  ctx.computeView = () => {
    const { report, width, status, issueAt, ids } = ctx.agg;
    const f = ctx.filter;
    const strings = report.strings;
    const textMatch: boolean[] = strings.map((s) => f.search !== '' && s.toLowerCase().indexOf(f.search) >= 0);
    const regionMatch = report.regions.map((r) => f.search !== '' && r.region.toLowerCase().indexOf(f.search) >= 0);
    const matches = new Uint8Array(status.length);
    const rowHas = new Uint8Array(report.rows.length);
    for (let row = 0; row < report.rows.length; row++) {
      const idMatch = f.search === '' || (ids[row] as string).indexOf(f.search) >= 0;
      for (let column = 0; column < width; column++) {
        const cell = row * width + column;
        if (!f.statuses[status[cell] as number]) continue;
        if (f.region >= 0 && column !== f.region) continue;
        const issue = report.issues[issueAt[cell] as number];
        if (f.errorCode !== -2 && (issue ? issue[2] : -1) !== f.errorCode) continue;
        if (!idMatch && !regionMatch[column] && !(issue && (textMatch[issue[2]] || textMatch[issue[3]] || textMatch[issue[1]]))) continue;
        matches[cell] = 1;
        rowHas[row] = 1;
      }
    }
    const rows: number[] = [];
    for (let row = 0; row < report.rows.length; row++) if (f.allRows || rowHas[row]) rows.push(row);
    if (f.rows === 'id') rows.sort((a, b) => (ids[a] as string).localeCompare(ids[b] as string));
    const columns = report.regions.map((_, i) => i);
    if (f.columns === 'affected') {
      columns.sort((a, b) => (report.regions[b]?.affected ?? 0) - (report.regions[a]?.affected ?? 0) || a - b);
    }
    const list: number[] = [];
    for (const row of rows) {
      for (const column of columns) {
        const cell = row * width + column;
        if (matches[cell]) list.push(cell);
      }
    }
    ctx.view = { rows: Int32Array.from(rows), columns: Int32Array.from(columns), matches, list: Int32Array.from(list) };
  };

  ctx.resetFilters = () => {
    statusBoxes.forEach((box, i) => (box.checked = defaults[i] ?? false));
    codeSelect.value = '-2';
    regionSelect.value = '-1';
    search.value = '';
    allRows.checked = false;
    ctx.refresh();
  };

  ctx.filterByCode = (code) => {
    const value = code === '' ? '-1' : String(ctx.agg.report.strings.indexOf(code));
    if (!codeSelect.querySelector('option[value="' + value + '"]')) return;
    codeSelect.value = value;
    // A code belongs to affected statuses: make sure they are shown.
    statusBoxes.forEach((box, i) => (box.checked = box.checked || (defaults[i] ?? false)));
    ctx.refresh();
    document.getElementById('map-title')?.scrollIntoView();
  };

  const previousSelect = ctx.select;
  ctx.select = (index) => {
    previousSelect(index);
    fillChoices();
  };

  let timer: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => ctx.refresh(), 120);
  });
  form.addEventListener('change', (event) => {
    if (event.target !== search) ctx.refresh();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.refresh();
  });
  byId<HTMLButtonElement>('f-reset').addEventListener('click', () => ctx.resetFilters());
}
