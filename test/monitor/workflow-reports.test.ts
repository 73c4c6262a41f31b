/**
 * The status report at each full sweep, through the workflow (Finalize writes it, after Notify sent the notices):
 * the real steps, store (dynalite), report writer and report step, with S3 mocked at the client. A report is
 * written only for aggregators swept in full; a failed put, an aggregator above the size bound and a report the
 * time left cannot fit are logged and counted, never failing the run or holding back a notice.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReportWriter } from '../../adapters/report-writer';
import { FullSweepReports, type ReportLimits, type ReportOutcome } from '../../lambda/reports';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { Harness, minutes } from './harness';
import { WorkflowDriver } from './workflow-driver';

const BUCKET = 'aggwatch-reports-123456789012';
const REGIONS = ['us-east-1', 'eu-west-1'];
const FAILING = { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' };

let local: LocalDynamoDB;
let tables = 0;
let h: Harness;
let d: WorkflowDriver;
let outcomes: ReportOutcome[];
const s3Mock = mockClient(S3Client);

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

beforeEach(async () => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  const name = `workflow-reports-${++tables}`;
  await local.createTable(name);
  h = new Harness(local, name, { aggregators: ['org', 'second'], reportBucket: BUCKET });
  // org: 40 sources, one failing; second: 10.
  h.org.set('org', organization(20, REGIONS));
  h.org.set('second', organization(5, REGIONS));
  h.set('org', '100000000003', 'eu-west-1', FAILING);
  outcomes = [];
  h.reports = step();
  d = new WorkflowDriver(h, local.documentClient);
});

function step(limits?: ReportLimits): FullSweepReports {
  const writer = new ReportWriter(new S3Client({ region: 'us-east-1', maxAttempts: 1 }), h.store, { bucket: BUCKET });
  return new FullSweepReports(writer, new Logger({ logLevel: 'SILENT' }), {
    region: 'eu-west-1',
    count: (o) => outcomes.push(o),
    ...(limits ? { limits } : {}),
  });
}

const putKeys = () => s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);

describe('the status report at a full sweep, at Finalize', () => {
  it('writes each aggregator swept in full, after its notices: latest and dated, with the failing source in it', async () => {
    // Act
    const run = await d.execute(AT);

    // Assert
    expect([run.status, run.failed]).toEqual(['succeeded', []]);
    expect(putKeys()).toEqual([
      'reports/org/20261124T120000Z.html',
      'reports/org/latest.html',
      'reports/second/20261124T120000Z.html',
      'reports/second/latest.html',
    ]);
    const html = Buffer.from(s3Mock.commandCalls(PutObjectCommand)[1]?.args[0].input.Body as Buffer).toString('utf8');
    expect(html).toContain('100000000003');
    expect(html).toContain('AUTHORIZATION_NOT_FOUND');
    expect(outcomes).toEqual(['written', 'written']);
    expect(h.published).toHaveLength(1);
    expect(h.published[0]?.email).toContain(
      [
        'STATUS REPORT (map of every source by region; rewritten at each full sweep)',
        `  s3://${BUCKET}/reports/org/latest.html`,
        `  Console: https://console.aws.amazon.com/s3/object/${BUCKET}?region=eu-west-1&prefix=reports%2Forg%2Flatest.html`,
      ].join('\n'),
    );
    // After the notices: the reports are Finalize's, the last Task.
    expect(run.tasks.at(-1)?.step).toBe('finalize');
  });

  it('writes nothing on the fast path', async () => {
    // Arrange
    await d.execute(AT);
    s3Mock.resetHistory();
    outcomes = [];

    // Act
    const run = await d.execute(minutes(AT, 15));

    // Assert
    expect(run.aggregators.map((a) => a.mode)).toEqual(['fast', 'fast']);
    expect(putKeys()).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  it('logs and counts a failed put, never failing the run or losing a notice', async () => {
    // Arrange
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    // Act
    const run = await d.execute(AT);

    // Assert
    expect([run.status, run.failed]).toEqual(['succeeded', []]);
    expect(run.tasks.filter((t) => t.error)).toEqual([]);
    expect(run.aggregators.map((a) => [a.aggregator, a.outcome, a.noticesPublished])).toEqual([
      ['org', 'ok', 1],
      ['second', 'ok', 0],
    ]);
    expect(outcomes).toEqual(['failed', 'failed']);
    expect(h.published.map((p) => p.aggregator)).toEqual(['org']);
    const failed = await h.store.currentInStatus('org', 'FAILED');
    expect(failed.map((s) => s.notifiedAt)).toEqual([AT]);
  });

  it('skips, with a count, an aggregator above the size bound and any report the time left cannot fit', async () => {
    // Arrange: org has 40 sources, second 10; at most 20 sources, and Finalize has 29,999 ms left, where a report
    // needs 20 s + 1 s a source (second's 10 need 30 s: does not fit by 1 ms).
    h.reports = step({ maxSources: 20, reserveMs: 20_000, msPerSource: 1_000 });

    // Act
    const run = await d.execute(AT, { remainingMs: (s) => () => (s === 'finalize' ? 29_999 : 900_000) });

    // Assert
    expect([run.status, run.failed]).toEqual(['succeeded', []]);
    expect(outcomes).toEqual(['skipped', 'skipped']);
    expect(putKeys()).toEqual([]);
  });

  it('writes the one that fits when only one does, and the one the time left fits', async () => {
    // Arrange: the size bound only; then, in the next full sweep, 30,000 ms left: exactly second's 20 s + 10 x 1 s.
    h.reports = step({ maxSources: 20, reserveMs: 0, msPerSource: 0 });
    const sized = await d.execute(AT);
    const bySize = { outcomes: [...outcomes], keys: putKeys() };
    h.reports = step({ maxSources: 20, reserveMs: 20_000, msPerSource: 1_000 });
    outcomes = [];
    s3Mock.resetHistory();
    h.settings = { ...h.settings, fullSweepHours: 0.25 };

    // Act
    const timed = await d.execute(minutes(AT, 15), { remainingMs: (s) => () => (s === 'finalize' ? 30_000 : 900_000) });

    // Assert
    expect(sized.status).toBe('succeeded');
    expect(bySize).toEqual({ outcomes: ['skipped', 'written'], keys: ['reports/second/20261124T120000Z.html', 'reports/second/latest.html'] });
    expect(timed.aggregators.map((a) => a.mode)).toEqual(['full', 'full']);
    expect(outcomes).toEqual(['skipped', 'written']);
    expect(putKeys()).toEqual(['reports/second/20261124T121500Z.html', 'reports/second/latest.html']);
  });
});
