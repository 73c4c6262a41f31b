/**
 * `npm run bench:report`: the HTML status report at the scale, 10,000 accounts x 37 regions = 370,000 sources.
 * (Not to be confused with tools/bench/report.ts, which writes the monitor's BENCHMARKS.md.)
 *
 * Generates the states of a seeded organization (dark accounts, an opt-in region failing for some accounts, scattered
 * failures, OUTDATED and STALE sources), a month of run summaries every 15 minutes and the transitions behind the
 * failures; builds the model and renders the page in Node.js (timed); then opens the file in headless Chromium
 * (fresh profile each time) and reads the page's own performance mark for the first paint of the map, plus the time
 * one filter change takes to recompute and redraw. Prints the results; writes nothing into the repository.
 *
 *   npm run bench:report -- [--accounts 10000] [--regions 37] [--repeats 3] [--keep report.html] [--outage]
 *
 * --outage: the worst case for the file, every source FAILED (each cell then carries its details).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { HistoryEntry, RunSummary, SourceState } from '../../core/model';
import { buildReportModel, renderReportHtml } from '../../core/report';
import { launchChromium } from '../browser/chromium';
import { mulberry32 } from '../local/simulated-organization';
import { median } from './measure';

const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    regions: { type: 'string', default: '37' },
    repeats: { type: 'string', default: '3' },
    keep: { type: 'string' },
    outage: { type: 'boolean', default: false },
  },
});
const whole = (name: string, value: string | undefined, min: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: "${value}" is not a whole number of at least ${min}`);
  return n;
};
const accounts = whole('accounts', args.accounts, 1);
const regionCount = whole('regions', args.regions, 1);
const repeats = whole('repeats', args.repeats, 1);

/** Region names only label the columns: the commercial regions, then synthetic names past them. */
const NAMES = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1',
  'me-central-1', 'mx-central-1', 'sa-east-1',
];
const regions = Array.from({ length: regionCount }, (_, i) => NAMES[i] ?? `synthetic-${i + 1}`);
const NOW = '2026-11-24T15:00:00.000Z';
const WINDOW = { from: '2026-10-25T15:00:00.000Z', to: NOW };
const log = (line: string) => process.stderr.write(`[bench:report] ${line}\n`);

