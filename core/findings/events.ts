/**
 * EventBridge entries: one event per change that matters, batched within PutEvents' limits. Pure.
 *
 * PutEvents (EventBridge API Reference): `Entries` holds 1 to 10 entries; `Detail`, `DetailType` and `Source` are
 * required for an entry to be sent; `DetailType` is at most 128 characters. Entry size (EventBridge User Guide,
 * "Calculating Amazon EventBridge PutEvents event entry size"): `Time`, if given, counts 14 bytes; `Source`,
 * `DetailType`, `Detail` and each `Resources` entry their UTF-8 bytes; "the total entry size must be less than
 * 256KB" for the request.
 */
import { AggwatchError } from '../errors';
import { hintFor, type HintScope } from './hints';
import { sourceKey, type SourceState } from '../model';
import type { Digest } from '../notices';
import type { ErrorCodeChange, Notice } from './changes';
import { noticesOf } from './changes';
import { DETAIL_SCHEMA_VERSION, DETAIL_TEXT_MAX, DETAIL_TYPES, EVENT_SOURCE, type DetailType } from './event-contract';
import type { EventDetail, MonitorEventDetail, SourceEventDetail, SourceStatusDetail } from './event-schema';
import { noticeId } from './ids';
import { isoOr, oneLine, utf8Bytes } from './text';

/** PutEvents limits. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** "Less than 256KB": the largest total entry size a request may carry. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024 - 1;
/** What the `Time` parameter counts, whatever its value. */
export const TIME_BYTES = 14;
export const DETAIL_TYPE_MAX = 128;

/** A PutEventsRequestEntry as the monitor sends it; `Time` as ISO 8601 (the adapter hands the SDK a Date). */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: DetailType;
  readonly Detail: string;
  readonly Time: string;
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
}

export interface EventEntry {
  readonly entry: PutEventsEntry;
  readonly detail: EventDetail;
  /** What to mark delivered once EventBridge accepted the entry. */
  readonly about: Notice;
  readonly noticeId: string;
  /** Its size as EventBridge counts it. */
  readonly bytes: number;
}

export interface EventsInput {
  readonly digest: Digest;
  readonly errorCodeChanges?: readonly ErrorCodeChange[];
  /** States as the monitor remembered them before this run, by source key: the events' `previous`. */
  readonly previous?: ReadonlyMap<string, SourceState>;
  /** The aggregator record's monitorErrorNotifiedAt before this run (the monitor notice's marker). */
  readonly monitorNotifiedAt?: string;
  /** A bus name or ARN; absent: the account's default bus (PutEventsRequestEntry.EventBusName). */
  readonly eventBusName?: string;
}

/** An event that could never be sent: a bug in the limits below, reported instead of handing EventBridge a reject. */
export class EventTooLargeError extends AggwatchError {
  override readonly name = 'EventTooLargeError';
  readonly code = 'EventTooLarge';
}

/** The events one aggregator's run owes, in a stable order (monitor first, then sources as the digest lists them). */
export function buildEvents(input: EventsInput): EventEntry[] {
  const { digest } = input;
  return noticesOf(digest, input.errorCodeChanges).map((about) => {
    const id = noticeId(digest.aggregator, about, input.monitorNotifiedAt);
    const [detailType, detail] = about.kind === 'monitor' ? monitorDetail(digest, about, id) : sourceDetail(digest, about, id, input.previous);
    const entry: PutEventsEntry = {
      Source: EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      Time: isoOr(digest.at, digest.at),
      ...(input.eventBusName !== undefined ? { EventBusName: input.eventBusName } : {}),
    };
    const bytes = entrySize(entry);
    if (bytes > PUT_EVENTS_MAX_BYTES) {
      throw new EventTooLargeError(`event ${id} (${detailType}) is ${bytes} bytes; PutEvents takes less than 256 KB`);
    }
    return { entry, detail, about, noticeId: id, bytes };
  });
}

/** The entry's size as EventBridge calculates it (see the file header). */
export function entrySize(entry: Pick<PutEventsEntry, 'Source' | 'DetailType' | 'Detail'> & { readonly Time?: unknown; readonly Resources?: readonly string[] }): number {
  let bytes = entry.Time !== undefined ? TIME_BYTES : 0;
  bytes += utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  for (const r of entry.Resources ?? []) bytes += utf8Bytes(r);
  return bytes;
}

