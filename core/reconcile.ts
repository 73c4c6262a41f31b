/**
 * Reconciling what Config reported with what we remember. Pure: previous states + sources read ->
 * history entries, states to write, states to delete, and the resulting view of every source.
 *
 * Only meaningful changes are written (first seen, status, error code, staleness, removal), so a run in
 * which nothing changed writes nothing per source. Fields that drift without meaning (LastUpdateTime,
 * the wording of an error message) are kept fresh in the resulting view used for notices, not stored.
 */
import { HOUR_MS, sourceKey, type HistoryEntry, type ObservedSource, type SourceState } from './model';

export interface ReconcileInput {
  readonly aggregator: string;
  /** The run's logical time (ISO). */
  readonly at: string;
  /** Sources read, one per key. */
  readonly observed: readonly ObservedSource[];
  /** Remembered states by source key: every one for a full sweep, the relevant ones for the fast path. */
  readonly previous: ReadonlyMap<string, SourceState>;
  /**
   * True when `observed` is the aggregator's complete list (a full sweep read to its last page): only then
   * is a remembered source that was not read marked removed, and staleness re-evaluated.
   */
  readonly complete: boolean;
  readonly staleAfterHours?: number;
}

export interface Reconciliation {
  readonly history: HistoryEntry[];
  /** New or changed states to write. */
  readonly writes: SourceState[];
  /** Removed sources that owe no notice: their items go. */
  readonly deletes: SourceState[];
  /** The resulting view of every source involved, by source key: what notices are decided on. */
  readonly states: Map<string, SourceState>;
}

export function reconcile(input: ReconcileInput): Reconciliation {
  const { aggregator, at, complete } = input;
  const history: HistoryEntry[] = [];
  const writes: SourceState[] = [];
  const deletes: SourceState[] = [];
  const states = new Map<string, SourceState>();
  const entry = (s: ObservedSource, e: Omit<HistoryEntry, 'aggregator' | 'sourceId' | 'sourceType' | 'region' | 'at'>) =>
    history.push({
      aggregator,
      sourceId: s.sourceId,
      sourceType: s.sourceType,
      region: s.region,
      at,
      ...e,
    });

  for (const o of input.observed) {
    const key = sourceKey(o);
    const prev = input.previous.get(key);
    const stale = complete ? isStale(o, at, input.staleAfterHours) : prev?.status === o.status && prev.stale === true;
    // What was read, plus what is remembered: a pending notice marker carries over, so nothing owed is forgotten.
    const state = (firstSeenAt: string, since: string): SourceState => ({
      ...markerOf(prev),
      ...o,
      aggregator,
      ...(stale ? { stale: true } : {}),
      firstSeenAt,
      since,
    });

    if (prev === undefined || prev.removedAt !== undefined) {
      // New, or back after removal.
      const next = state(prev?.firstSeenAt ?? at, at);
      entry(o, { event: 'FIRST_SEEN', toStatus: o.status, ...details(o) });
      if (stale) entry(o, { event: 'STALE', fromStatus: o.status, toStatus: o.status, ...details(o) });
      writes.push(next);
      states.set(key, next);
      continue;
    }

    const statusChanged = prev.status !== o.status;
    const errorChanged = !statusChanged && (prev.errorCode ?? '') !== (o.errorCode ?? '');
    // Turning stale is recorded even alongside a status change (so every FRESH has its STALE); turning fresh only
    // when the status stayed, since a status change already says the stale condition ended.
    const staleChanged = (prev.stale === true) !== stale && (stale || !statusChanged);
    const next = state(prev.firstSeenAt, statusChanged || errorChanged ? at : prev.since);
    states.set(key, next);
    if (!statusChanged && !errorChanged && !staleChanged) continue;

    if (statusChanged) {
      entry(o, { event: 'STATUS_CHANGED', fromStatus: prev.status, toStatus: o.status, ...details(o) });
    } else if (errorChanged) {
      entry(o, { event: 'ERROR_CHANGED', fromStatus: prev.status, toStatus: o.status, ...details(o) });
    }
    if (staleChanged) {
      entry(o, { event: stale ? 'STALE' : 'FRESH', fromStatus: o.status, toStatus: o.status, ...details(o) });
    }
    writes.push(next);
  }

  for (const [key, prev] of input.previous) {
    // Every source read is in `states` by now: what is not was not read.
    if (states.has(key)) continue;
    if (!complete || prev.removedAt !== undefined) {
      // Not read (fast path), or already removed and still owing a notice: unchanged.
      states.set(key, prev);
      continue;
    }
    entry(prev, { event: 'REMOVED', fromStatus: prev.status, toStatus: 'REMOVED', ...details(prev) });
    if (prev.notifiedCondition !== undefined) {
      // Keep a tombstone until the recovery notice about it is accepted.
      const tombstone: SourceState = { ...prev, removedAt: at };
      writes.push(tombstone);
      states.set(key, tombstone);
    } else {
      deletes.push(prev);
    }
  }

  return { history, writes, deletes, states };
}

function isStale(o: ObservedSource, at: string, staleAfterHours: number | undefined): boolean {
  if (staleAfterHours === undefined || o.status !== 'SUCCEEDED' || o.lastUpdateTime === undefined) return false;
  return Date.parse(at) - Date.parse(o.lastUpdateTime) > staleAfterHours * HOUR_MS;
}

function details(s: ObservedSource): Pick<HistoryEntry, 'lastUpdateTime' | 'errorCode' | 'errorMessage'> {
  return {
    ...(s.lastUpdateTime !== undefined ? { lastUpdateTime: s.lastUpdateTime } : {}),
    ...(s.errorCode !== undefined ? { errorCode: s.errorCode } : {}),
    ...(s.errorMessage !== undefined ? { errorMessage: s.errorMessage } : {}),
  };
}

const NO_MARKER = Object.freeze({});

function markerOf(prev: SourceState | undefined): Pick<SourceState, 'notifiedCondition' | 'notifiedAt' | 'notifiedErrorCode'> {
  if (prev?.notifiedCondition === undefined) return NO_MARKER;
  return {
    notifiedCondition: prev.notifiedCondition,
    ...(prev.notifiedAt ? { notifiedAt: prev.notifiedAt } : {}),
    ...(prev.notifiedErrorCode !== undefined ? { notifiedErrorCode: prev.notifiedErrorCode } : {}),
  };
}

/** Keeps one entry per source key (the last one read): the API may repeat a source across pages. */
export function dedupe(sources: readonly ObservedSource[]): { sources: ObservedSource[]; duplicates: number } {
  const byKey = new Map<string, ObservedSource>();
  for (const s of sources) byKey.set(sourceKey(s), s);
  return { sources: [...byKey.values()], duplicates: sources.length - byKey.size };
}