function organization(): { states: SourceState[]; transitions: HistoryEntry[]; runs: RunSummary[] } {
  const random = mulberry32(17);
  const states: SourceState[] = [];
  const transitions: HistoryEntry[] = [];
  const optIn = new Set(['ap-east-1', 'me-south-1', 'af-south-1', 'il-central-1']);
  for (let a = 0; a < accounts; a++) {
    const sourceId = String(100_000_000_000 + a);
    const unauthorized = a % 300 === 7;
    const optedOut = a % 60 === 11;
    for (const region of regions) {
      const base = { aggregator: 'org', sourceId, sourceType: 'ACCOUNT', region, firstSeenAt: '2026-01-01T00:00:00.000Z', lastUpdateTime: '2026-11-24T14:00:00.000Z' };
      const since = new Date(Date.parse(WINDOW.from) + random() * 30 * 86_400_000).toISOString();
      const roll = random();
      let s: SourceState;
      if (args.outage) s = { ...base, status: 'FAILED', since, errorCode: 'AccessDeniedException', errorMessage: `Not authorized in ${region}` };
      else if (unauthorized) s = { ...base, status: 'FAILED', since, errorCode: 'AccessDeniedException', errorMessage: 'The aggregator account is not authorized to aggregate data from this source' };
      else if (optedOut && optIn.has(region)) s = { ...base, status: 'FAILED', since, errorCode: 'RegionNotEnabledException', errorMessage: `The region ${region} is not enabled for this account` };
      else if (roll < 1 / 1_250) s = { ...base, status: 'FAILED', since, errorCode: 'NoAvailableConfigurationRecorderException', errorMessage: 'No configuration recorder is available' };
      else if (roll < 1 / 1_250 + 1 / 200) s = { ...base, status: 'OUTDATED', since };
      else if (roll < 1 / 1_250 + 1 / 200 + 1 / 2_000) s = { ...base, status: 'SUCCEEDED', stale: true, since: '2026-11-01T00:00:00.000Z', lastUpdateTime: '2026-11-20T00:00:00.000Z' };
      else s = { ...base, status: 'SUCCEEDED', since: '2026-01-01T00:00:00.000Z' };
      states.push(s);
      if (s.status !== 'SUCCEEDED') {
        transitions.push({ aggregator: 'org', sourceId, sourceType: 'ACCOUNT', region, at: s.since, event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: s.status, ...(s.errorCode ? { errorCode: s.errorCode } : {}) });
      }
    }
  }
  const failing = states.filter((s) => s.status === 'FAILED').length;
  const runs: RunSummary[] = Array.from({ length: 30 * 96 }, (_, k) => ({
    aggregator: 'org',
    runAt: new Date(Date.parse(WINDOW.from) + (k + 1) * 15 * 60_000).toISOString(),
    mode: k % 24 === 0 ? 'full' : 'fast',
    outcome: 'ok',
    counts: { FAILED: Math.round(failing * (0.6 + (0.4 * k) / 2_879)), OUTDATED: 1_800 + (k % 50), SUCCEEDED: states.length - failing },
    configCalls: 4,
    pagesRead: 4,
    sourcesRead: 400,
    historyWritten: 0,
    stateWritten: 0,
    noticesPublished: 0,
    durationMs: 3_000,
  }));
  return { states, transitions, runs };
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

log(`generating ${accounts.toLocaleString('en-US')} accounts x ${regionCount} regions`);
const org = organization();
let t = performance.now();
const model = buildReportModel({ generatedAt: NOW, window: WINDOW, tableName: 'config-aggregator-watch', aggregators: [{ name: 'org', meta: { aggregator: 'org', lastFullSweepAt: NOW }, ...org }] });
const buildMs = performance.now() - t;
t = performance.now();
const html = renderReportHtml(model);
const renderMs = performance.now() - t;
const bytes = Buffer.byteLength(html);
const gzipped = gzipSync(html).length;

const work = mkdtempSync(join(tmpdir(), 'aggwatch-bench-report-'));
const file = args.keep ? resolve(args.keep) : join(work, 'report.html');
writeFileSync(file, html);
const paints: number[] = [];
const loads: number[] = [];
const filters: number[] = [];
const heaps: number[] = [];
const problems: string[] = [];
try {
  for (let i = 0; i < repeats; i++) {
    const browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(300_000);
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForFunction(() => performance.getEntriesByName('aggwatch-map-painted').length > 0);
      const measured = await page.evaluate(() => {
        const [paint] = performance.getEntriesByName('aggwatch-map-painted');
        const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        const box = document.querySelector<HTMLInputElement>('input[name=status][value="S"]')!;
        const started = performance.now();
        box.click(); // SUCCEEDED on: every one of the 370,000 cells matches, the list holds them all
        const filterMs = performance.now() - started;
        const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
        return { paintMs: paint!.startTime, loadMs: navigation!.loadEventEnd, filterMs, heap: memory?.usedJSHeapSize ?? 0 };
      });
      paints.push(measured.paintMs);
      loads.push(measured.loadMs);
      filters.push(measured.filterMs);
      heaps.push(measured.heap);
      log(`run ${i + 1}/${repeats}: first map paint ${ms(measured.paintMs)}, load ${ms(measured.loadMs)}, filter change ${ms(measured.filterMs)}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}

const report = model.aggregators[0]!;
const lines = [
  `Report of ${report.rows.length.toLocaleString('en-US')} accounts x ${report.regions.length} regions = ${org.states.length.toLocaleString('en-US')} sources ` +
    `(${report.issues.length.toLocaleString('en-US')} not SUCCEEDED, ${org.runs.length.toLocaleString('en-US')} runs, ${org.transitions.length.toLocaleString('en-US')} transitions)`,
  `  model (Node.js):              ${ms(buildMs)}`,
  `  HTML (Node.js):               ${ms(renderMs)}`,
  `  file size:                    ${mb(bytes)} (${mb(gzipped)} gzipped)`,
  `  Chromium, first map paint:    median ${ms(median(paints))} of ${paints.map(ms).join(', ')} (from navigation start)`,
  `  Chromium, load event:         median ${ms(median(loads))}`,
  `  Chromium, one filter change:  median ${ms(median(filters))} (every cell matching: recompute, redraw, list)`,
  `  Chromium, JS heap after:      ${heaps.some((h) => h > 0) ? mb(median(heaps)) : 'not reported'}`,
  `  page errors:                  ${problems.length === 0 ? 'none' : problems.join(' | ')}`,
  ...(args.keep ? [`  kept: ${file}`] : []),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (problems.length > 0) process.exitCode = 1;
