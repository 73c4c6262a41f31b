/**
 * The run's EMF metrics (Powertools Metrics), as one run reports them: per aggregator and status, the totals, the
 * run's outcome. Emitted by the workflow's Finalize step (lambda/steps/finalize.ts), once per run.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunSummary } from '../core/model';
import { TELEMETRY } from '../core/telemetry';

export interface RunMetricsInput {
  readonly aggregators: readonly RunSummary[];
  readonly failed: readonly string[];
  readonly durationMs: number;
}

/** What of Powertools' Metrics the run's metrics use (a Metrics instance is one). */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
export interface MetricsSink {
  addMetric(name: string, unit: Unit, value: number): void;
  singleMetric(): { addDimensions(dimensions: Record<string, string>): void; addMetric(name: string, unit: Unit, value: number): void };
}

export function emitMetrics(metrics: MetricsSink, report: RunMetricsInput): void {
  const { metrics: m, dimensions: d } = TELEMETRY;
  let failed = 0;
  let calls = 0;
  let published = 0;
  for (const a of report.aggregators) {
    calls += a.configCalls;
    published += a.noticesPublished;
    if (a.outcome !== 'ok') continue;
    failed += a.counts.FAILED ?? 0;
    for (const [status, count] of Object.entries(a.counts)) {
      const single = metrics.singleMetric();
      single.addDimensions({ [d.aggregator]: a.aggregator, [d.status]: status });
      single.addMetric(m.sources, MetricUnit.Count, count);
    }
  }
  metrics.addMetric(m.failedSources, MetricUnit.Count, failed);
  metrics.addMetric(m.successfulRuns, MetricUnit.Count, report.failed.length === 0 ? 1 : 0);
  metrics.addMetric(m.aggregatorErrors, MetricUnit.Count, report.failed.length);
  metrics.addMetric(m.runDuration, MetricUnit.Milliseconds, report.durationMs);
  metrics.addMetric(m.configCalls, MetricUnit.Count, calls);
  metrics.addMetric(m.noticesPublished, MetricUnit.Count, published);
}
