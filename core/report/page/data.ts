/**
 * Page part: reads the embedded model and decodes the selected aggregator's map into typed arrays.
 * Self-contained (inlined by toString): no imports but types, no references outside the function.
 */
import type { AggregatorView, CellDescription, PageContext } from './context';

export function installData(ctx: PageContext): void {
  const source = document.getElementById('report-data');
  if (!source) throw new Error('report data missing');
  ctx.model = JSON.parse(source.textContent || '{}');
  const legend = ctx.model.legend;
  const statusIndex: Record<string, number> = {};
  legend.forEach((info, i) => (statusIndex[info.code] = i));

  ctx.select = (index) => {
    const report = ctx.model.aggregators[index];
    if (!report) throw new Error('no aggregator ' + index);
    const width = report.regions.length;
    const status = new Uint8Array(report.cells.length);
    for (let i = 0; i < report.cells.length; i++) status[i] = statusIndex[report.cells[i] as string] ?? 0;
    const issueAt = new Int32Array(report.cells.length).fill(-1);
    report.issues.forEach((issue, i) => (issueAt[issue[0]] = i));
    const view: AggregatorView = { index, report, width, status, issueAt, ids: report.rows.map((r) => r.sourceId.toLowerCase()) };
    ctx.agg = view;
  };

  const pad = (n: number) => (n < 10 ? '0' : '') + n;
  ctx.formatTime = (iso) => {
    if (!iso) return 'unknown';
    const d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
  };
  ctx.formatNumber = (n) => n.toLocaleString('en-US');

  const fromMinutes = (m: number) => (m < 0 ? undefined : new Date(m * 60_000).toISOString());
  const text = (i: number) => (i < 0 ? undefined : ctx.agg.report.strings[i]);
  // The same quoting as the digest's commands: plain words as they are, anything else in single quotes.
  const quote = (s: string) => (/^[\w.:@/-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'");

  ctx.describe = (cell) => {
    const { report, width } = ctx.agg;
    const row = report.rows[Math.floor(cell / width)];
    const region = report.regions[cell % width];
    const info = legend[ctx.agg.status[cell] ?? 0];
    if (!row || !region || !info) throw new Error('no cell ' + cell);
    const issue = report.issues[ctx.agg.issueAt[cell] ?? -1];
    const described: { -readonly [K in keyof CellDescription]: CellDescription[K] } = {
      cell,
      sourceId: row.sourceId,
      sourceType: row.sourceType,
      region: region.region,
      info,
    };
    if (info.status === 'SUCCEEDED') described.rawStatus = 'SUCCEEDED';
    if (issue) {
      const [, status, code, message, since, lastUpdate] = issue;
      described.rawStatus = text(status);
      described.errorCode = text(code);
      described.errorMessage = text(message);
      described.since = fromMinutes(since);
      described.lastUpdate = fromMinutes(lastUpdate);
    }
    if (info.status !== 'NONE') {
      const words = ['npx', 'aggwatch', 'history', '--aggregator', report.name, '--source', row.sourceId, '--source-region', region.region];
      if (row.sourceType !== 'ACCOUNT') words.push('--type', row.sourceType);
      if (ctx.model.tableName) words.push('--table', ctx.model.tableName);
      described.command = words.map(quote).join(' ');
    }
    return described;
  };

  const SVG = 'http://www.w3.org/2000/svg';
  ctx.icon = (info) => {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('aria-hidden', 'true');
    const use = document.createElementNS(SVG, 'use');
    use.setAttribute('href', '#st-' + info.status);
    svg.appendChild(use);
    return svg;
  };
}
