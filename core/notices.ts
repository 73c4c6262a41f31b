/**
 * Deciding what people are told. Pure: given the current states and what was last accepted by SNS
 * (the notice markers kept on each state), say which notices are owed now.
 *
 * A notice counts as sent only once SNS accepted it, and only then is its marker written; so a notice
 * whose Publish failed, or whose run died before recording it, is owed again on the next run.
 */
import {
  HOUR_MS,
  STALE,
  type AggregatorMeta,
  type AlertableStatus,
  type SourceState,
} from './model';

export type SourceNoticeKind = 'failure' | 'reminder' | 'recovery';
/** Values of the `kind` message attribute (for subscription filter policies). */
export type NoticeKind = SourceNoticeKind | 'monitor-error';

export interface SourceNotice {
  readonly kind: SourceNoticeKind;
  /** The freshest known state of the source. */
  readonly state: SourceState;
  /** failure/reminder: the alert condition now (FAILED, OUTDATED or STALE); recovery: the condition that ended. */
  readonly condition: string;
  /** A recovery because the source left the aggregator. */
  readonly removed: boolean;
}

export interface MonitorNotice {
  /** monitor-error: the aggregator could not be read or recorded; recovery: it works again. */
  readonly kind: 'monitor-error' | 'recovery';
  readonly code: string;
  readonly message: string;
  readonly since: string;
  readonly reminder: boolean;
}

/** Everything one aggregator owes its subscribers after one run: published as one digest (split only by size). */
export interface Digest {
  readonly aggregator: string;
  readonly at: string;
  readonly sources: readonly SourceNotice[];
  readonly monitor?: MonitorNotice;
}

export interface NoticePolicy {
  readonly alertStatuses: readonly AlertableStatus[];
  readonly remindAfterHours: number;
  readonly notifyRecoveries: boolean;
  readonly staleAfterHours?: number;
}

/** The alert condition a state is in, if any. */
export function alertCondition(state: SourceState, policy: NoticePolicy): string | undefined {
  if (state.removedAt !== undefined) return undefined;
  if ((policy.alertStatuses as readonly string[]).includes(state.status)) return state.status;
  if (policy.staleAfterHours !== undefined && state.stale === true) return STALE;
  return undefined;
}

const dueForReminder = (notifiedAt: string | undefined, at: string, hours: number) =>
  notifiedAt === undefined || Date.parse(at) - Date.parse(notifiedAt) >= hours * HOUR_MS;

export interface SourceNoticeDecision {
  /** Notices to publish. */
  readonly notices: SourceNotice[];
  /** States whose marker is cleared without a notice (a recovery while notifyRecoveries is off). */
  readonly silentClears: SourceState[];
}

export function decideSourceNotices(
  states: Iterable<SourceState>,
  policy: NoticePolicy,
  at: string,
): SourceNoticeDecision {
  const notices: SourceNotice[] = [];
  const silentClears: SourceState[] = [];
  for (const state of states) {
    const condition = alertCondition(state, policy);
    if (condition !== undefined) {
      if (state.notifiedCondition !== condition) {
        notices.push({ kind: 'failure', state, condition, removed: false });
      } else if (dueForReminder(state.notifiedAt, at, policy.remindAfterHours)) {
        notices.push({ kind: 'reminder', state, condition, removed: false });
      }
    } else if (state.notifiedCondition !== undefined) {
      if (policy.notifyRecoveries) {
        const removed = state.removedAt !== undefined;
        notices.push({ kind: 'recovery', state, condition: state.notifiedCondition, removed });
      } else {
        silentClears.push(state);
      }
    }
  }
  return { notices, silentClears };
}

/** The state to record once SNS accepted a notice about it; undefined: delete the item (a removed source). */
export function afterNotified(notice: SourceNotice, at: string): SourceState | undefined {
  const { state } = notice;
  if (state.removedAt !== undefined) return undefined;
  if (notice.kind === 'recovery') return withoutMarker(state);
  return { ...state, notifiedCondition: notice.condition, notifiedAt: at, notifiedErrorCode: state.errorCode ?? '' };
}

/** Clears a marker; a removed source has nothing left to owe and goes. */
export function afterSilentClear(state: SourceState): SourceState | undefined {
  return state.removedAt !== undefined ? undefined : withoutMarker(state);
}

function withoutMarker(state: SourceState): SourceState {
  const { notifiedCondition: _c, notifiedAt: _a, notifiedErrorCode: _e, ...rest } = state;
  return rest;
}

export interface MonitorError {
  readonly code: string;
  readonly message: string;
}

/** The aggregator-level notice owed, given this run's error (if any) and what was last notified. */
export function decideMonitorNotice(
  meta: AggregatorMeta | undefined,
  error: MonitorError | undefined,
  policy: NoticePolicy,
  at: string,
): MonitorNotice | undefined {
  const known = meta?.monitorError;
  if (error !== undefined) {
    const same = known !== undefined && known.code === error.code;
    const since = same ? known.since : at;
    if (!same || meta?.monitorErrorNotifiedAt === undefined) {
      return { kind: 'monitor-error', ...error, since, reminder: false };
    }
    if (dueForReminder(meta.monitorErrorNotifiedAt, at, policy.remindAfterHours)) {
      return { kind: 'monitor-error', ...error, since, reminder: true };
    }
    return undefined;
  }
  if (known !== undefined && meta?.monitorErrorNotifiedAt !== undefined && policy.notifyRecoveries) {
    return { kind: 'recovery', ...known, reminder: false };
  }
  return undefined;
}

/** The aggregator record once a monitor notice was accepted (or when an error ends with nothing owed). */
export function metaAfterMonitorNotice(
  meta: AggregatorMeta,
  notice: MonitorNotice | undefined,
  error: MonitorError | undefined,
  at: string,
): AggregatorMeta {
  const { monitorError: _e, monitorErrorNotifiedAt: _n, ...rest } = meta;
  if (error === undefined) return rest;
  const since = meta.monitorError?.code === error.code ? meta.monitorError.since : at;
  const notifiedAt = notice?.kind === 'monitor-error' ? at : meta.monitorErrorNotifiedAt;
  return { ...rest, monitorError: { ...error, since }, ...(notifiedAt ? { monitorErrorNotifiedAt: notifiedAt } : {}) };
}
