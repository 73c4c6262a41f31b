/**
 * The report model: the map's cells and order, the issues, error codes with hints, dark accounts and regions, the
 * timeline, the trend and the transitions, from known states, history and runs.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../core/model';
import {
  MAX_TRANSITIONS,
  STATUS_BY_CODE,
  buildReportModel,
  cellStatus,
  type AggregatorInput,
  type AggregatorReport,
} from '../../core/report';
import { timelineOf } from '../../core/report/build';
import { runSummary, state } from '../support/builders';

const WINDOW = { from: '2026-10-25T15:00:00.000Z', to: '2026-11-24T15:00:00.000Z' };

function build(input: Partial<AggregatorInput>): AggregatorReport {
  const model = buildReportModel({
    generatedAt: WINDOW.to,
    window: WINDOW,
    aggregators: [{ name: 'org', states: [], transitions: [], runs: [], ...input }],
  });
  const [report] = model.aggregators;
  if (!report) throw new Error('no aggregator in the model');
  return report;
}

/** The map as text: one line per row, `id: codes`. */
const picture = (r: AggregatorReport) =>
  r.rows.map((row, i) => `${row.sourceId}: ${r.cells.slice(i * r.regions.length, (i + 1) * r.regions.length)}`);

const h = (o: Partial<HistoryEntry> & Pick<HistoryEntry, 'at' | 'event' | 'toStatus'>): HistoryEntry => ({
  aggregator: 'org',
  sourceId: '111111111111',
  sourceType: 'ACCOUNT',
  region: 'us-east-1',
  ...o,
});

describe('cellStatus', () => {
  it.each([
    [state({ status: 'FAILED' }), 'FAILED'],
    [state({ status: 'OUTDATED' }), 'OUTDATED'],
    [state({ status: 'SUCCEEDED' }), 'SUCCEEDED'],
    [state({ status: 'SUCCEEDED', stale: true }), 'STALE'],
    [state({ status: 'FAILED', removedAt: WINDOW.to }), 'REMOVED'],
    [state({ status: 'PENDING' }), 'OTHER'],
  ])('%o is shown as %s', (s, expected) => {
    expect(cellStatus(s)).toBe(expected);
  });
});

