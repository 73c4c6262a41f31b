/**
 * The report as one self-contained HTML document: its stylesheet and script inline, the model embedded as JSON,
 * nothing loaded from anywhere. A Content-Security-Policy (default-src 'none', the script and style allowed by hash)
 * makes the browser refuse any request the page might try, so it opens offline, from a mail attachment or from S3
 * alike. Pure: model -> string.
 */
import { createHash } from 'node:crypto';
import { AFFECTED, type ReportModel } from './model';
import { installData } from './page/data';
import { installFilters } from './page/filters';
import { installList } from './page/list';
import { installMap } from './page/map';
import { startPage } from './page/main';
import { historySection, icon, statusSprite, summarySection } from './sections';
import { PAGE_STYLE } from './style';
import { escapeHtml as e, formatUtc, scriptJson } from './text';

/**
 * The page's script: each part is inlined from its own source with Function.prototype.toString, so it is written,
 * type-checked and linted as TypeScript yet ships as one inline script. `__name` is the helper that esbuild's
 * keepNames (used by tsx) inserts into function bodies; it is defined here as a no-op so the parts run wherever they
 * were transpiled.
 */
export const PAGE_SCRIPT = [
  '(function () {',
  "'use strict';",
  'var __name = function (target) { return target; };',
  'var ctx = {};',
  ...[installData, installFilters, installMap, installList, startPage].map((part) => `(${part.toString()})(ctx);`),
  '})();',
].join('\n');

for (const [name, text, end] of [['script', PAGE_SCRIPT, /<\/script|<!--/i], ['style', PAGE_STYLE, /<\/style/i]] as const) {
  // Neither is built from data, so this holds for every report; checked once so a change cannot break the page.
  if (end.test(text)) throw new Error(`the report page's ${name} contains a sequence that would end its element`);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing may be fetched: scripts and styles only as inlined here, images only as data: URIs (none today). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(PAGE_SCRIPT)}`,
  `style-src ${sha256(PAGE_STYLE)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function renderReportHtml(model: ReportModel): string {
  const names = model.aggregators.map((a) => a.name);
  const title = `AWS Config aggregator status: ${names.length > 0 ? names.join(', ') : 'no aggregator'}`;
  const chooser =
    names.length > 1
      ? `<label class="needs-script">Aggregator <select id="aggregator">${names.map((n, i) => `<option value="${i}">${e(n)}</option>`).join('')}</select></label>`
      : '';
  const statusBoxes = model.legend
    .map(
      (s) =>
        `<label title="${e(s.description)}"><input type="checkbox" name="status" value="${e(s.code)}"${AFFECTED.includes(s.status) ? ' checked' : ''}>${icon(s)}${e(s.label)}</label>`,
    )
    .join('');
  const legend = model.legend.map((s) => `<li>${icon(s)}<strong>${e(s.label)}</strong>: ${e(s.description)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="config-aggregator-watch">
<title>${e(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${statusSprite(model.legend)}
<a class="skip" href="#list-section">Skip to the list of affected cells</a>
<header>
<h1>${e(title)}</h1>
<p class="meta">Generated ${e(formatUtc(model.generatedAt))} from ${model.tableName ? `table <code>${e(model.tableName)}</code>` : 'the monitor\'s table'}. Current status as last recorded; history from ${e(formatUtc(model.window.from))} to ${e(formatUtc(model.window.to))}.</p>
${chooser}
</header>
<main>
${model.aggregators.length === 0 ? '<p>The table has no aggregator yet: the monitor has not run against it.</p>' : ''}
${model.aggregators.map((a, i) => summarySection(model, a, i)).join('\n')}
<section id="map-section" aria-labelledby="map-title" class="needs-script">
<h2 id="map-title">Map: sources by region</h2>
<p class="meta">Rows are sources (accounts, or organizations), columns regions. A row dark across every column: the source's authorization is gone. A column dark across every row: the region is not enabled, or a policy denies it.</p>
<form id="filters" aria-label="Filters">
<fieldset><legend>Status</legend>${statusBoxes}</fieldset>
<label class="stacked">Error code <select id="f-code"><option value="-2">any</option></select></label>
<label class="stacked">Region <select id="f-region"><option value="-1">all regions</option></select></label>
<label class="stacked">Search <input id="f-search" type="search" placeholder="account id, region, error code or message" autocomplete="off"></label>
<label class="stacked">Rows <select id="f-rows"><option value="affected">most affected first</option><option value="id">by source id</option></select></label>
<label class="stacked">Columns <select id="f-columns"><option value="name">by region name</option><option value="affected">most affected first</option></select></label>
<label><input type="checkbox" id="f-all-rows"> also rows with no matching cell</label>
<button type="button" id="f-reset">Reset filters</button>
</form>
<p id="map-summary" role="status"></p>
<details><summary>Legend</summary><ul class="legend">${legend}</ul></details>
<div class="map-layout">
<figure class="overview"><canvas id="overview" aria-hidden="true"></canvas><figcaption>Every source and region at once, most affected first (rows blended when there are more than the picture's height). Click to jump.</figcaption></figure>
<div id="grid" class="grid" tabindex="0" role="application" aria-roledescription="status map" aria-label="Status map" aria-describedby="grid-help">
<canvas id="grid-head" aria-hidden="true"></canvas>
<div class="grid-body"><div id="grid-scroll"><div id="grid-spacer"></div></div><canvas id="grid-canvas" aria-hidden="true"></canvas></div>
</div>
<aside id="cell-detail" aria-label="Selected cell"></aside>
</div>
<p id="grid-help" class="meta">Keyboard: focus the map, then arrow keys move between cells, Page Up and Page Down by a screen, Home and End to the first and last region, Ctrl+Home and Ctrl+End to the first and last cell. The selected cell is described beside the map, with the command that prints its history.</p>
<p id="cell-announce" class="visually-hidden" aria-live="polite"></p>
</section>
<section id="list-section" aria-labelledby="list-title" class="needs-script">
<h2 id="list-title">Matching cells</h2>
<p id="list-summary" role="status"></p>
<table id="list"><thead><tr><th scope="col">Source</th><th scope="col">Type</th><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Error code</th><th scope="col">Message</th><th scope="col">Since</th></tr></thead><tbody id="list-body"></tbody></table>
<p class="pager"><button type="button" id="list-prev">Previous page</button><button type="button" id="list-next">Next page</button><span class="meta">In the table: arrow keys move between rows, Page Up and Page Down between pages, Enter shows the cell on the map.</span></p>
</section>
<p class="no-script">The map and the list of cells need JavaScript; the counts, error codes and transitions are here without it.</p>
${model.aggregators.map((a, i) => historySection(model, a, i)).join('\n')}
</main>
<script type="application/json" id="report-data">${scriptJson(model)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
