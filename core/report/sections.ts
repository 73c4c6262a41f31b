/**
 * The parts of the report drawn without script, per aggregator: the counts and the trend, dark accounts and regions,
 * the timeline, the top error codes with what to do, the recent transitions. Also the status symbols (an SVG sprite)
 * that the legend, the list and these sections share.
 */
import type { AggregatorReport, ReportModel, StatusInfo } from './model';
import { escapeHtml as e, formatNumber, formatUtc, plural } from './text';
import { timelineSvg } from './timeline';

/** Lists longer than this are cut, with a count of the rest (the map and the list show them all). */
export const MAX_LISTED = 50;
export const MAX_ERROR_CODES = 20;

const SHAPES: Readonly<Record<StatusInfo['symbol'], (ink: string) => string>> = {
  cross: (ink) => `<path d="M4.5 4.5l7 7M11.5 4.5l-7 7" stroke="${ink}" stroke-width="2" fill="none"/>`,
  triangle: (ink) => `<path d="M8 3.5l4.5 8h-9z" stroke="${ink}" stroke-width="1.6" fill="none"/>`,
  clock: (ink) => `<circle cx="8" cy="8" r="4.5" stroke="${ink}" stroke-width="1.5" fill="none"/><path d="M8 8V5.2M8 8h2.4" stroke="${ink}" stroke-width="1.5"/>`,
  question: (ink) => `<text x="8" y="12" font-size="11" font-weight="bold" text-anchor="middle" fill="${ink}" font-family="sans-serif">?</text>`,
  dash: (ink) => `<path d="M4.5 8h7" stroke="${ink}" stroke-width="2"/>`,
  check: (ink) => `<path d="M4.5 8.5l2.5 2.5 4.5-6" stroke="${ink}" stroke-width="2" fill="none"/>`,
  empty: (ink) => `<circle cx="8" cy="8" r="1.2" fill="${ink}"/>`,
};

/** One <symbol> per status, `#st-<STATUS>`: a square in the status's colour with its shape. */
export function statusSprite(legend: readonly StatusInfo[]): string {
  const symbols = legend.map(
    (s) => `<symbol id="st-${s.status}" viewBox="0 0 16 16"><rect x="0.5" y="0.5" width="15" height="15" rx="3" fill="${s.colour}" stroke="#00000033"/>${SHAPES[s.symbol](s.ink)}</symbol>`,
  );
  return `<svg class="sprite" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">${symbols.join('')}</svg>`;
}

export function icon(s: StatusInfo): string {
  return `<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><use href="#st-${s.status}"/></svg>`;
}

const more = (shown: number, total: number, what: string) =>
  total > shown ? `<p>… and ${plural(total - shown, what)} more (see the map).</p>` : '';

function trendText(r: AggregatorReport): { text: string; className: string } {
  const t = r.trend;
  const moves = `${plural(t.entered, 'transition')} into FAILED or OUTDATED and ${plural(t.recovered, 'recovery', 'recoveries')} in the window.`;
  if (t.direction === 'unknown' || t.start === undefined || t.end === undefined) {
    return { text: `Trend unknown (fewer than two successful runs in the window). ${moves}`, className: '' };
  }
  const words = { worse: 'Getting worse', better: 'Getting better', unchanged: 'Unchanged' }[t.direction];
  return {
    text: `${words}: ${formatNumber(t.start)} sources FAILED or OUTDATED at the first run of the window, ${formatNumber(t.end)} at the last. ${moves}`,
    className: t.direction === 'unchanged' ? '' : `trend-${t.direction}`,
  };
}

