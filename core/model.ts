/**
 * The domain model: what Config tells us about a source, and what we remember about it.
 * Pure types and helpers, no AWS SDK.
 */

/** The statuses DescribeConfigurationAggregatorSourcesStatus documents. Others are kept as they come. */
export const KNOWN_STATUSES = ['FAILED', 'SUCCEEDED', 'OUTDATED'] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

/** Statuses that can be alerted on (`alertStatuses`). */
export const ALERTABLE_STATUSES = ['FAILED', 'OUTDATED'] as const;
export type AlertableStatus = (typeof ALERTABLE_STATUSES)[number];

/** The non-SUCCEEDED values the API's UpdateStatus filter accepts: the fast path asks for these only. */
export const ATTENTION_FILTER: readonly KnownStatus[] = ['FAILED', 'OUTDATED'];

/** Placeholder for a field the API left out: the key stays well-formed and the gap stays visible. */
export const MISSING = '(missing)';

/** The alert condition of a SUCCEEDED source whose LastUpdateTime is older than `staleAfterHours`. */
export const STALE = 'STALE';

/** One AggregatedSourceStatus, normalised: key fields always present, optional ones kept only if sent. */
export interface ObservedSource {
  readonly sourceId: string;
  readonly sourceType: string;
  readonly region: string;
  /** LastUpdateStatus as sent; an unknown value is kept verbatim. */
  readonly status: string;
  /** LastUpdateTime, ISO 8601. */
  readonly lastUpdateTime?: string;
  /** LastErrorCode: free text with no published list of values, stored raw. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** The remembered current state of one source (one item in the table). */
export interface SourceState extends ObservedSource {
  readonly aggregator: string;
  /** When the source was first seen by the monitor. */
  readonly firstSeenAt: string;
  /** When the source entered its current status (or error code). */
  readonly since: string;
  /** SUCCEEDED but not updated for `staleAfterHours`, as of the last full sweep. */
  readonly stale?: boolean;
  /** Set when the source left the aggregator; the item stays only until a pending notice about it is sent. */
  readonly removedAt?: string;
  /** The alert condition last accepted by SNS for this source (a status or STALE), and when. */
  readonly notifiedCondition?: string;
  readonly notifiedAt?: string;
  /**
   * The error code last accepted by every channel with the alert ('' for none): written with the notice marker,
   * and when an error-code-change event is accepted, so that a change not accepted in its run is sent again.
   * Absent on states written before it existed: no change is owed for them (see core/findings/changes.ts).
   */
  readonly notifiedErrorCode?: string;
}

/**
 * Identity of a source within an aggregator: source type, source id and region, as the issue keys it. Built with
 * join, which makes one flat string: a template literal makes a tree of concatenations, 128 bytes instead of 57,
 * and a full sweep of 100,000 sources keeps two maps keyed by these.
 */
export function sourceKey(s: Pick<ObservedSource, 'sourceType' | 'sourceId' | 'region'>): string {
  return [s.sourceType, s.sourceId, s.region].join('#');
}

/** History entry kinds. */
export const HISTORY_EVENTS = [
  'FIRST_SEEN',
  'STATUS_CHANGED',
  'ERROR_CHANGED',
  'STALE',
  'FRESH',
  'REMOVED',
] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

export interface HistoryEntry {
  readonly aggregator: string;
  readonly sourceId: string;
  readonly sourceType: string;
  readonly region: string;
  /** The run's logical time: the scheduled event's time, so a retried delivery writes the same key. */
  readonly at: string;
  readonly event: HistoryEvent;
  readonly fromStatus?: string;
  /** The status entered; REMOVED when the source left the aggregator. */
  readonly toStatus: string;
  readonly lastUpdateTime?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** An aggregator-level error: the aggregator is missing, or its run failed. */
export interface MonitorError {
  readonly code: string;
  readonly message: string;
  /** When the error was first seen, ISO 8601. */
  readonly since: string;
}

/** Per-aggregator bookkeeping that outlives a run. */
export interface AggregatorMeta {
  readonly aggregator: string;
  readonly lastFullSweepAt?: string;
  /** Sources seen by the last full sweep: gives the SUCCEEDED count on the fast path. */
  readonly totalSources?: number;
  /** Earliest moment a fresh SUCCEEDED source can turn stale: the fast path sweeps fully from then. */
  readonly nextStaleAt?: string;
  /** The aggregator-level error (missing aggregator, failed run) last notified, and when. */
  readonly monitorError?: MonitorError;
  readonly monitorErrorNotifiedAt?: string;
  /** The time of the run that wrote this record: an older, overlapping run never overwrites a newer one's. */
  readonly updatedAt?: string;
}

/** Why an aggregator's run failed: the error's class name and message. */
export interface RunError {
  readonly name: string;
  readonly message: string;
}

/** Run summary, one per aggregator per run. */
export interface RunSummary {
  readonly aggregator: string;
  readonly runAt: string;
  readonly mode: 'full' | 'fast';
  /** Why a full sweep ran (first-run, schedule, staleness-due, attention-set-shrank). */
  readonly sweepReason?: string;
  readonly outcome: 'ok' | 'error';
  readonly counts: Readonly<Record<string, number>>;
  readonly configCalls: number;
  readonly pagesRead: number;
  readonly sourcesRead: number;
  readonly historyWritten: number;
  readonly stateWritten: number;
  readonly noticesPublished: number;
  /** DynamoDB write requests this aggregator's run made (BatchWriteItem and PutItem calls). */
  readonly writeRequests?: number;
  readonly durationMs: number;
  readonly error?: RunError;
}

/**
 * A scheduled tick that started no run because an earlier run's execution was still running (one execution at a
 * time, docs/reliability.md): written by the dispatcher next to the run summaries, shown by `aggwatch runs`.
 */
export interface SkippedRun {
  /** The tick's time (the scheduled event's), as a run summary's runAt. */
  readonly runAt: string;
  readonly outcome: 'skipped';
  /** The execution this tick would have started. */
  readonly execution: string;
  /** The execution that was still running, and when it started (ISO 8601). */
  readonly runningExecution: string;
  readonly runningSince: string;
  /** How long it had been running when the tick came, milliseconds. */
  readonly runningForMs: number;
}

/** What the RUNS partition holds: a run summary per aggregator per run, and the skipped ticks. */
export type RunRecord = RunSummary | SkippedRun;

export function isSkippedRun(r: RunRecord): r is SkippedRun {
  return r.outcome === 'skipped';
}

export const HOUR_MS = 3_600_000;

export function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * HOUR_MS).toISOString();
}
