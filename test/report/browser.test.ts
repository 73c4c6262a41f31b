/**
 * The report in a real browser (Debian's headless Chromium, driven by playwright-core): `aggwatch report` writes the
 * report of a known table (dynalite), the page is opened from the file, and it must load without a console error or
 * any request but the file itself, show the table's failing cells (read through the page's own API, the accessible
 * list and the canvas's pixels), change what it shows with the filters and the search, and work from the keyboard.
 * A screenshot goes to docs/report.png. No timing is asserted (the benchmark measures it: npm run bench:report).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_INFO } from '../../core/report';
import { launchChromium, type Browser } from '../../tools/browser/chromium';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { cli } from '../cli/support';
import { ACCOUNTS, DARK_ACCOUNTS, DARK_REGION, LAB_STATES, NOT_COLLECTED, ORG_STATES, REGIONS, seedReportTable } from './support';

const TABLE = 'report-browser';
const SCREENSHOT = join(import.meta.dirname, '../../docs/report.png');

interface Cell {
  sourceId: string;
  sourceType: string;
  region: string;
  status: string;
  errorCode?: string;
}
interface PageApi {
  aggregator(): string;
  shownRows(): string[];
  shownColumns(): string[];
  matchingCells(limit?: number): Cell[];
  cursor(): { sourceId: string; region: string; info: { status: string }; command?: string } | undefined;
  geometry(): { labelWidth: number; cell: number };
}
declare global {
  interface Window {
    aggwatchReport: PageApi;
  }
}

let local: LocalDynamoDB;
let browser: Browser;
let page: Page;
let dir: string;
let fileUrl: string;
const problems: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  // First, so that a missing Chromium fails the suite at once with its own message.
  browser = await launchChromium({ viewport: { width: 1200, height: 1300 }, deviceScaleFactor: 1 });
  local = await startLocalDynamoDB();
  await seedReportTable(local, TABLE);
  dir = mkdtempSync(join(tmpdir(), 'aggwatch-report-browser-'));
  const file = join(dir, 'report.html');
  const r = await cli(['--table', TABLE, 'report', '--out', file], { clients: { dynamodb: local.documentClient } });
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  fileUrl = pathToFileURL(file).href;

  page = await browser.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (request) => requests.push(request.url()));
  // Nothing may leave the page: every request but the file's own is refused (and all are recorded above).
  await page.route('**/*', (route) => (route.request().url() === fileUrl ? route.continue() : route.abort('blockedbyclient')));
  await page.goto(fileUrl);
  await page.waitForFunction(() => window.aggwatchReport !== undefined);
});

afterAll(async () => {
  await browser?.close();
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Calls `fn` with the page's API, in the page (its source is sent, so it must not close over anything). */
const api = <T>(fn: (report: PageApi) => T): Promise<T> => page.evaluate(`(${fn.toString()})(window.aggwatchReport)`) as Promise<T>;
const matching = () => page.evaluate(() => window.aggwatchReport.matchingCells());
const key = (c: Pick<Cell, 'sourceId' | 'region'>) => `${c.sourceId} ${c.region}`;
const listRows = () => page.locator('#list-body tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent?.trim())));

async function setStatuses(...labels: string[]): Promise<void> {
  for (const info of STATUS_INFO) {
    await page.getByRole('checkbox', { name: info.label, exact: true }).setChecked(labels.includes(info.label));
  }
}

/**
 * Canvas pixels of cells of the grid (row and column as displayed), read at once (repeated readbacks make Chromium
 * warn): near each cell's bottom-left corner, inside the fill and clear of the symbol and of the cursor's outline.
 */
async function pixels(cells: readonly (readonly [row: number, column: number])[]): Promise<number[][]> {
  return page.evaluate((cells) => {
    const { labelWidth, cell } = window.aggwatchReport.geometry();
    const canvas = document.getElementById('grid-canvas') as HTMLCanvasElement;
    const top = (document.getElementById('grid-scroll') as HTMLElement).scrollTop;
    const scale = canvas.width / canvas.clientWidth;
    const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return cells.map(([row, column]) => {
      const x = Math.round((labelWidth + column * cell + 3) * scale);
      const y = Math.round((row * cell + 14 - top) * scale);
      const o = (y * image.width + x) * 4;
      return Array.from(image.data.subarray(o, o + 4));
    });
  }, cells);
}

/** The share of pixels that differ between two PNGs (1 when their sizes differ), decoded by the browser. */
async function differingPixels(a: Buffer, b: Buffer): Promise<number> {
  const blank = await browser.context.newPage();
  try {
    return await blank.evaluate(async ([a, b]) => {
      const decode = async (base64: string) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = new OffscreenCanvas(image.width, image.height);
        const g = canvas.getContext('2d')!;
        g.drawImage(image, 0, 0);
        return g.getImageData(0, 0, image.width, image.height);
      };
      const [x, y] = [await decode(a!), await decode(b!)];
      if (x.width !== y.width || x.height !== y.height) return 1;
      let differing = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) differing++;
      }
      return differing / (x.width * x.height);
    }, [a.toString('base64'), b.toString('base64')]);
  } finally {
    await blank.close();
  }
}

