/**
 * Writes an aggregator's status report to S3: rendered from the table by the same reader as `aggwatch report`
 * (store/report-input.ts), then put twice, as `reports/<aggregator>/latest.html` (overwritten at each full sweep, the
 * key the digest names) and as a dated copy beside it (kept until the bucket's lifecycle rule expires it).
 *
 * One report per aggregator rather than one of every aggregator: a full sweep is an aggregator's, each report holds
 * one aggregator's states in memory at a time, and an `all` key could collide with an aggregator named `all`
 * (aggregator names are [\w-]{1,256}).
 *
 * Encryption: no header is sent by default, so the bucket's default encryption applies (S3 encrypts every object;
 * SSE-S3 unless the bucket's default says SSE-KMS: Amazon S3 User Guide, "Setting default server-side encryption
 * behavior for Amazon S3 buckets"); `serverSideEncryption` sends `x-amz-server-side-encryption` for buckets whose
 * policy requires the header.
 */
import { PutObjectCommand, type S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { AggwatchError } from '../core/errors';
import { CELL_STATUSES, buildReportModel, renderReportHtml, reportKeys, s3Uri } from '../core/report';
import { readReportInputs } from './store/report-input';
import type { HistoryStore } from './store/history-store';

/** The report's history window, as `aggwatch report`'s default (30 days). */
export const REPORT_WINDOW_DAYS = 30;
export const REPORT_CONTENT_TYPE = 'text/html; charset=utf-8';

/** The map's statuses that are sources (NONE counts the empty cells). */
const SOURCE_STATUSES = CELL_STATUSES.filter((s) => s !== 'NONE');

/** The report could not be read, rendered or put; `cause` is what failed. */
export class ReportWriteError extends AggwatchError {
  override readonly name = 'ReportWriteError';
  readonly code = 'ReportWriteFailed';
}

export interface ReportWriterOptions {
  readonly bucket: string;
  /** `x-amz-server-side-encryption` to send; the bucket's default encryption when undefined. */
  readonly serverSideEncryption?: ServerSideEncryption;
  /** The KMS key for `aws:kms` (`x-amz-server-side-encryption-aws-kms-key-id`); the bucket's when undefined. */
  readonly kmsKeyId?: string;
  /** The clock (tests): the report's generation time and the end of its window. */
  readonly now?: () => Date;
}

export interface ReportWritten {
  readonly bucket: string;
  readonly latest: string;
  readonly dated: string;
  readonly bytes: number;
  readonly sources: number;
}

export class ReportWriter {
  private readonly now: () => Date;

  constructor(
    private readonly s3: S3Client,
    private readonly store: HistoryStore,
    private readonly options: ReportWriterOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  get bucket(): string {
    return this.options.bucket;
  }

  /** Renders the aggregator's report from the table and puts it, dated copy first: `latest` is always complete. */
  async write(aggregator: string, runAt: string): Promise<ReportWritten> {
    const keys = reportKeys(aggregator, runAt);
    const step = async <T>(what: string, fn: () => Promise<T> | T): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        throw new ReportWriteError(`Could not ${what} for aggregator ${aggregator}: ${reason}`, { cause: e });
      }
    };
    // Read and rendered in a function of its own: the states it loads are garbage before the puts start.
    const { body, sources } = await step('read and render the report', () => this.render(aggregator));
    await step(`put ${s3Uri(this.bucket, keys.dated)}`, () => this.put(keys.dated, body));
    await step(`put ${s3Uri(this.bucket, keys.latest)}`, () => this.put(keys.latest, body));
    return { bucket: this.bucket, ...keys, bytes: body.byteLength, sources };
  }

  private async render(aggregator: string): Promise<{ body: Buffer; sources: number }> {
    const now = this.now();
    const to = now.toISOString();
    const from = new Date(now.getTime() - REPORT_WINDOW_DAYS * 86_400_000).toISOString();
    const meta = await this.store.getMeta(aggregator);
    const inputs = await readReportInputs(this.store, [aggregator], meta ? [meta] : [], { from, to });
    const model = buildReportModel({ generatedAt: to, window: { from, to }, tableName: this.store.tableName, aggregators: inputs });
    const sources = model.aggregators.reduce((n, a) => n + SOURCE_STATUSES.reduce((k, status) => k + a.counts[status], 0), 0);
    return { body: Buffer.from(renderReportHtml(model), 'utf8'), sources };
  }

  private async put(key: string, body: Buffer): Promise<void> {
    const { serverSideEncryption, kmsKeyId } = this.options;
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: REPORT_CONTENT_TYPE,
        // A browser or proxy must not show an old `latest` (RFC 9111, no-cache: revalidate before reuse).
        CacheControl: 'no-cache',
        ...(serverSideEncryption ? { ServerSideEncryption: serverSideEncryption } : {}),
        ...(kmsKeyId ? { SSEKMSKeyId: kmsKeyId } : {}),
      }),
    );
  }
}

export { REPORT_PREFIX, reportKeys } from '../core/report';
