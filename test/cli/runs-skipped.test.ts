/** `aggwatch runs` on a table that also holds skipped ticks (written by the dispatcher's SkippedRunWriter). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkippedRunWriter } from '../../adapters/store/skipped-runs';
import type { SkippedRun } from '../../core/model';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import type { CliIo } from '../../cli/main';
import { RUNS, cli, header, rows, seed } from './support';

process.env.TZ = 'UTC';

const TABLE = 'cli-runs-skipped';
let local: LocalDynamoDB;
let io: Partial<CliIo>;

/** The 14:30 tick found the 14:15 run still running, 15 minutes in. */
const SKIPPED: SkippedRun = {
  runAt: '2026-11-24T14:30:00.000Z',
  outcome: 'skipped',
  execution: 'run-20261124T143000Z',
  runningExecution: 'run-20261124T141500Z',
  runningSince: '2026-11-24T14:15:01.000Z',
  runningForMs: 899_500,
};

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await seed(local, TABLE);
  await new SkippedRunWriter(local.documentClient, { tableName: TABLE, historyRetentionDays: 400 }).put(SKIPPED);
  io = { clients: { dynamodb: local.documentClient } };
});
afterAll(async () => {
  await local.close();
});

const query = (...argv: string[]) => cli(['--table', TABLE, ...argv], io);

describe('runs with skipped ticks', () => {
  it('shows a skipped tick as a row of its own: skipped, the execution still running and its age', async () => {
    // Act
    const r = await query('runs');
    // Assess
    expect(r.code).toBe(0);
    expect(header(r.out)).toEqual(['RUN AT', 'AGGREGATOR', 'OUTCOME', 'MODE', 'COUNTS', 'PAGES', 'DURATION', 'NOTICES', 'ERROR']);
    expect(rows(r.out)).toEqual([
      ['2026-11-24 14:45 (15m ago)', 'org', 'ok', 'fast', 'FAILED 2, OUTDATED 1, SUCCEEDED 40', '1', '850 ms', '0', '-'],
      ['2026-11-24 14:45 (15m ago)', 'lab', 'error', 'fast', '-', '0', '850 ms', '0', 'NoSuchConfigurationAggregatorException: Configuration aggre…'],
      ['2026-11-24 14:30 (30m ago)', '(all)', 'skipped', '-', '-', '-', '-', '-', 'run-20261124T141500Z running for 15m 00s'],
      ['2026-11-24 12:00 (3h ago)', 'org', 'ok', 'full (schedule)', 'FAILED 2, OUTDATED 1, SUCCEEDED 40', '3', '12.3 s', '1', '-'],
    ]);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^3 runs \(1 failed\) and 1 skipped tick between 2026-11-23 15:00 and 2026-11-24 15:00/);
  });

  it('prints skipped ticks in --json as stored, with any --aggregator (a skipped tick watched none)', async () => {
    // Act
    const r = await query('runs', '--aggregator', 'org', '--json');
    // Assess
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([RUNS.orgLatest, SKIPPED, RUNS.orgFull]);
  });

  it('says so when the window holds only skipped ticks', async () => {
    // Act
    const r = await query('runs', '--since', '2026-11-24T14:20:00Z', '--until', '2026-11-24T14:40:00Z');
    // Assess
    expect(rows(r.out)).toEqual([['2026-11-24 14:30 (30m ago)', '(all)', 'skipped', '-', '-', '-', '-', '-', 'run-20261124T141500Z running for 15m 00s']]);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^0 runs and 1 skipped tick between/);
  });
});
