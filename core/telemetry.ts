/**
 * Names of the metrics the handler emits (CloudWatch embedded metric format, through Powertools Metrics)
 * and the stack's alarms and dashboard read. One place, so the two cannot disagree.
 */
export const TELEMETRY = {
  namespace: 'ConfigAggregatorWatch',
  /** Powertools adds it as the `service` dimension of every metric. */
  service: 'config-aggregator-watch',
  dimensions: { service: 'service', aggregator: 'Aggregator', status: 'Status' },
  metrics: {
    /** Per aggregator and status (dimensions service, Aggregator, Status): sources in that status. */
    sources: 'Sources',
    /** Total FAILED sources over all aggregators in this run (dimension service). */
    failedSources: 'FailedSources',
    /** 1 for each run that read and recorded every aggregator (dimension service). */
    successfulRuns: 'SuccessfulRuns',
    /** Aggregators that could not be read or recorded in this run (dimension service). */
    aggregatorErrors: 'AggregatorErrors',
    /** Whole-run wall time, milliseconds (dimension service). */
    runDuration: 'RunDuration',
    /** DescribeConfigurationAggregatorSourcesStatus calls in this run (dimension service). */
    configCalls: 'ConfigCalls',
    /** SNS messages accepted in this run (dimension service). */
    noticesPublished: 'NoticesPublished',
    /** Status reports written to the report bucket in this run, one per aggregator swept in full (dimension service). */
    reportsWritten: 'ReportsWritten',
    /** Status reports that could not be written (read, rendered or put) in this run (dimension service). */
    reportFailures: 'ReportFailures',
    /** Status reports skipped for size or time left in this run (dimension service). */
    reportsSkipped: 'ReportsSkipped',
    /**
     * Emitted by the dispatcher at each scheduled tick (dimension service): 1 when the tick started no execution
     * because an earlier run's execution was still running (the tick is recorded as skipped), 0 when it started
     * one (or found its own already started), so the RunOutlastedSchedule alarm has a data point to clear on.
     */
    skippedRuns: 'SkippedRuns',
  },
} as const;
