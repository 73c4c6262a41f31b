/**
 * The `json` format: a versioned, machine-readable digest part for the subscribers users add (HTTPS, SQS, Lambda).
 * Every key is always present (null when unknown), so a reader never has to test for a missing field. The schema
 * is documented in docs/notifications.md; DIGEST_JSON_VERSION changes only when a change would break a reader.
 */
import type { Digest, MonitorNotice, NoticeKind, SourceNotice, SourceNoticeKind } from '../notices';
import { oneLine } from './charset';
import { hintFor } from './hints';
import { FIELD_MAX } from './limits';
import { DIGEST_JSON_SCHEMA, DIGEST_JSON_VERSION } from './formats';
import { SECTIONS, byCount, countBy, groupKey, ofKind } from './wording';

export interface SourceNoticeJson {
  readonly kind: SourceNoticeKind;
  /** failure/reminder: the alert condition now (FAILED, OUTDATED or STALE); recovery: the condition that ended. */
  readonly condition: string;
  /** A recovery because the source left the aggregator. */
  readonly removed: boolean;
  readonly sourceId: string;
  readonly sourceType: string;
  readonly region: string;
  /** LastUpdateStatus as Config reports it. */
  readonly status: string;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly lastUpdateTime: string | null;
  /** When the source entered its current status or error code. */
  readonly since: string;
  readonly removedAt: string | null;
  readonly hint: string | null;
}

export interface MonitorNoticeJson {
  readonly kind: 'monitor-error' | 'recovery';
  readonly code: string;
  readonly message: string;
  readonly since: string;
  readonly reminder: boolean;
  readonly hint: string | null;
}

/** The sources past the last part that are counted, not listed. */
export interface OmittedJson {
  readonly count: number;
  readonly byKind: Readonly<Partial<Record<SourceNoticeKind, number>>>;
  /** At most 25 conditions, most frequent first. */
  readonly byCondition: readonly { readonly condition: string; readonly count: number }[];
  /** At most 25 error codes of failing sources, most frequent first; the rest in otherErrorCodes. */
  readonly topErrorCodes: readonly { readonly code: string; readonly count: number }[];
  readonly otherErrorCodes: number;
}

export interface DigestJson {
  readonly schema: typeof DIGEST_JSON_SCHEMA;
  readonly version: typeof DIGEST_JSON_VERSION;
  readonly aggregator: string;
  /** The run's time (ISO 8601 UTC). */
  readonly at: string;
  readonly part: number;
  readonly parts: number;
  /** The whole digest's notices by kind, in every part. */
  readonly counts: Readonly<Record<NoticeKind, number>>;
  /** The monitor notice, in part 1 only. */
  readonly monitor: MonitorNoticeJson | null;
  readonly notices: readonly SourceNoticeJson[];
  readonly omitted: OmittedJson | null;
}

const text = (value: string | undefined, max: number): string | null => (value === undefined ? null : oneLine(value, max));
const time = (value: string | undefined): string | null => text(value, 40);

export function sourceNoticeJson(n: SourceNotice): SourceNoticeJson {
  const s = n.state;
  const failing = n.kind !== 'recovery';
  const code = s.errorCode ?? (failing ? n.condition : undefined);
  return {
    kind: n.kind,
    condition: oneLine(n.condition, FIELD_MAX.status),
    removed: n.removed,
    sourceId: oneLine(s.sourceId, FIELD_MAX.id),
    sourceType: oneLine(s.sourceType, FIELD_MAX.type),
    region: oneLine(s.region, FIELD_MAX.region),
    status: oneLine(s.status, FIELD_MAX.status),
    errorCode: text(s.errorCode, FIELD_MAX.code),
    errorMessage: text(s.errorMessage, FIELD_MAX.message),
    lastUpdateTime: time(s.lastUpdateTime),
    since: oneLine(s.since, 40),
    removedAt: time(s.removedAt),
    hint: failing && code !== undefined ? (hintFor(code, s.sourceType === 'ORGANIZATION' ? 'ORGANIZATION' : 'ACCOUNT') ?? null) : null,
  };
}

export function monitorNoticeJson(m: MonitorNotice): MonitorNoticeJson {
  return {
    kind: m.kind,
    code: oneLine(m.code, FIELD_MAX.code),
    message: oneLine(m.message, FIELD_MAX.message),
    since: oneLine(m.since, 40),
    reminder: m.reminder,
    hint: m.kind === 'monitor-error' ? (hintFor(m.code, 'monitor') ?? null) : null,
  };
}

export function omittedJson(notices: readonly SourceNotice[]): OmittedJson {
  const byKind: Partial<Record<SourceNoticeKind, number>> = {};
  for (const kind of SECTIONS) {
    const count = ofKind(notices, kind).length;
    if (count > 0) byKind[kind] = count;
  }
  const conditions = byCount(countBy(notices, (n) => oneLine(n.condition, FIELD_MAX.status)));
  const codes = byCount(countBy(notices.filter((n) => n.kind !== 'recovery'), groupKey));
  return {
    count: notices.length,
    byKind,
    byCondition: conditions.slice(0, 25).map(([condition, count]) => ({ condition, count })),
    topErrorCodes: codes.slice(0, 25).map(([code, count]) => ({ code, count })),
    otherErrorCodes: codes.slice(25).reduce((sum, [, count]) => sum + count, 0),
  };
}

/** The whole digest's counts by kind (a monitor recovery counts as a recovery). */
export function digestCounts(digest: Digest): Record<NoticeKind, number> {
  const counts: Record<NoticeKind, number> = { failure: 0, reminder: 0, recovery: 0, 'monitor-error': 0 };
  for (const n of digest.sources) counts[n.kind]++;
  if (digest.monitor) counts[digest.monitor.kind]++;
  return counts;
}

export interface JsonPart {
  readonly part: number;
  readonly parts: number;
  readonly monitor: MonitorNotice | undefined;
  /** The listed notices, already serialised (sourceNoticeJson), in order. */
  readonly notices: readonly string[];
  readonly omitted: readonly SourceNotice[];
}

/** The body of one json publication. The notices come serialised: packing measured them that way. */
export function digestJsonText(digest: Digest, content: JsonPart): string {
  const body: Omit<DigestJson, 'notices'> & { notices: [] } = {
    schema: DIGEST_JSON_SCHEMA,
    version: DIGEST_JSON_VERSION,
    aggregator: oneLine(digest.aggregator, FIELD_MAX.aggregator),
    at: oneLine(digest.at, 40),
    part: content.part,
    parts: content.parts,
    counts: digestCounts(digest),
    monitor: content.monitor ? monitorNoticeJson(content.monitor) : null,
    notices: [],
    omitted: content.omitted.length > 0 ? omittedJson(content.omitted) : null,
  };
  // Spliced in rather than parsed back: the same bytes the packing counted.
  return JSON.stringify(body).replace('"notices":[]', () => `"notices":[${content.notices.join(',')}]`);
}