/** Requests of at most 10 entries whose sizes add up to less than 256 KB, in order. */
export function batchEvents<T extends { readonly bytes: number }>(entries: readonly T[]): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let used = 0;
  for (const e of entries) {
    if (batch.length > 0 && (batch.length === PUT_EVENTS_MAX_ENTRIES || used + e.bytes > PUT_EVENTS_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      used = 0;
    }
    batch.push(e);
    used += e.bytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

// ---------------------------------------------------------------------------------------------------------------

const scopeOf = (s: SourceState): HintScope => (s.sourceType === 'ORGANIZATION' ? 'ORGANIZATION' : 'ACCOUNT');

/** The remediation hint of the digest's table: by error code, or by condition when Config gave no code. */
export function remediationFor(state: SourceState, condition: string): string | undefined {
  return hintFor(state.errorCode ?? condition, scopeOf(state));
}

export function sourceStatus(s: SourceState): SourceStatusDetail {
  return {
    sourceId: oneLine(s.sourceId, 256),
    sourceType: oneLine(s.sourceType, 64),
    awsRegion: oneLine(s.region, 64),
    lastUpdateStatus: oneLine(s.status, 64),
    ...(s.lastUpdateTime !== undefined && !Number.isNaN(Date.parse(s.lastUpdateTime)) ? { lastUpdateTime: isoOr(s.lastUpdateTime, '') } : {}),
    ...(s.errorCode !== undefined ? { lastErrorCode: oneLine(s.errorCode, 256) } : {}),
    ...(s.errorMessage !== undefined ? { lastErrorMessage: oneLine(s.errorMessage, DETAIL_TEXT_MAX) } : {}),
  };
}

function sourceDetail(
  digest: Digest,
  about: Exclude<Notice, { kind: 'monitor' }>,
  id: string,
  previousStates: ReadonlyMap<string, SourceState> | undefined,
): [DetailType, SourceEventDetail] {
  const state = about.kind === 'source' ? about.notice.state : about.change.state;
  const condition = about.kind === 'source' ? about.notice.condition : about.change.condition;
  const kind: SourceEventDetail['noticeKind'] =
    about.kind === 'error-code' ? 'error-code-changed' : about.notice.removed ? 'removed' : about.notice.kind;
  const before = previousStates?.get(sourceKey(state));
  // error-code-changed: the code last delivered, which is what the change is relative to.
  const previousCode = about.kind === 'error-code' ? about.change.previousErrorCode || undefined : before?.errorCode;
  const previous: SourceEventDetail['previous'] = {
    ...(before ? { lastUpdateStatus: oneLine(before.status, 64) } : {}),
    ...(previousCode !== undefined ? { lastErrorCode: oneLine(previousCode, 256) } : {}),
    ...(state.notifiedCondition !== undefined ? { notifiedCondition: oneLine(state.notifiedCondition, 64) } : {}),
    ...(state.notifiedAt !== undefined && !Number.isNaN(Date.parse(state.notifiedAt)) ? { notifiedAt: isoOr(state.notifiedAt, '') } : {}),
  };
  const hint = kind === 'recovery' || kind === 'removed' ? undefined : remediationFor(state, condition);
  const detail: SourceEventDetail = {
    schemaVersion: DETAIL_SCHEMA_VERSION,
    noticeKind: kind,
    noticeId: id,
    aggregator: oneLine(digest.aggregator, 256),
    runAt: isoOr(digest.at, digest.at),
    condition: oneLine(condition, 64),
    since: isoOr(state.since, digest.at),
    source: sourceStatus(state),
    previous,
    ...(kind === 'removed' ? { removedAt: isoOr(state.removedAt, digest.at) } : {}),
    ...(hint !== undefined ? { remediation: hint } : {}),
  };
  const type = kind === 'removed' ? DETAIL_TYPES.sourceRemoved : kind === 'recovery' ? DETAIL_TYPES.sourceRecovered : DETAIL_TYPES.sourceAlert;
  return [type, detail];
}

function monitorDetail(digest: Digest, about: Extract<Notice, { kind: 'monitor' }>, id: string): [DetailType, MonitorEventDetail] {
  const m = about.notice;
  const error = m.kind === 'monitor-error';
  const hint = error ? hintFor(m.code, 'monitor') : undefined;
  const detail: MonitorEventDetail = {
    schemaVersion: DETAIL_SCHEMA_VERSION,
    noticeKind: error ? 'monitor-error' : 'monitor-recovery',
    noticeId: id,
    aggregator: oneLine(digest.aggregator, 256),
    runAt: isoOr(digest.at, digest.at),
    reminder: m.reminder,
    error: { code: oneLine(m.code, 256), message: oneLine(m.message, DETAIL_TEXT_MAX), since: isoOr(m.since, digest.at) },
    ...(hint !== undefined ? { remediation: hint } : {}),
  };
  return [error ? DETAIL_TYPES.monitorError : DETAIL_TYPES.monitorRecovered, detail];
}