const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

describe('the report in Chromium', () => {
  it('loads with no console error and no request but the file itself', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  it('maps the table: every source and region, most affected first, the failing cells drawn in their colour', async () => {
    // Aggregators by name: empty is shown first.
    expect(await api((r) => r.aggregator())).toBe('empty');
    await page.selectOption('#aggregator', { label: 'org' });
    expect(await api((r) => r.aggregator())).toBe('org');
    expect(await api((r) => r.shownColumns())).toEqual([...REGIONS]);
    // Default filters: every affected status; every account has a FAILED cell in the dark region.
    const rows = await api((r) => r.shownRows());
    expect(rows).toHaveLength(ACCOUNTS);
    expect(rows.slice(0, 2)).toEqual(DARK_ACCOUNTS);

    await setStatuses('FAILED');
    const failed = ORG_STATES.filter((s) => s.status === 'FAILED' && s.removedAt === undefined);
    const shown = await matching();
    expect(shown.map(key).sort()).toEqual(failed.map(key).sort());
    expect(shown.every((c) => c.status === 'FAILED')).toBe(true);
    expect(await page.locator('#list-summary').textContent()).toMatch(new RegExp(`^${failed.length} matching cells; showing 1 to 50 \\(page 1 of ${Math.ceil(failed.length / 50)}\\)\\.$`));
    // The list shows the first dark account's cells first, with the error code.
    expect((await listRows())[0]).toEqual([DARK_ACCOUNTS[0], 'ACCOUNT', REGIONS[0], 'FAILED', 'AccessDeniedException', 'Aggregation authorization is missing', '2026-11-24 12:00 UTC']);
    // On the canvas: a dark account's cells in FAILED's colour; a SUCCEEDED cell (not matching) faded.
    const failedColour = hex(STATUS_INFO.find((s) => s.status === 'FAILED')!.colour);
    // The third row is in view: one of its SUCCEEDED cells.
    const healthy = ORG_STATES.find((s) => s.sourceId === rows[2] && s.status === 'SUCCEEDED' && !s.stale)!;
    const [faded, ...dark] = await pixels([[2, REGIONS.indexOf(healthy.region as (typeof REGIONS)[number])], ...REGIONS.map((_, c) => [0, c] as const)]);
    for (const p of dark) expect(p).toEqual([...failedColour, 255]);
    expect(faded![3]).toBeLessThan(80);
  });

  it('narrows what it shows by error code, region and search, and resets', async () => {
    await page.getByRole('button', { name: 'Reset filters' }).click();
    const all = (await matching()).length;
    const affected = ORG_STATES.filter((s) => s.status !== 'SUCCEEDED' || s.stale || s.removedAt).length;
    expect(all).toBe(affected);

    await page.selectOption('#f-code', { label: 'NoAvailableConfigurationRecorderException (' + ORG_STATES.filter((s) => s.errorCode === 'NoAvailableConfigurationRecorderException').length + ')' });
    const recorder = await matching();
    expect(recorder.length).toBeGreaterThan(0);
    expect(recorder.every((c) => c.errorCode === 'NoAvailableConfigurationRecorderException')).toBe(true);
    expect(await api((r) => r.shownRows().length)).toBe(new Set(recorder.map((c) => c.sourceId)).size);
    await page.selectOption('#f-code', '-2');

    await page.selectOption('#f-region', String(REGIONS.indexOf(DARK_REGION)));
    const dark = await matching();
    expect(dark).toHaveLength(ACCOUNTS);
    expect(new Set(dark.map((c) => c.region))).toEqual(new Set([DARK_REGION]));
    await page.selectOption('#f-region', '-1');

    await page.fill('#f-search', DARK_ACCOUNTS[1]!);
    await expect.poll(() => api((r) => r.shownRows())).toEqual([DARK_ACCOUNTS[1]]);
    expect((await matching()).map((c) => c.region)).toEqual([...REGIONS]);
    expect(await listRows()).toHaveLength(REGIONS.length);
    await page.fill('#f-search', 'service control policy');
    await expect.poll(() => api((r) => r.matchingCells().length)).toBe(ACCOUNTS - DARK_ACCOUNTS.length);

    // Not collected is a status like the others: the newer accounts' missing regions.
    await page.fill('#f-search', '');
    await setStatuses('not collected');
    await expect.poll(() => api((r) => r.matchingCells().length)).toBe((ACCOUNTS - NOT_COLLECTED.from) * NOT_COLLECTED.regions.length);

    await page.getByRole('button', { name: 'Reset filters' }).click();
    expect(await matching()).toHaveLength(all);
    expect(problems).toEqual([]);
  });

  it('works from the keyboard: the map cell by cell, the list row by row, Enter shows a row on the map', async () => {
    await page.locator('#grid').focus();
    await page.keyboard.press('Control+Home');
    expect(await api((r) => r.cursor()?.region)).toBe(REGIONS[0]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const cursor = await api((r) => r.cursor());
    expect(cursor).toMatchObject({ sourceId: DARK_ACCOUNTS[1], region: REGIONS[2], info: { status: 'FAILED' } });
    expect(cursor?.command).toBe(`npx aggwatch history --aggregator org --source ${DARK_ACCOUNTS[1]} --source-region ${REGIONS[2]} --table ${TABLE}`);
    expect(await page.locator('#cell-announce').textContent()).toBe(`${DARK_ACCOUNTS[1]}, ${REGIONS[2]}: FAILED, AccessDeniedException. Row 2 of ${ACCOUNTS}, column 3 of ${REGIONS.length}.`);
    expect(await page.locator('#cell-command').textContent()).toBe(cursor?.command);
    await page.keyboard.press('End');
    expect(await api((r) => r.cursor()?.region)).toBe(REGIONS.at(-1));

    // The list: one row in the tab order; arrows move; Enter moves the map's cursor to that cell.
    await page.locator('#list-body tr[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.querySelector('th')?.textContent + ' ' + document.activeElement?.children[2]?.textContent);
    expect(focused).toBe(`${DARK_ACCOUNTS[0]} ${REGIONS[2]}`);
    await page.keyboard.press('Enter');
    expect(await api((r) => r.cursor())).toMatchObject({ sourceId: DARK_ACCOUNTS[0], region: REGIONS[2] });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('grid');
    await page.locator('#list-body tr[tabindex="0"]').focus();
    await page.keyboard.press('PageDown');
    expect(await page.locator('#list-summary').textContent()).toMatch(/showing 51 to 100 \(page 2 of/);
  });

  it('switches aggregator', async () => {
    await page.selectOption('#aggregator', { label: 'lab' });
    expect(await api((r) => r.aggregator())).toBe('lab');
    expect(await matching()).toEqual([{ sourceId: LAB_STATES[1]!.sourceId, sourceType: 'ACCOUNT', region: 'eu-west-1', status: 'FAILED', errorCode: 'InternalError' }]);
    expect(await page.locator('section[data-aggregator="1"]').first().isVisible()).toBe(true);
    expect(await page.locator('section[data-aggregator="2"]').first().isVisible()).toBe(false);

    // An aggregator the monitor could never read: no source, the monitor's error in a banner, nothing broken.
    await page.selectOption('#aggregator', { label: 'empty' });
    expect(await api((r) => [r.shownRows(), r.shownColumns(), r.matchingCells(), r.cursor()])).toEqual([[], [], [], undefined]);
    expect(await page.locator('#list-summary').textContent()).toBe('No cell matches the filters.');
    expect(await page.locator('section[data-aggregator="0"] .banner').textContent()).toMatch(/^The monitor has been failing for this aggregator since 2026-11-24 14:45 UTC \(NoSuchConfigurationAggregatorException: /);
    await page.locator('#grid').focus();
    await page.keyboard.press('ArrowDown');
    expect(problems).toEqual([]);
    await page.selectOption('#aggregator', { label: 'org' });
  });

  it('leaves a screenshot in docs/, with still no console error and no request', async () => {
    await page.locator('#grid').focus();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    // The top of the page: the header, the aggregator's counts, trend and dark sources, and the map.
    await page.evaluate(() => window.scrollTo(0, 0));
    const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 1200, height: 1300 } });
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    // Rewritten only when the picture changed: anti-aliasing alone moves a few pixels from run to run.
    if (!existsSync(SCREENSHOT) || (await differingPixels(shot, readFileSync(SCREENSHOT))) > 0.001) writeFileSync(SCREENSHOT, shot);
    expect(problems).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });
});
