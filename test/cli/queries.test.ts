/**
 * current, history, failures and runs against dynalite, on data written by the real HistoryStore;
 * the DynamoDB client is injected (io.clients).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { HISTORY, NOW, RUNS, STATES, cli, header, rows, seed } from './support';
import type { CliIo } from '../../cli/main';
import { renderDigest } from '../../core/digest';

process.env.TZ = 'UTC';

const TABLE = 'cli-queries';
let local: LocalDynamoDB;
let io: Partial<CliIo>;

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await seed(local, TABLE);
  io = { clients: { dynamodb: local.documentClient } };
});
afterAll(async () => {
  await local.close();
});

const query = (...argv: string[]) => cli(['--table', TABLE, ...argv], io);
const json = async (...argv: string[]) => {
  const r = await query(...argv, '--json');
  expect(r.code).toBe(0);
  expect(r.err).not.toContain('aggwatch:');
  return JSON.parse(r.out) as unknown[];
};
const column = (out: string, name: string) => {
  const i = header(out).indexOf(name);
  expect(i).toBeGreaterThanOrEqual(0);
  return rows(out).map((r) => r[i]);
};

describe('current', () => {
  it('lists FAILED and OUTDATED sources of every aggregator, problems first, with local times and ages', async () => {
    const r = await query('current');
    expect(r.code).toBe(0);
    expect(header(r.out)).toEqual(['AGGREGATOR', 'SOURCE', 'TYPE', 'REGION', 'STATUS', 'SINCE', 'LAST UPDATE', 'ERROR']);
    expect(rows(r.out)).toEqual([
      ['lab', '111111111111', 'ACCOUNT', 'us-east-1', 'FAILED', '2026-11-24 14:00 (1h ago)', '2026-11-24 11:00 (4h ago)', '-'],
      ['org', '111111111111', 'ACCOUNT', 'us-east-1', 'FAILED', '2026-11-24 12:00 (3h ago)', '2026-11-24 11:00 (4h ago)', 'AccessDenied: Config cannot assume the role'],
      ['org', '222222222222', 'ACCOUNT', 'eu-west-1', 'OUTDATED', '2026-11-23 12:00 (27h ago)', '2026-11-24 11:00 (4h ago)', '-'],
    ]);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('3 sources (FAILED 2, OUTDATED 1) in lab, org.');
    // lab's runs are failing: said on stderr, stdout stays the result.
    expect(r.err).toMatch(/^warning: the monitor has been failing for aggregator "lab" since 2026-11-24 14:45 .*NoSuchConfigurationAggregatorException/);
  });

  it('prints the stored states as JSON', async () => {
    expect(await json('current', '--aggregator', 'org')).toEqual([STATES.failed, STATES.outdated]);
  });

  it('accepts any status, in any case: SUCCEEDED, STALE, REMOVED and ones it does not know', async () => {
    expect(await json('current', '--aggregator', 'org', '--status', 'succeeded')).toEqual(
      expect.arrayContaining([STATES.succeeded, STATES.stale]),
    );
    expect(await json('current', '--aggregator', 'org', '--status', 'STALE')).toEqual([STATES.stale]);
    expect(await json('current', '--aggregator', 'org', '--status', 'REMOVED')).toEqual([STATES.removed]);
    expect(await json('current', '--status', 'PENDING')).toEqual([STATES.unknown]);

    const r = await query('current', '--aggregator', 'org', '--status', 'STALE,REMOVED,SUCCEEDED');
    expect(column(r.out, 'STATUS')).toEqual(['STALE (SUCCEEDED)', 'REMOVED (FAILED)', 'SUCCEEDED']);
    expect(column(r.out, 'SOURCE')).toEqual(['444444444444', '555555555555', '333333333333']);
  });

  it('says so when nothing matches', async () => {
    const r = await query('current', '--aggregator', 'lab', '--status', 'OUTDATED');
    expect(r).toMatchObject({ code: 0, out: 'No source is OUTDATED in lab.\n' });
  });

  it('refuses an aggregator the table has no record of, naming the known ones', async () => {
    const r = await query('current', '--aggregator', 'prod');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `aggwatch: Unknown aggregator "prod": table ${TABLE} has no record of it; known aggregators: lab, org.\n`,
    );
  });

  it('refuses a malformed --status or --aggregator as a usage error', async () => {
    const status = await query('current', '--status', 'FAILED,BAD STATUS');
    expect(status.code).toBe(2);
    expect(status.err).toMatch(/^aggwatch: Invalid --status: "BAD STATUS"\. Allowed: one or more statuses/);
    const aggregator = await query('current', '--aggregator', 'org/prod');
    expect(aggregator.code).toBe(2);
    expect(aggregator.err).toMatch(/^aggwatch: Invalid --aggregator: "org\/prod"\. Allowed: aggregator names/);
  });
});

describe('history', () => {
  it('shows the timeline of one source across aggregators, newest first, over the last 30 days', async () => {
    const r = await query('history', '--source', '111111111111');
    expect(r.code).toBe(0);
    expect(header(r.out)).toEqual(['AT', 'AGGREGATOR', 'SOURCE', 'TYPE', 'REGION', 'EVENT', 'CHANGE', 'ERROR']);
    expect(rows(r.out)).toEqual([
      ['2026-11-24 14:00 (1h ago)', 'lab', '111111111111', 'ACCOUNT', 'us-east-1', 'FIRST_SEEN', 'FAILED', '-'],
      ['2026-11-24 12:00 (3h ago)', 'org', '111111111111', 'ACCOUNT', 'us-east-1', 'STATUS_CHANGED', 'SUCCEEDED → FAILED', 'AccessDenied: Config cannot assume the role'],
      ['2026-11-20 12:00 (4d ago)', 'org', '111111111111', 'ACCOUNT', 'eu-west-1', 'FIRST_SEEN', 'SUCCEEDED', '-'],
      ['2026-11-12 12:00 (12d ago)', 'org', '111111111111', 'ACCOUNT', 'us-east-1', 'STATUS_CHANGED', 'FAILED → SUCCEEDED', '-'],
      ['2026-11-10 12:00 (14d ago)', 'org', '111111111111', 'ACCOUNT', 'us-east-1', 'STATUS_CHANGED', 'SUCCEEDED → FAILED', 'Throttled'],
    ]);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      '5 entries for source 111111111111 between 2026-10-25 15:00 and 2026-11-24 15:00 (UTC+00:00).',
    );
  });

  it('prints the stored entries as JSON, filtered by aggregator, region, type and window', async () => {
    expect(await json('history', '--source', '111111111111', '--aggregator', 'org', '--since', '60d')).toEqual([
      HISTORY.failedAgain,
      HISTORY.euFirstSeen,
      HISTORY.recovered,
      HISTORY.failed,
      HISTORY.firstSeen,
    ]);
    expect(await json('history', '--source', '111111111111', '--source-region', 'eu-west-1')).toEqual([HISTORY.euFirstSeen]);
    expect(await json('history', '--source', '111111111111', '--aggregator', 'org', '--type', 'account', '--since', '7d')).toEqual([
      HISTORY.failedAgain,
      HISTORY.euFirstSeen,
    ]);
    expect(await json('history', '--source', '111111111111', '--type', 'ORGANIZATION')).toEqual([]);
    expect(
      await json('history', '--source', '111111111111', '--aggregator', 'org', '--since', '2026-11-10', '--until', '2026-11-12T12:00:00Z'),
    ).toEqual([HISTORY.recovered, HISTORY.failed]);
  });

  it('says so when the source has no history in the window', async () => {
    const r = await query('history', '--source', '999999999999', '--since', '2w');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe('No history for source 999999999999 between 2026-11-10 15:00 and 2026-11-24 15:00 (UTC+00:00).\n');
  });

  it('needs --source, and refuses a bad --since, --until or --type with exit code 2', async () => {
    const missing = await query('history');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--source <id>' not specified/);

    const since = await query('history', '--source', '1', '--since', 'yesterday');
    expect(since.code).toBe(2);
    expect(since.err).toMatch(/^aggwatch: Invalid --since "yesterday": expected <n>m\|h\|d\|w .* or an ISO date\/time/);

    const until = await query('history', '--source', '1', '--until', '2026-13-01');
    expect(until.code).toBe(2);
    expect(until.err).toMatch(/^aggwatch: Invalid --until "2026-13-01"/);

    const inverted = await query('history', '--source', '1', '--since', '1d', '--until', '2d');
    expect(inverted.code).toBe(2);
    expect(inverted.err).toMatch(/--since \(2026-11-23 15:00\) is after --until \(2026-11-22 15:00\)/);

    const type = await query('history', '--source', '1', '--type', 'USER');
    expect(type.code).toBe(2);
    expect(type.err).toMatch(/Invalid --type: "USER"\. Allowed: ACCOUNT or ORGANIZATION/);
  });
});

describe('failures', () => {
  it('lists transitions into FAILED in the last 24 hours, newest first', async () => {
    const r = await query('failures');
    expect(r.code).toBe(0);
    expect(column(r.out, 'AT')).toEqual(['2026-11-24 14:00 (1h ago)', '2026-11-24 12:00 (3h ago)']);
    expect(column(r.out, 'AGGREGATOR')).toEqual(['lab', 'org']);
    expect(column(r.out, 'CHANGE')).toEqual(['FAILED', 'SUCCEEDED → FAILED']);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^2 transitions into FAILED \(2 sources\) between 2026-11-23 15:00 and/);
  });

  it('widens with --since, narrows with --aggregator, and takes other statuses', async () => {
    expect(await json('failures', '--since', '30d', '--aggregator', 'org')).toEqual([HISTORY.failedAgain, HISTORY.failed]);
    expect(await json('failures', '--since', '2d', '--status', 'outdated,removed')).toEqual([HISTORY.removed, HISTORY.outdated]);
    expect(await json('failures', '--status', 'OUTDATED')).toEqual([]);
    expect(await json('failures', '--since', '90m')).toEqual([HISTORY.labFailed]);
  });

  it('says so when nothing failed', async () => {
    const r = await query('failures', '--since', '30m');
    expect(r.out).toBe('No transition into FAILED between 2026-11-24 14:30 and 2026-11-24 15:00 (UTC+00:00).\n');
  });
});

describe('runs', () => {
  it('lists the run summaries of the last 24 hours, newest first', async () => {
    const r = await query('runs');
    expect(r.code).toBe(0);
    expect(header(r.out)).toEqual(['RUN AT', 'AGGREGATOR', 'OUTCOME', 'MODE', 'COUNTS', 'PAGES', 'DURATION', 'NOTICES', 'ERROR']);
    expect(rows(r.out)).toEqual([
      ['2026-11-24 14:45 (15m ago)', 'org', 'ok', 'fast', 'FAILED 2, OUTDATED 1, SUCCEEDED 40', '1', '850 ms', '0', '-'],
      ['2026-11-24 14:45 (15m ago)', 'lab', 'error', 'fast', '-', '0', '850 ms', '0', 'NoSuchConfigurationAggregatorException: Configuration aggre…'],
      ['2026-11-24 12:00 (3h ago)', 'org', 'ok', 'full (schedule)', 'FAILED 2, OUTDATED 1, SUCCEEDED 40', '3', '12.3 s', '1', '-'],
    ]);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^3 runs \(1 failed\) between 2026-11-23 15:00 and 2026-11-24 15:00/);
  });

  it('prints the stored summaries as JSON, by window and aggregator', async () => {
    expect(await json('runs', '--since', '7d', '--aggregator', 'org')).toEqual([RUNS.orgLatest, RUNS.orgFull, RUNS.orgOld]);
    expect(await json('runs', '--aggregator', 'lab')).toEqual([RUNS.labLatest]);
    expect(await json('runs', '--since', '2026-11-20', '--until', '2026-11-21')).toEqual([RUNS.orgOld]);
  });

  it('refuses an unknown aggregator', async () => {
    const r = await query('runs', '--aggregator', 'lab,nope,other');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^aggwatch: Unknown aggregator "nope", "other": table cli-queries has no record of them/);
  });
});

describe('output', () => {
  it('colours statuses on a terminal only, and never with NO_COLOR', async () => {
    const red = '\u001b[31mFAILED\u001b[39m';
    const yellow = '\u001b[33mOUTDATED\u001b[39m';
    const tty = await cli(['--table', TABLE, 'current', '--aggregator', 'org'], { ...io, isTTY: true });
    expect(tty.out).toContain(red);
    expect(tty.out).toContain(yellow);
    const stale = await cli(['--table', TABLE, 'current', '--status', 'STALE,REMOVED,SUCCEEDED', '--aggregator', 'org'], { ...io, isTTY: true });
    expect(stale.out).toContain('\u001b[33mSTALE\u001b[39m');
    expect(stale.out).toContain('\u001b[90mREMOVED\u001b[39m');
    expect(stale.out).toContain('\u001b[32mSUCCEEDED\u001b[39m');

    const noColor = await cli(['--table', TABLE, 'current', '--aggregator', 'org'], { ...io, isTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.out).toContain('FAILED');
    expect(noColor.out).not.toContain('\u001b[');
    expect((await query('current', '--aggregator', 'org')).out).not.toContain('\u001b[');
  });

  it("shows times in the user's time zone", async () => {
    process.env.TZ = 'Asia/Kolkata';
    try {
      const r = await query('failures');
      expect(column(r.out, 'AT')).toEqual(['2026-11-24 19:30 (1h ago)', '2026-11-24 17:30 (3h ago)']);
      expect(r.out).toContain('(UTC+05:30)');
    } finally {
      process.env.TZ = 'UTC';
    }
  });

  it('names a table that does not exist', async () => {
    const r = await cli(['--table', 'no-such-table', 'current'], { ...io, env: { AWS_REGION: 'eu-west-1' } });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'aggwatch: Table "no-such-table" not found in eu-west-1: check --table (or --stack), --region and --profile.\n',
    );
  });

  it('keeps NOW fixed for the tests', () => {
    expect(NOW.toISOString()).toBe('2026-11-24T15:00:00.000Z');
  });
});

describe('the commands an e-mail digest prints', () => {
  it('run as printed and show the source they name', async () => {
    // Prepare: the digest for the failing source, as e-mailed.
    const [part] = renderDigest(
      { aggregator: 'org', at: NOW.toISOString(), sources: [{ kind: 'failure', state: STATES.failed, condition: 'FAILED', removed: false }] },
      { tableName: TABLE },
    );
    const email = part?.publications.find((p) => p.format === 'email')?.message ?? '';
    const printed = /npx aggwatch (history .*)$/m.exec(email)?.[1];
    expect(printed).toBe('history --aggregator org --source 111111111111 --source-region us-east-1');
    // Act
    const r = await query(...printed!.split(' '), '--since', '60d');
    // Assess
    expect(r.code).toBe(0);
    expect(new Set(column(r.out, 'SOURCE'))).toEqual(new Set(['111111111111']));
    expect(new Set(column(r.out, 'REGION'))).toEqual(new Set(['us-east-1']));
  });
});
