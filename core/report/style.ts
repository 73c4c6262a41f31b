/** The report page's stylesheet, inlined (the page loads nothing). */
export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #555; --line: #d0d0d0; --focus: #0057d8; --bg-soft: #f5f6f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--fg); background: #fff; }
header, main { padding: 0 24px; max-width: 1400px; margin: 0 auto; }
header { padding-top: 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0 0 12px; }
a { color: var(--focus); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px 10px; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.sprite { position: absolute; width: 0; height: 0; overflow: hidden; }
.icon { width: 16px; height: 16px; vertical-align: -3px; margin-right: 4px; flex: none; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 8px 0; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: var(--bg-soft); }
.counts strong { font-size: 16px; margin-left: 6px; }
.banner { border: 2px solid #d55e00; background: #fff3ec; padding: 8px 12px; border-radius: 6px; }
.trend { font-weight: 600; }
.trend-worse { color: #a33c00; }
.trend-better { color: #006b4f; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--bg-soft); }
#list thead th { position: sticky; top: 0; }
th code { overflow-wrap: normal; }
button { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.message { max-width: 420px; overflow-wrap: anywhere; color: var(--muted); }
tbody tr:focus { outline: 3px solid var(--focus); outline-offset: -3px; background: #eef4ff; }
code { font: 12px/1.4 "DejaVu Sans Mono", ui-monospace, monospace; background: var(--bg-soft); padding: 2px 4px; border-radius: 3px; overflow-wrap: anywhere; }
form#filters { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: flex-end; background: var(--bg-soft); padding: 10px 12px; border-radius: 6px; }
fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
legend { font-weight: 600; padding: 0; margin-bottom: 2px; }
label { display: inline-flex; align-items: center; gap: 4px; }
label.stacked { flex-direction: column; align-items: flex-start; gap: 2px; }
select, input[type=search], button { font: inherit; padding: 3px 6px; }
input[type=search] { width: 260px; }
.map-layout { display: grid; grid-template-columns: auto fit-content(880px) minmax(260px, 1fr); gap: 16px; align-items: start; margin-top: 10px; }
.overview figcaption { font-size: 12px; color: var(--muted); max-width: 300px; }
.overview canvas { image-rendering: pixelated; border: 1px solid var(--line); cursor: crosshair; display: block; }
.grid { border: 1px solid var(--line); border-radius: 4px; min-width: 0; max-width: 100%; justify-self: start; }
.grid:focus-visible { outline: 3px solid var(--focus); }
#grid-head { display: block; }
.grid-body { position: relative; }
#grid-scroll { height: 440px; overflow: auto; cursor: pointer; }
#grid-canvas { position: absolute; top: 0; left: 0; pointer-events: none; }
#cell-detail { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-height: 120px; }
#cell-detail h3 { margin-top: 4px; }
#cell-detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 6px 0; }
#cell-detail dt { font-weight: 600; }
#cell-detail dd { margin: 0; overflow-wrap: anywhere; }
#cell-detail code { display: block; margin: 4px 0; }
.status-line { display: flex; align-items: center; gap: 2px; }
.pager { display: flex; gap: 8px; align-items: center; }
.timeline svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
.needs-script { display: none; }
html.scripted .needs-script { display: block; }
html.scripted .no-script { display: none; }
@media (max-width: 1100px) { .map-layout { grid-template-columns: 1fr; } }
@media print { form#filters, .pager, #grid-scroll { display: none; } }
`;
