/**
 * `aggwatch report` against dynalite, on the known table of the CLI tests: the file it writes, standard output, and
 * its usage and write errors.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../core/report';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import type { CliIo } from '../../cli/main';
import { cli, seed } from './support';

const TABLE = 'cli-report';
let local: LocalDynamoDB;
let io: Partial<CliIo>;
let dir: string;

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await seed(local, TABLE);
  io = { clients: { dynamodb: local.documentClient } };
  dir = mkdtempSync(join(tmpdir(), 'aggwatch-report-'));
});
afterAll(async () => {
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

const report = (...argv: string[]) => cli(['--table', TABLE, 'report', ...argv], io);
const modelOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)?.[1] ?? 'null') as ReportModel;

describe('report', () => {
  it('writes the report of every aggregator and says what it holds', async () => {
    const file = join(dir, 'all.html');
    const r = await report('--out', file);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(new RegExp(`^Wrote ${file}: lab: 1 source x 1 region, 1 cell affected; org: 6 sources x 3 regions, 5 cells affected \\(0\\.\\d MB\\)\\.\\n$`));
    const model = modelOf(readFileSync(file, 'utf8'));
    expect(model).toMatchObject({ generatedAt: '2026-11-24T15:00:00.000Z', tableName: TABLE, window: { from: '2026-10-25T15:00:00.000Z', to: '2026-11-24T15:00:00.000Z' } });
    const org = model.aggregators.find((a) => a.name === 'org')!;
    expect(org.rows[0]).toMatchObject({ sourceId: '111111111111', failed: 1 });
    expect(org.counts).toMatchObject({ FAILED: 1, OUTDATED: 1, STALE: 1, REMOVED: 1, OTHER: 1, SUCCEEDED: 1 });
    expect(org.lastFullSweepAt).toBe('2026-11-24T12:00:00.000Z');
    // Transitions of the window, read from the transitions index: the first sighting of a healthy source is left out.
    expect(org.transitions.map((t) => `${t.at} ${t.sourceId} ${t.toStatus}`)).toEqual([
      '2026-11-24T12:00:00.000Z 111111111111 FAILED',
      '2026-11-24T09:00:00.000Z 555555555555 REMOVED',
      '2026-11-23T12:00:00.000Z 222222222222 OUTDATED',
      '2026-11-12T12:00:00.000Z 111111111111 SUCCEEDED',
      '2026-11-10T12:00:00.000Z 111111111111 FAILED',
    ]);
    expect(org.timeline.map((p) => p.at)).toEqual(['2026-11-20T12:00:00.000Z', '2026-11-24T12:00:00.000Z', '2026-11-24T14:45:00.000Z']);
    const lab = model.aggregators.find((a) => a.name === 'lab')!;
    expect(lab.monitorError?.code).toBe('NoSuchConfigurationAggregatorException');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('takes --aggregator and the window', async () => {
    const file = join(dir, 'org.html');
    const r = await report('--aggregator', 'org', '--since', '2026-11-11T00:00:00Z', '--until', '2026-11-23T00:00:00Z', '--out', file);
    expect(r.code).toBe(0);
    const model = modelOf(readFileSync(file, 'utf8'));
    expect(model.aggregators.map((a) => a.name)).toEqual(['org']);
    expect(model.aggregators[0]?.transitions.map((t) => t.at)).toEqual(['2026-11-12T12:00:00.000Z']);
    expect(model.aggregators[0]?.timeline.map((p) => p.at)).toEqual(['2026-11-20T12:00:00.000Z']);
  });

  it('writes to standard output with --out -, and its summary to stderr', async () => {
    const r = await report('--aggregator', 'lab', '--out', '-');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^<!DOCTYPE html>/);
    expect(modelOf(r.out).aggregators.map((a) => a.name)).toEqual(['lab']);
    expect(r.err).toMatch(/^Report: lab: 1 source x 1 region, 1 cell affected \(0\.\d MB\)\.\n$/);
  });

  it.each([
    [['--out', ' '], 2, /^aggwatch: Invalid --out "": expected a file name/],
    [[], 2, /^aggwatch: required option '--out <file>' not specified/],
    [['--out', 'x.html', '--since', 'yesterday'], 2, /^aggwatch: Invalid --since "yesterday"/],
    [['--out', 'x.html', '--aggregator', 'prod'], 1, /^aggwatch: Unknown aggregator "prod"/],
  ])('refuses %j (exit %i)', async (argv, code, message) => {
    const r = await report(...argv);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });

  it('says why it cannot write the file, and leaves nothing behind', async () => {
    const missing = join(dir, 'no-such-dir', 'r.html');
    const r = await report('--out', missing);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`aggwatch: Cannot write the report to "${missing}": the directory ${join(dir, 'no-such-dir')} does not exist.\n`);
    const onDirectory = await report('--out', dir);
    expect(onDirectory.code).toBe(1);
    expect(onDirectory.err).toMatch(/Cannot write the report to ".*": it is a directory\.\n$/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
