/**
 * The timeline of FAILED and OUTDATED counts over the history window, as an inline SVG (drawn without script, so it
 * shows where the page's script does not run, such as a mail client's preview). FAILED is a solid line, OUTDATED a
 * dashed one: the lines differ by more than their colour. Runs that could not read the aggregator are ticks.
 */
import type { AggregatorReport } from './model';
import { escapeHtml, formatUtc } from './text';

const W = 720;
const H = 180;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 } as const;

export function timelineSvg(report: AggregatorReport, window: { from: string; to: string }, id: string): string {
  const points = report.timeline;
  // From the first run when the monitor started within the window: a week of runs is not squeezed into a month.
  const from = Math.max(Date.parse(window.from), points.length > 0 ? Date.parse(points[0]!.at) : Number.NEGATIVE_INFINITY);
  const fromLabel = new Date(from).toISOString();
  const to = Math.max(from + 1, Date.parse(window.to));
  const measured = points.filter((p) => p.failed !== undefined);
  const top = Math.max(1, ...measured.map((p) => Math.max(p.failed ?? 0, p.outdated ?? 0)));
  const x = (iso: string) => PAD.left + ((Date.parse(iso) - from) / (to - from)) * (W - PAD.left - PAD.right);
  const y = (n: number) => H - PAD.bottom - (n / top) * (H - PAD.top - PAD.bottom);
  const line = (pick: (p: (typeof points)[number]) => number | undefined) =>
    measured.map((p) => `${x(p.at).toFixed(1)},${y(pick(p) ?? 0).toFixed(1)}`).join(' ');
  const errors = points
    .filter((p) => p.errors > 0)
    .map((p) => `<line x1="${x(p.at).toFixed(1)}" x2="${x(p.at).toFixed(1)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 6}" stroke="#555" stroke-width="2"/>`)
    .join('');
  const summary = timelineSummary(report);
  const grid = [0, 0.5, 1]
    .map((f) => {
      const value = Math.round(top * f);
      return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e3e3e3"/>` +
        `<text x="${PAD.left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#444">${value}</text>`;
    })
    .join('');
  return [
    `<figure class="timeline"><svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${id}-title">FAILED and OUTDATED sources of ${escapeHtml(report.name)} over the window</title>`,
    `<desc id="${id}-desc">${escapeHtml(summary)}</desc>`,
    grid,
    measured.length > 0 ? `<polyline fill="none" stroke="#e69f00" stroke-width="2" stroke-dasharray="6 4" points="${line((p) => p.outdated)}"/>` : '',
    measured.length > 0 ? `<polyline fill="none" stroke="#d55e00" stroke-width="2.5" points="${line((p) => p.failed)}"/>` : '',
    errors,
    `<text x="${PAD.left}" y="${H - 6}" font-size="11" fill="#444">${escapeHtml(formatUtc(fromLabel))}</text>`,
    `<text x="${W - PAD.right}" y="${H - 6}" font-size="11" fill="#444" text-anchor="end">${escapeHtml(formatUtc(window.to))}</text>`,
    '</svg>',
    `<figcaption><svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><line x1="0" x2="16" y1="8" y2="8" stroke="#d55e00" stroke-width="3"/></svg>FAILED (solid) ` +
      `<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><line x1="0" x2="16" y1="8" y2="8" stroke="#e69f00" stroke-width="3" stroke-dasharray="5 3"/></svg>OUTDATED (dashed) ` +
      `<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><line x1="8" x2="8" y1="4" y2="14" stroke="#555" stroke-width="2"/></svg>a run that failed. ${escapeHtml(summary)}</figcaption>`,
    '</figure>',
  ].join('');
}

/** The timeline in one sentence: what it starts and ends at, and its peak. */
export function timelineSummary(report: AggregatorReport): string {
  const measured = report.timeline.filter((p) => p.failed !== undefined);
  const runs = report.timeline.reduce((n, p) => n + p.runs, 0);
  const errors = report.timeline.reduce((n, p) => n + p.errors, 0);
  if (measured.length === 0) return runs === 0 ? 'No run in the window.' : `${runs} runs in the window, none of which could read the aggregator.`;
  const first = measured[0]!;
  const last = measured.at(-1)!;
  const peak = measured.reduce((best, p) => ((p.failed ?? 0) > (best.failed ?? 0) ? p : best), first);
  return (
    `${runs} runs: FAILED ${first.failed} and OUTDATED ${first.outdated} at ${formatUtc(first.at)}, ` +
    `FAILED ${last.failed} and OUTDATED ${last.outdated} at ${formatUtc(last.at)}; at most ${peak.failed} FAILED (${formatUtc(peak.at)})` +
    (errors > 0 ? `; ${errors} runs could not read the aggregator.` : '.')
  );
}
