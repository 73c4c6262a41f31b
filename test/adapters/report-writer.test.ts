import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPORT_CONTENT_TYPE, ReportWriteError, ReportWriter, reportKeys } from '../../adapters/report-writer';
import type { HistoryStore } from '../../adapters/store/history-store';
import type { HistoryEntry, RunSummary } from '../../core/model';
import { AT, byKey, meta, runSummary, state } from '../support/builders';

const BUCKET = 'aggwatch-reports-123456789012';
const NOW = new Date('2026-11-24T12:03:00.000Z');

/** The store's reads the report needs, over fixed contents; records what was asked. */
function fakeStore() {
  const asked: string[] = [];
  const states = byKey(
    state({ sourceId: '100000000001', region: 'eu-west-1', status: 'FAILED', errorCode: 'AccessDeniedException', errorMessage: 'denied' }),
    state({ sourceId: '100000000002', region: 'eu-west-1' }),
  );
  const runs: RunSummary[] = [runSummary({ aggregator: 'org', runAt: AT, mode: 'full', counts: { FAILED: 1, SUCCEEDED: 1 } })];
  const store = {
    tableName: 'aggwatch-history',
    getMeta: async (aggregator: string) => {
      asked.push(`getMeta ${aggregator}`);
      return meta({ aggregator, lastFullSweepAt: AT });
    },
    loadAll: async (aggregator: string) => {
      asked.push(`loadAll ${aggregator}`);
      return states;
    },
    transitions: async (aggregator: string, status: string, range: { from: string; to: string }) => {
      asked.push(`transitions ${aggregator} ${status} ${range.from} ${range.to}`);
      return [] as HistoryEntry[];
    },
    runs: async (range: { from: string; to: string }) => {
      asked.push(`runs ${range.from} ${range.to}`);
      return runs;
    },
  };
  return { store: store as unknown as HistoryStore, asked };
}

describe('reportKeys', () => {
  it('puts the latest and a copy dated by the run time (basic ISO 8601, no colons) under reports/<aggregator>/', () => {
    // Act
    const keys = reportKeys('org-main', '2026-11-24T12:00:00.000Z');

    // Assess
    expect(keys).toStrictEqual({ latest: 'reports/org-main/latest.html', dated: 'reports/org-main/20261124T120000Z.html' });
  });

  it('rejects a run time that is not a date, naming it', () => {
    expect(() => reportKeys('org', 'yesterday')).toThrow('Invalid run time "yesterday": expected an ISO date-time');
  });
});

describe('ReportWriter', () => {
  const s3Mock = mockClient(S3Client);

  beforeEach(() => {
    s3Mock.reset();
  });

  it('renders the report from the table and puts it twice, dated copy first, as UTF-8 HTML', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    const { store, asked } = fakeStore();
    const writer = new ReportWriter(new S3Client({ region: 'eu-west-1' }), store, { bucket: BUCKET, now: () => NOW });

    // Act
    const written = await writer.write('org', AT);

    // Assess
    const calls = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.Bucket, c.Key, c.ContentType, c.CacheControl])).toStrictEqual([
      [BUCKET, 'reports/org/20261124T120000Z.html', REPORT_CONTENT_TYPE, 'no-cache'],
      [BUCKET, 'reports/org/latest.html', REPORT_CONTENT_TYPE, 'no-cache'],
    ]);
    expect(REPORT_CONTENT_TYPE).toBe('text/html; charset=utf-8');
    const html = Buffer.from(calls[0]?.Body as Buffer).toString('utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('100000000001');
    expect(html).toContain('AccessDeniedException');
    expect(calls[1]?.Body).toStrictEqual(calls[0]?.Body);
    expect(calls[0]).not.toHaveProperty('ServerSideEncryption');
    expect(written).toStrictEqual({
      bucket: BUCKET,
      latest: 'reports/org/latest.html',
      dated: 'reports/org/20261124T120000Z.html',
      bytes: Buffer.byteLength(html),
      sources: 2,
    });
    // The window: 30 days back from now, as aggwatch report's default.
    expect(asked).toContain('runs 2026-10-25T12:03:00.000Z 2026-11-24T12:03:00.000Z');
    expect(asked).toContain('loadAll org');
    expect(asked).toContain('transitions org FAILED 2026-10-25T12:03:00.000Z 2026-11-24T12:03:00.000Z');
  });

  it('sends the encryption headers a bucket policy may require', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    const { store } = fakeStore();
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const writer = new ReportWriter(new S3Client({ region: 'eu-west-1' }), store, {
      bucket: BUCKET,
      serverSideEncryption: 'aws:kms',
      kmsKeyId: key,
    });

    // Act
    await writer.write('org', AT);

    // Assess
    for (const call of s3Mock.commandCalls(PutObjectCommand)) {
      expect([call.args[0].input.ServerSideEncryption, call.args[0].input.SSEKMSKeyId]).toStrictEqual(['aws:kms', key]);
    }
  });

  it('fails with a ReportWriteError naming the object and the cause, and leaves latest alone when the dated put fails', async () => {
    // Prepare
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
    s3Mock.on(PutObjectCommand).rejects(denied);
    const { store } = fakeStore();
    const writer = new ReportWriter(new S3Client({ region: 'eu-west-1', maxAttempts: 1 }), store, { bucket: BUCKET });

    // Act
    const error = (await writer.write('org', AT).catch((e: unknown) => e)) as ReportWriteError;

    // Assess
    expect(error).toBeInstanceOf(ReportWriteError);
    expect(error.code).toBe('ReportWriteFailed');
    expect(error.message).toBe(
      `Could not put s3://${BUCKET}/reports/org/20261124T120000Z.html for aggregator org: AccessDenied: Access Denied`,
    );
    expect(error.cause).toBe(denied);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('fails with a ReportWriteError when the table cannot be read, putting nothing', async () => {
    // Prepare
    const { store } = fakeStore();
    (store as { loadAll: unknown }).loadAll = async () => {
      throw new Error('throttled');
    };
    const writer = new ReportWriter(new S3Client({ region: 'eu-west-1' }), store, { bucket: BUCKET });

    // Act
    const error = (await writer.write('org', AT).catch((e: unknown) => e)) as Error;

    // Assess
    expect(error.message).toBe('Could not read and render the report for aggregator org: Error: throttled');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });
});
