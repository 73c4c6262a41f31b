/**
 * Page part: the map. An overview canvas draws the whole aggregator at once (every account, every region, rows
 * blended into bands past 400 rows); a grid canvas draws the filtered rows at a readable size, only the rows in view
 * (a 10,000 x 37 DOM table would be 370,000 elements). The grid takes the keyboard; the focused cell is described in
 * the panel beside it and announced. Self-contained (inlined by toString).
 */
import type { PageContext } from './context';

export function installMap(ctx: PageContext): void {
  const LABEL_W = 132;
  const CELL = 18;
  const HEAD_H = 92;
  const OVERVIEW_MAX_H = 400;
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const overview = byId<HTMLCanvasElement>('overview');
  const grid = byId<HTMLDivElement>('grid');
  const head = byId<HTMLCanvasElement>('grid-head');
  const scroller = byId<HTMLDivElement>('grid-scroll');
  const spacer = byId<HTMLDivElement>('grid-spacer');
  const canvas = byId<HTMLCanvasElement>('grid-canvas');
  const detail = byId<HTMLElement>('cell-detail');
  const announce = byId<HTMLElement>('cell-announce');
  let rowPosition = new Int32Array(0);
  ctx.geometry = { labelWidth: LABEL_W, cell: CELL };

  const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  const colours = ctx.model.legend.map((info) => rgb(info.colour));

  const sized = (c: HTMLCanvasElement, w: number, h: number) => {
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(w * ratio));
    c.height = Math.max(1, Math.round(h * ratio));
    c.style.width = w + 'px';
    c.style.height = h + 'px';
    const g = c.getContext('2d') as CanvasRenderingContext2D;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    return g;
  };

  /**
   * The whole aggregator: each pixel row stands for one or more rows. Where any of them is affected, the pixel takes
   * the most severe status's colour, stronger the larger its share (at least 40%, so one dark account among the 25 a
   * pixel holds at 10,000 rows still shows); otherwise the blend of SUCCEEDED and not collected.
   */
  const drawOverview = () => {
    const { report, width, status } = ctx.agg;
    const columns = ctx.view.columns;
    const rows = report.rows.length;
    const legend = ctx.model.legend;
    const quiet = legend.map((info) => info.status === 'SUCCEEDED' || info.status === 'NONE');
    const healthy = colours[legend.findIndex((info) => info.status === 'SUCCEEDED')] ?? [255, 255, 255];
    const cw = Math.max(2, Math.min(12, Math.floor(296 / Math.max(1, width))));
    const w = Math.max(1, width * cw);
    const h = Math.max(1, Math.min(OVERVIEW_MAX_H, rows * 6));
    overview.width = w;
    overview.height = h;
    overview.style.width = w + 'px';
    overview.style.height = h + 'px';
    const g = overview.getContext('2d') as CanvasRenderingContext2D;
    if (rows === 0 || width === 0) return g.clearRect(0, 0, w, h);
    const image = g.createImageData(w, h);
    const px = image.data;
    const mixed = [0, 0, 0];
    for (let y = 0; y < h; y++) {
      const from = Math.floor((y * rows) / h);
      const to = Math.max(from + 1, Math.floor(((y + 1) * rows) / h));
      const n = to - from;
      for (let c = 0; c < width; c++) {
        const column = columns[c] as number;
        let r = 0, gr = 0, b = 0, affected = 0, worst = legend.length;
        for (let row = from; row < to; row++) {
          const s = status[row * width + column] as number;
          const colour = colours[s] as [number, number, number];
          r += colour[0];
          gr += colour[1];
          b += colour[2];
          if (!quiet[s]) {
            affected++;
            if (s < worst) worst = s;
          }
        }
        mixed[0] = r / n;
        mixed[1] = gr / n;
        mixed[2] = b / n;
        if (affected > 0) {
          const strong = colours[worst] as [number, number, number];
          const k = 0.4 + (0.6 * affected) / n;
          for (let i = 0; i < 3; i++) mixed[i] = (1 - k) * healthy[i]! + k * strong[i]!;
        }
        for (let x = c * cw; x < (c + 1) * cw; x++) {
          const o = (y * w + x) * 4;
          px[o] = mixed[0]!;
          px[o + 1] = mixed[1]!;
          px[o + 2] = mixed[2]!;
          px[o + 3] = 255;
        }
      }
    }
    g.putImageData(image, 0, 0);
  };

  const drawSymbol = (g: CanvasRenderingContext2D, symbol: string, x: number, y: number, ink: string) => {
    const s = CELL;
    g.strokeStyle = ink;
    g.fillStyle = ink;
    g.lineWidth = 1.8;
    g.beginPath();
    if (symbol === 'cross') {
      g.moveTo(x + 5, y + 5); g.lineTo(x + s - 5, y + s - 5);
      g.moveTo(x + s - 5, y + 5); g.lineTo(x + 5, y + s - 5);
      g.stroke();
    } else if (symbol === 'triangle') {
      g.moveTo(x + s / 2, y + 4); g.lineTo(x + s - 4, y + s - 5); g.lineTo(x + 4, y + s - 5); g.closePath();
      g.stroke();
    } else if (symbol === 'clock') {
      g.arc(x + s / 2, y + s / 2, 5, 0, Math.PI * 2);
      g.moveTo(x + s / 2, y + s / 2); g.lineTo(x + s / 2, y + 6);
      g.moveTo(x + s / 2, y + s / 2); g.lineTo(x + s / 2 + 3, y + s / 2);
      g.stroke();
    } else if (symbol === 'question') {
      g.font = 'bold 12px sans-serif';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText('?', x + s / 2, y + s / 2 + 1);
    } else if (symbol === 'dash') {
      g.moveTo(x + 5, y + s / 2); g.lineTo(x + s - 5, y + s / 2);
      g.stroke();
    } else if (symbol === 'check') {
      g.moveTo(x + 5, y + s / 2); g.lineTo(x + 8, y + s - 6); g.lineTo(x + s - 5, y + 5);
      g.stroke();
    }
  };

  const drawHead = () => {
    const { report } = ctx.agg;
    const columns = ctx.view.columns;
    // Room on the right for the last names, which lean that way; no wider than the grid, scrolled with it.
    const w = Math.min(LABEL_W + columns.length * CELL + 64, scroller.clientWidth || Number.POSITIVE_INFINITY);
    const left = scroller.scrollLeft;
    const g = sized(head, w, HEAD_H);
    g.clearRect(0, 0, w, HEAD_H);
    g.fillStyle = '#222';
    g.font = '11px sans-serif';
    g.textBaseline = 'middle';
    g.fillText('source \\ region', 4, HEAD_H - 10);
    columns.forEach((column, c) => {
      const region = report.regions[column];
      if (!region) return;
      const x = LABEL_W + c * CELL - left;
      if (x < LABEL_W - CELL) return;
      // The share of affected sources in the region, as a bar under its name.
      const share = region.collected === 0 ? 0 : region.affected / region.collected;
      g.fillStyle = '#e0e0e0';
      g.fillRect(x + 2, HEAD_H - 8, CELL - 4, 6);
      g.fillStyle = '#d55e00';
      g.fillRect(x + 2, HEAD_H - 8, (CELL - 4) * share, 6);
      g.save();
      g.translate(x + CELL / 2 + 3, HEAD_H - 12);
      g.rotate(-Math.PI / 3);
      g.fillStyle = c === ctx.cursor.column ? '#000' : '#333';
      g.font = (c === ctx.cursor.column ? 'bold ' : '') + '11px sans-serif';
      g.fillText(region.region, 0, 0);
      g.restore();
    });
  };

  const drawGrid = () => {
    const { report, width, status } = ctx.agg;
    const { rows, columns, matches } = ctx.view;
    const w = LABEL_W + columns.length * CELL;
    const h = Math.max(CELL, scroller.clientHeight);
    spacer.style.height = rows.length * CELL + 'px';
    spacer.style.width = w + 'px';
    const g = sized(canvas, Math.min(w, scroller.clientWidth || w), h);
    g.clearRect(0, 0, w, h);
    const top = scroller.scrollTop;
    const left = scroller.scrollLeft;
    const first = Math.floor(top / CELL);
    const last = Math.min(rows.length - 1, Math.floor((top + h) / CELL));
    g.font = '12px monospace';
    g.textBaseline = 'middle';
    for (let p = first; p <= last; p++) {
      const row = rows[p] as number;
      const y = p * CELL - top;
      const stats = report.rows[row];
      if (!stats) continue;
      g.fillStyle = p === ctx.cursor.row ? '#000' : '#333';
      g.textAlign = 'left';
      g.fillText(stats.sourceId.slice(0, 16) + (stats.sourceType === 'ACCOUNT' ? '' : ' ' + stats.sourceType.slice(0, 3)), 4 - left, y + CELL / 2);
      for (let c = 0; c < columns.length; c++) {
        const cell = row * width + (columns[c] as number);
        const info = ctx.model.legend[status[cell] as number];
        if (!info) continue;
        const x = LABEL_W + c * CELL - left;
        g.globalAlpha = matches[cell] ? 1 : 0.15;
        g.fillStyle = info.colour;
        g.fillRect(x + 1, y + 1, CELL - 2, CELL - 2);
        if (matches[cell]) drawSymbol(g, info.symbol, x, y, info.ink);
        g.globalAlpha = 1;
      }
    }
    if (ctx.cursor.row >= first && ctx.cursor.row <= last && columns.length > 0) {
      const x = LABEL_W + ctx.cursor.column * CELL - left;
      const y = ctx.cursor.row * CELL - top;
      g.lineWidth = 3;
      g.strokeStyle = '#000';
      g.strokeRect(x, y, CELL, CELL);
      g.lineWidth = 1;
      g.strokeStyle = '#fff';
      g.strokeRect(x + 2, y + 2, CELL - 4, CELL - 4);
    }
    if (ctx.firstPaintMs === undefined) {
      ctx.firstPaintMs = performance.now();
      performance.mark('aggwatch-map-painted');
    }
  };

  const currentCell = () => {
    const row = ctx.view.rows[ctx.cursor.row];
    const column = ctx.view.columns[ctx.cursor.column];
    return row === undefined || column === undefined ? -1 : row * ctx.agg.width + column;
  };

  const hintOf = (code: string | undefined, condition: string, sourceType: string) => {
    const group = ctx.agg.report.errors.find((e) => (code ? e.code === code : e.code === '' && e.condition === condition));
    const scope = sourceType === 'ORGANIZATION' ? 'ORGANIZATION' : 'ACCOUNT';
    return group?.hints.find((h) => h.scope === scope)?.text;
  };

  const field = (dl: HTMLElement, name: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  };

  const describeCursor = () => {
    const cell = currentCell();
    if (cell < 0) {
      detail.replaceChildren();
      const p = document.createElement('p');
      p.textContent = 'No cell matches the filters.';
      detail.appendChild(p);
      announce.textContent = '';
      return;
    }
    const d = ctx.describe(cell);
    const title = document.createElement('h3');
    title.textContent = d.sourceType + ' ' + d.sourceId + ' in ' + d.region;
    const status = document.createElement('p');
    status.className = 'status-line';
    const label = document.createElement('strong');
    label.textContent = d.info.label;
    status.append(ctx.icon(d.info), label);
    if (d.rawStatus && d.rawStatus !== d.info.label) status.append(' (LastUpdateStatus ' + d.rawStatus + ')');
    const dl = document.createElement('dl');
    field(dl, 'Error code', d.errorCode);
    field(dl, 'Message', d.errorMessage);
    field(dl, d.info.status === 'REMOVED' ? 'Removed' : 'Since', d.since && ctx.formatTime(d.since));
    field(dl, 'Last update', d.lastUpdate && ctx.formatTime(d.lastUpdate));
    const hint = d.info.status === 'SUCCEEDED' || d.info.status === 'NONE' ? undefined : hintOf(d.errorCode, d.info.status === 'OTHER' ? d.rawStatus ?? '' : d.info.status, d.sourceType);
    field(dl, 'What to do', hint);
    const parts: Node[] = [title, status, dl];
    if (d.command) {
      const p = document.createElement('p');
      p.textContent = 'History of this cell:';
      const code = document.createElement('code');
      code.id = 'cell-command';
      code.textContent = d.command;
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.textContent = 'Copy command';
      copy.addEventListener('click', () => {
        const range = document.createRange();
        range.selectNodeContents(code);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
        if (navigator.clipboard) navigator.clipboard.writeText(d.command ?? '').catch(() => undefined);
      });
      parts.push(p, code, copy);
    }
    detail.replaceChildren(...parts);
    announce.textContent =
      d.sourceId + ', ' + d.region + ': ' + d.info.label + (d.errorCode ? ', ' + d.errorCode : '') +
      '. Row ' + (ctx.cursor.row + 1) + ' of ' + ctx.view.rows.length + ', column ' + (ctx.cursor.column + 1) + ' of ' + ctx.view.columns.length + '.';
  };

  ctx.drawMap = () => {
    rowPosition = new Int32Array(ctx.agg.report.rows.length).fill(-1);
    ctx.view.rows.forEach((row, p) => (rowPosition[row] = p));
    ctx.cursor.row = Math.max(0, Math.min(ctx.cursor.row, ctx.view.rows.length - 1));
    ctx.cursor.column = Math.max(0, Math.min(ctx.cursor.column, ctx.view.columns.length - 1));
    // The spacer first: the grid's width, which the header's follows, comes from it.
    spacer.style.height = ctx.view.rows.length * CELL + 'px';
    spacer.style.width = LABEL_W + ctx.view.columns.length * CELL + 'px';
    drawOverview();
    drawHead();
    drawGrid();
    describeCursor();
  };

  const moveTo = (row: number, column: number, focus: boolean) => {
    ctx.cursor.row = Math.max(0, Math.min(row, ctx.view.rows.length - 1));
    ctx.cursor.column = Math.max(0, Math.min(column, ctx.view.columns.length - 1));
    const y = ctx.cursor.row * CELL;
    if (y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + CELL > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = y + CELL - scroller.clientHeight;
    drawHead();
    drawGrid();
    describeCursor();
    if (focus) grid.focus();
  };

  ctx.showCell = (cell, focus) => {
    const width = ctx.agg.width;
    const row = rowPosition[Math.floor(cell / width)] ?? -1;
    const column = ctx.view.columns.indexOf(cell % width);
    if (row >= 0 && column >= 0) moveTo(row, column, focus);
  };

  grid.addEventListener('keydown', (event) => {
    const page = Math.max(1, Math.floor(scroller.clientHeight / CELL) - 1);
    const { row, column } = ctx.cursor;
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(row + 1, column, false),
      ArrowUp: () => moveTo(row - 1, column, false),
      ArrowRight: () => moveTo(row, column + 1, false),
      ArrowLeft: () => moveTo(row, column - 1, false),
      PageDown: () => moveTo(row + page, column, false),
      PageUp: () => moveTo(row - page, column, false),
      Home: () => (event.ctrlKey ? moveTo(0, 0, false) : moveTo(row, 0, false)),
      End: () => (event.ctrlKey ? moveTo(ctx.view.rows.length - 1, ctx.view.columns.length - 1, false) : moveTo(row, ctx.view.columns.length - 1, false)),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  let scrolledLeft = 0;
  scroller.addEventListener('scroll', () => {
    if (scroller.scrollLeft !== scrolledLeft) {
      scrolledLeft = scroller.scrollLeft;
      drawHead();
    }
    drawGrid();
  });
  scroller.addEventListener('click', (event) => {
    const box = scroller.getBoundingClientRect();
    const x = event.clientX - box.left + scroller.scrollLeft - LABEL_W;
    const y = event.clientY - box.top + scroller.scrollTop;
    if (x < 0) return moveTo(Math.floor(y / CELL), ctx.cursor.column, true);
    moveTo(Math.floor(y / CELL), Math.floor(x / CELL), true);
  });
  overview.addEventListener('click', (event) => {
    const box = overview.getBoundingClientRect();
    const rows = ctx.agg.report.rows.length;
    const original = Math.floor(((event.clientY - box.top) / box.height) * rows);
    const column = Math.floor(((event.clientX - box.left) / box.width) * ctx.view.columns.length);
    // The first shown row at or after the one clicked (rows hidden by the filters are skipped).
    let target = -1;
    for (let r = Math.max(0, original); r < rows && target < 0; r++) target = rowPosition[r] ?? -1;
    if (target >= 0) moveTo(target, column, true);
  });
  window.addEventListener('resize', () => drawGrid());
}