describe('the map', () => {
  const states = [
    state({ sourceId: '300000000000', region: 'us-east-1' }),
    state({ sourceId: '300000000000', region: 'eu-west-1', status: 'OUTDATED' }),
    state({ sourceId: '100000000000', region: 'us-east-1', status: 'FAILED', errorCode: 'AccessDenied', errorMessage: 'no </script>', since: '2026-11-24T12:00:30.000Z' }),
    state({ sourceId: '100000000000', region: 'eu-west-1', status: 'FAILED', errorCode: 'AccessDenied' }),
    state({ sourceId: '200000000000', region: 'ap-east-1', status: 'SUCCEEDED', stale: true }),
    state({ sourceId: 'o-abc', sourceType: 'ORGANIZATION', region: 'us-east-1', status: 'PENDING' }),
  ];

  it('has a row per source, most affected first, a column per region by name, a character per cell', () => {
    const r = build({ states });
    expect(r.regions.map((c) => c.region)).toEqual(['ap-east-1', 'eu-west-1', 'us-east-1']);
    expect(picture(r)).toEqual([
      '100000000000: .FF', // two FAILED
      '200000000000: T..', // one affected: STALE
      '300000000000: .OS', // one affected: OUTDATED, then by id
      'o-abc: ..U',
    ]);
    expect(r.rows[0]).toEqual({ sourceId: '100000000000', sourceType: 'ACCOUNT', collected: 2, failed: 2, affected: 2 });
    expect(r.regions[2]).toEqual({ region: 'us-east-1', collected: 3, failed: 1, affected: 2 });
    expect(r.counts).toEqual({ FAILED: 2, OUTDATED: 1, STALE: 1, OTHER: 1, REMOVED: 0, SUCCEEDED: 1, NONE: 6 });
    for (const code of r.cells) expect(STATUS_BY_CODE.has(code)).toBe(true);
  });

  it('keeps the details of every cell that is not SUCCEEDED, strings interned, times in minutes', () => {
    const r = build({ states });
    expect(r.issues).toHaveLength(5);
    const [cell, status, code, message, since, lastUpdate] = r.issues[0]!;
    expect(cell).toBe(1); // row 0, column eu-west-1
    expect(r.strings[status]).toBe('FAILED');
    expect(r.strings[code]).toBe('AccessDenied');
    expect(message).toBe(-1);
    expect(new Date(since * 60_000).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(new Date(lastUpdate * 60_000).toISOString()).toBe('2026-11-24T11:00:00.000Z');
    const [, , code2, message2, since2] = r.issues[1]!;
    expect(code2).toBe(code);
    expect(r.strings[message2]).toBe('no </script>');
    expect(new Date(since2 * 60_000).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    // The issues follow the cells' order, and SUCCEEDED cells have none.
    expect(r.issues.map((i) => r.cells[i[0]])).toEqual(['F', 'F', 'T', 'O', 'U']);
  });

  it('shows a removed source under REMOVED, since its removal', () => {
    const r = build({ states: [state({ status: 'FAILED', removedAt: '2026-11-24T09:00:00.000Z' })] });
    expect(r.cells).toBe('R');
    expect(new Date(r.issues[0]![4] * 60_000).toISOString()).toBe('2026-11-24T09:00:00.000Z');
  });

  it('is empty for an aggregator without sources', () => {
    const r = build({});
    expect(r).toMatchObject({ rows: [], regions: [], cells: '', issues: [], errors: [], darkAccounts: [], darkRegions: [] });
  });
});

describe('error codes', () => {
  it('groups the affected sources by code (or by condition without one), most frequent first, with hints per source type', () => {
    const r = build({
      states: [
        state({ sourceId: '1', region: 'us-east-1', status: 'FAILED', errorCode: 'AccessDeniedException' }),
        state({ sourceId: '1', region: 'eu-west-1', status: 'FAILED', errorCode: 'AccessDeniedException' }),
        state({ sourceId: 'o-1', sourceType: 'ORGANIZATION', region: 'us-east-1', status: 'FAILED', errorCode: 'AccessDeniedException' }),
        state({ sourceId: '2', region: 'us-east-1', status: 'OUTDATED' }),
        state({ sourceId: '3', region: 'us-east-1', status: 'FAILED', errorCode: 'SomethingNew' }),
        state({ sourceId: '4', region: 'us-east-1', status: 'SUCCEEDED', stale: true }),
        state({ sourceId: '5', region: 'us-east-1', status: 'FAILED', errorCode: 'Gone', removedAt: WINDOW.to }),
      ],
    });
    expect(r.errors.map((e) => [e.code, e.condition, e.sources, e.accounts, e.regions])).toEqual([
      ['AccessDeniedException', 'FAILED', 3, 2, 2],
      ['', 'OUTDATED', 1, 1, 1],
      ['', 'STALE', 1, 1, 1],
      ['SomethingNew', 'FAILED', 1, 1, 1],
    ]);
    const [denied, outdated, stale, unknown] = r.errors;
    expect(denied?.hints.map((x) => x.scope)).toEqual(['ACCOUNT', 'ORGANIZATION']);
    expect(denied?.hints[0]?.text).toMatch(/put-aggregation-authorization/);
    expect(denied?.hints[1]?.text).toMatch(/delegated administrator/);
    expect(outdated?.hints[0]?.text).toMatch(/not the most recent/);
    expect(stale?.hints[0]?.text).toMatch(/stale threshold/);
    expect(unknown?.hints).toEqual([]);
  });
});

describe('dark accounts and regions', () => {
  it('finds sources FAILED in every region they have (two at least) and regions FAILED for every source', () => {
    const regions = ['us-east-1', 'eu-west-1', 'ap-east-1'];
    const states = [
      // 1: authorization gone everywhere.
      ...regions.map((region) => state({ sourceId: '1', region, status: 'FAILED', errorCode: region === 'ap-east-1' ? 'RegionNotEnabled' : 'AccessDenied' })),
      // 2 and 3: healthy but for the opt-in region.
      ...['2', '3'].flatMap((sourceId) => regions.map((region) => state({ sourceId, region, status: region === 'ap-east-1' ? 'FAILED' : 'SUCCEEDED', ...(region === 'ap-east-1' ? { errorCode: 'RegionNotEnabled' } : {}) }))),
      // 4: one region only, FAILED: not "every region".
      state({ sourceId: '4', region: 'us-east-1', status: 'FAILED' }),
      // 5: FAILED or OUTDATED everywhere: not dark.
      state({ sourceId: '5', region: 'us-east-1', status: 'FAILED' }),
      state({ sourceId: '5', region: 'eu-west-1', status: 'OUTDATED' }),
    ];
    const r = build({ states });
    expect(r.darkAccounts).toEqual([{ sourceId: '1', sourceType: 'ACCOUNT', regions: 3, errorCode: 'AccessDenied' }]);
    expect(r.darkRegions).toEqual([{ region: 'ap-east-1', sources: 3, errorCode: 'RegionNotEnabled' }]);
  });
});

describe('timeline and trend', () => {
  const run = (hours: number, failed: number, outdated = 0, aggregator = 'org') =>
    runSummary({ aggregator, runAt: new Date(Date.parse(WINDOW.from) + hours * 3_600_000).toISOString(), counts: { FAILED: failed, OUTDATED: outdated, SUCCEEDED: 100 } });

  it('has a point per run of the aggregator, oldest first, and none for other aggregators', () => {
    const r = build({ runs: [run(2, 5, 1), run(1, 3), run(1.5, 9, 0, 'lab'), runSummary({ aggregator: 'org', runAt: '2026-10-25T18:00:00.000Z', outcome: 'error', counts: {} })] });
    expect(r.timeline).toEqual([
      { at: '2026-10-25T16:00:00.000Z', failed: 3, outdated: 0, runs: 1, errors: 0 },
      { at: '2026-10-25T17:00:00.000Z', failed: 5, outdated: 1, runs: 1, errors: 0 },
      { at: '2026-10-25T18:00:00.000Z', runs: 1, errors: 1 },
    ]);
    expect(r.trend).toMatchObject({ start: 3, end: 6, direction: 'worse' });
  });

  it('groups runs past the limit into equal spans, keeping each span peak', () => {
    const runs = Array.from({ length: 100 }, (_, i) => run(i, i === 41 ? 500 : 10));
    const points = timelineOf(runs, 10);
    expect(points).toHaveLength(10);
    expect(points.reduce((n, p) => n + p.runs, 0)).toBe(100);
    expect(Math.max(...points.map((p) => p.failed ?? 0))).toBe(500);
    expect(points.filter((p) => p.failed === 500)).toHaveLength(1);
  });

  it.each([
    [[run(1, 10), run(2, 4)], 'better'],
    [[run(1, 4), run(2, 4)], 'unchanged'],
    [[run(1, 4)], 'unknown'],
    [[], 'unknown'],
  ] as const)('calls the trend of %j %s', (runs, direction) => {
    expect(build({ runs: [...runs] }).trend.direction).toBe(direction);
  });

  it('counts transitions into FAILED or OUTDATED and recoveries', () => {
    const transitions = [
      h({ at: '2026-11-01T00:00:00.000Z', event: 'FIRST_SEEN', toStatus: 'FAILED' }),
      h({ at: '2026-11-02T00:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'FAILED', toStatus: 'SUCCEEDED' }),
      h({ at: '2026-11-03T00:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'OUTDATED' }),
      h({ at: '2026-11-04T00:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'OUTDATED', toStatus: 'FAILED' }),
      h({ at: '2026-11-05T00:00:00.000Z', event: 'STALE', fromStatus: 'SUCCEEDED', toStatus: 'SUCCEEDED' }),
      h({ at: '2026-11-06T00:00:00.000Z', event: 'REMOVED', fromStatus: 'FAILED', toStatus: 'REMOVED' }),
    ];
    expect(build({ transitions }).trend).toMatchObject({ entered: 2, recovered: 1 });
  });
});

describe('transitions', () => {
  it('lists the newest first without the first sightings of healthy sources, at most MAX_TRANSITIONS, and counts all', () => {
    const transitions = [
      h({ at: '2026-11-01T00:00:00.000Z', event: 'FIRST_SEEN', toStatus: 'SUCCEEDED' }),
      ...Array.from({ length: MAX_TRANSITIONS + 5 }, (_, i) =>
        h({ at: new Date(Date.parse('2026-11-02T00:00:00.000Z') + i * 60_000).toISOString(), event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'FAILED', errorCode: 'X' }),
      ),
    ];
    const r = build({ transitions });
    expect(r.transitionCount).toBe(MAX_TRANSITIONS + 5);
    expect(r.transitions).toHaveLength(MAX_TRANSITIONS);
    expect(r.transitions[0]).toEqual({ at: '2026-11-02T03:24:00.000Z', sourceId: '111111111111', sourceType: 'ACCOUNT', region: 'us-east-1', event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'FAILED', errorCode: 'X' });
    expect(r.transitions.some((t) => t.event === 'FIRST_SEEN')).toBe(false);
  });
});

describe('the model', () => {
  it('is plain JSON: it survives a round trip unchanged', () => {
    const model = buildReportModel({
      generatedAt: WINDOW.to,
      window: WINDOW,
      tableName: 'my-table',
      aggregators: [{ name: 'org', meta: { aggregator: 'org', lastFullSweepAt: WINDOW.to }, states: [state({ status: 'FAILED' })], transitions: [], runs: [] }],
    });
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(model).toMatchObject({ version: 1, tableName: 'my-table', aggregators: [{ name: 'org', lastFullSweepAt: WINDOW.to }] });
  });
});