/** Counts, trend, monitor error, dark accounts and regions: shown above the map. */
export function summarySection(model: ReportModel, r: AggregatorReport, index: number): string {
  const id = `agg-${index}`;
  const counts = model.legend
    .filter((s) => r.counts[s.status] > 0 || s.status === 'FAILED' || s.status === 'SUCCEEDED')
    .map((s) => `<li title="${e(s.description)}">${icon(s)}${e(s.label)}<strong>${formatNumber(r.counts[s.status])}</strong></li>`)
    .join('');
  const trend = trendText(r);
  const monitor = r.monitorError
    ? `<p class="banner" role="alert">The monitor has been failing for this aggregator since ${e(formatUtc(r.monitorError.since))} ` +
      `(${e(r.monitorError.code)}: ${e(r.monitorError.message)}): what follows may be out of date.</p>`
    : '';
  const sources = r.rows.length;
  const darkAccounts =
    r.darkAccounts.length === 0
      ? '<p>None: no source is FAILED in every region it is collected in.</p>'
      : `<ul>${r.darkAccounts
          .slice(0, MAX_LISTED)
          .map((a) => `<li><code>${e(a.sourceId)}</code> (${e(a.sourceType)}): FAILED in all ${a.regions} regions${a.errorCode ? `, mostly ${e(a.errorCode)}` : ''}</li>`)
          .join('')}</ul>${more(MAX_LISTED, r.darkAccounts.length, 'source')}`;
  const darkRegions =
    r.darkRegions.length === 0
      ? '<p>None: no region has every source FAILED.</p>'
      : `<ul>${r.darkRegions
          .slice(0, MAX_LISTED)
          .map((d) => `<li><code>${e(d.region)}</code>: all ${formatNumber(d.sources)} sources FAILED${d.errorCode ? `, mostly ${e(d.errorCode)}` : ''}</li>`)
          .join('')}</ul>${more(MAX_LISTED, r.darkRegions.length, 'region')}`;
  return [
    `<section class="aggregator" data-aggregator="${index}" aria-labelledby="${id}-title">`,
    `<h2 id="${id}-title">Aggregator ${e(r.name)}</h2>`,
    monitor,
    `<p class="meta">${plural(sources, 'source')} (accounts or organizations) in ${plural(r.regions.length, 'region')}; ` +
      `last full sweep ${e(formatUtc(r.lastFullSweepAt))}.</p>`,
    `<ul class="counts" aria-label="Sources by status">${counts}</ul>`,
    `<p class="trend ${trend.className}">${e(trend.text)}</p>`,
    `<h3>Dark across every region (${formatNumber(r.darkAccounts.length)})</h3>`,
    `<p class="meta">Typically the aggregation authorization is gone, or the account left the organization.</p>`,
    darkAccounts,
    `<h3>Dark across every source (${formatNumber(r.darkRegions.length)})</h3>`,
    `<p class="meta">Typically a region not enabled (opt-in) or a service control policy.</p>`,
    darkRegions,
    '</section>',
  ].join('\n');
}

/** Timeline, top error codes and recent transitions: shown below the list. */
export function historySection(model: ReportModel, r: AggregatorReport, index: number): string {
  const id = `agg-${index}`;
  const errors =
    r.errors.length === 0
      ? '<p>No source is FAILED, OUTDATED or STALE.</p>'
      : `<table><thead><tr><th scope="col">Error code</th><th scope="col">Status</th><th scope="col" class="num">Sources</th>` +
        `<th scope="col" class="num">Accounts</th><th scope="col" class="num">Regions</th><th scope="col">What to do</th><th scope="col"><span class="visually-hidden">Map</span></th></tr></thead><tbody>` +
        r.errors
          .slice(0, MAX_ERROR_CODES)
          .map((g) => {
            const hints =
              g.hints.length === 0
                ? `No remediation hint for this code; see each source's message.`
                : g.hints.length === 1 || g.hints.every((h) => h.text === g.hints[0]?.text)
                  ? e(g.hints[0]!.text)
                  : g.hints.map((h) => `${e(h.scope)} sources: ${e(h.text)}`).join('<br>');
            return (
              `<tr><th scope="row">${g.code === '' ? '(no error code)' : `<code>${e(g.code)}</code>`}</th><td>${e(g.condition)}</td>` +
              `<td class="num">${formatNumber(g.sources)}</td><td class="num">${formatNumber(g.accounts)}</td><td class="num">${formatNumber(g.regions)}</td>` +
              `<td>${hints}</td><td><button type="button" class="needs-script" data-filter-code="${e(g.code)}">Show on map</button></td></tr>`
            );
          })
          .join('') +
        `</tbody></table>${more(MAX_ERROR_CODES, r.errors.length, 'error code')}`;
  const transitions =
    r.transitions.length === 0
      ? '<p>No transition in the window.</p>'
      : `<table><thead><tr><th scope="col">At</th><th scope="col">Source</th><th scope="col">Type</th><th scope="col">Region</th>` +
        `<th scope="col">Event</th><th scope="col">Change</th><th scope="col">Error code</th></tr></thead><tbody>` +
        r.transitions
          .map(
            (t) =>
              `<tr><td>${e(formatUtc(t.at))}</td><th scope="row">${e(t.sourceId)}</th><td>${e(t.sourceType)}</td><td>${e(t.region)}</td>` +
              `<td>${e(t.event)}</td><td>${t.fromStatus && t.fromStatus !== t.toStatus ? `${e(t.fromStatus)} → ` : ''}${e(t.toStatus)}</td><td>${e(t.errorCode ?? '')}</td></tr>`,
          )
          .join('') +
        `</tbody></table>` +
        (r.transitionCount > r.transitions.length
          ? `<p>The newest ${formatNumber(r.transitions.length)} of ${plural(r.transitionCount, 'transition')}; ` +
            `<code>npx aggwatch failures --aggregator ${e(r.name)} --since &lt;window&gt;</code> lists them all.</p>`
          : '');
  return [
    `<section class="aggregator" data-aggregator="${index}" aria-labelledby="${id}-history">`,
    `<h2 id="${id}-history">History of ${e(r.name)}</h2>`,
    `<h3>FAILED and OUTDATED over the window</h3>`,
    timelineSvg(r, model.window, `${id}-timeline`),
    `<h3>Top error codes</h3>`,
    errors,
    `<h3>Recent transitions</h3>`,
    transitions,
    '</section>',
  ].join('\n');
}
