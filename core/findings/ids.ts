/**
 * Deterministic identities: the same input gives the same id in every run, so a re-delivery carries the id of the
 * first attempt (EventBridge consumers deduplicate on it) and a re-import updates the same Security Hub finding.
 */
import { createHash } from 'node:crypto';
import type { SourceState } from '../model';
import type { Notice } from './changes';

/** 32 hex characters (128 bits) of SHA-256 over the JSON of `parts`: JSON keeps the parts' boundaries unambiguous. */
export function digestId(parts: readonly (string | number | boolean)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** The source's identity within its aggregator, as the monitor keys it. */
export const sourceParts = (s: Pick<SourceState, 'aggregator' | 'sourceType' | 'sourceId' | 'region'>) =>
  [s.aggregator, s.sourceType, s.sourceId, s.region] as const;

/**
 * The id of a notice: what it is about and the markers it would change. A notice that was not accepted is decided
 * again with the same markers, so it keeps its id; the next one (after the markers moved) gets a new id.
 * `monitorNotifiedAt` is the aggregator record's monitorErrorNotifiedAt as read before the run.
 */
export function noticeId(aggregator: string, notice: Notice, monitorNotifiedAt?: string): string {
  switch (notice.kind) {
    case 'source': {
      const { state, kind, condition } = notice.notice;
      return digestId(['source', ...sourceParts(state), kind, condition, state.since, state.notifiedAt ?? '', state.errorCode ?? '']);
    }
    case 'error-code': {
      const { state, condition, previousErrorCode } = notice.change;
      return digestId(['error-code', ...sourceParts(state), condition, previousErrorCode, state.errorCode ?? '', state.since]);
    }
    case 'monitor': {
      const m = notice.notice;
      // The aggregator record's monitorErrorNotifiedAt is the monitor notice's marker.
      return digestId(['monitor', aggregator, m.kind, m.code, m.since, m.reminder, monitorNotifiedAt ?? '']);
    }
  }
}
