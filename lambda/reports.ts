/**
 * The status report at each full sweep (REPORT_BUCKET set): after every aggregator of the run is recorded and
 * notified, each aggregator swept in full has its report written to the bucket, one after another. Best effort: a
 * report that cannot be written is logged and counted (the ReportFailures metric), and never fails the run or
 * holds back a notice: those are sent and recorded before this starts.
 *
 * Bounds, so that a 512 MB function never runs out of memory or time for a report:
 * - memory: the report loads the aggregator's states again (the run's own lists are garbage by then) and builds a
 *   model and a page of a few MB (docs/report.md, "At scale": 370,000 sources, 0.4 to 1.7 s, 1.5 to 14 MB of HTML).
 *   Only one aggregator's at a time; above MAX_REPORT_SOURCES (more than one aggregator can report: about 370,000
 *   sources, 10,000 accounts over the regions it collects) the report is skipped with a warning rather than risk it;
 * - time: a report starts only with REPORT_RESERVE_MS plus REPORT_MS_PER_SOURCE per source left before the
 *   function's timeout (an estimate: reading the states back, building, rendering and two puts), else it is skipped
 *   with a warning and the next full sweep writes one.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RunSummary } from '../core/model';
import type { ReportLink } from '../core/report';
import type { ReportWriter } from '../adapters/report-writer';
import { errorCode } from '../core/errors';

/** Above this many sources in an aggregator, its report is skipped (a warning, the ReportsSkipped metric). */
export const MAX_REPORT_SOURCES = 400_000;
/** Time kept free of the report before the function's timeout, and the estimated cost of a report per source. */
export const REPORT_RESERVE_MS = 20_000;
export const REPORT_MS_PER_SOURCE = 0.25;

export type ReportOutcome = 'written' | 'failed' | 'skipped';

/** The run the reports are written for: its logical time, and the invocation's time left (Finalize's). */
export interface ReportContext {
  /** The run's logical time (the scheduled tick's), which keys its records. */
  readonly at: string;
  /** Milliseconds left before the function is cut off. */
  readonly remainingMs?: () => number;
}

/** What Finalize calls once the run's aggregators are recorded (StepDeps.reports, lambda/steps/finalize.ts). */
export interface ReportStep {
  /** Where the reports are, for the digest to name. */
  readonly link: ReportLink;
  afterRun(ctx: ReportContext, summaries: readonly RunSummary[]): Promise<void>;
}

export interface ReportLimits {
  readonly maxSources: number;
  readonly reserveMs: number;
  readonly msPerSource: number;
}

export interface FullSweepReportsOptions {
  /** The function's Region (AWS_REGION), for the console link. */
  readonly region?: string;
  /** Told each report's outcome (the handler counts them as metrics). */
  readonly count?: (outcome: ReportOutcome) => void;
  readonly limits?: ReportLimits;
}

export class FullSweepReports implements ReportStep {
  readonly link: ReportLink;
  private readonly count: (outcome: ReportOutcome) => void;
  private readonly limits: ReportLimits;

  constructor(
    private readonly writer: Pick<ReportWriter, 'write' | 'bucket'>,
    private readonly logger: Logger,
    options: FullSweepReportsOptions = {},
  ) {
    this.link = { bucket: writer.bucket, ...(options.region ? { region: options.region } : {}) };
    this.count = options.count ?? (() => undefined);
    this.limits = options.limits ?? { maxSources: MAX_REPORT_SOURCES, reserveMs: REPORT_RESERVE_MS, msPerSource: REPORT_MS_PER_SOURCE };
  }

  async afterRun(ctx: ReportContext, summaries: readonly RunSummary[]): Promise<void> {
    for (const summary of summaries) {
      if (summary.outcome !== 'ok' || summary.mode !== 'full') continue;
      this.count(await this.one(ctx, summary));
    }
  }

  private async one(ctx: ReportContext, summary: RunSummary): Promise<ReportOutcome> {
    const { aggregator, sourcesRead: sources } = summary;
    const { maxSources, reserveMs, msPerSource } = this.limits;
    if (sources > maxSources) {
      this.logger.warn('Status report skipped: the aggregator has more sources than a report is built for', { aggregator, sources, maxSources });
      return 'skipped';
    }
    const neededMs = Math.round(reserveMs + sources * msPerSource);
    const leftMs = ctx.remainingMs?.();
    if (leftMs !== undefined && leftMs < neededMs) {
      this.logger.warn('Status report skipped: too little time left in this run; the next full sweep writes one', { aggregator, sources, leftMs, neededMs });
      return 'skipped';
    }
    try {
      const written = await this.writer.write(aggregator, ctx.at);
      this.logger.info('Status report written', { aggregator, ...written });
      return 'written';
    } catch (e) {
      this.logger.error('Could not write the status report', { aggregator, bucket: this.writer.bucket, code: errorCode(e), error: e as Error });
      return 'failed';
    }
  }
}
