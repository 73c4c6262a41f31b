/**
 * Full sweep or fast path. A full read of N sources costs ceil(N/100) sequential API calls; between full
 * sweeps the monitor asks only for the non-SUCCEEDED sources, which in a healthy organization is one call.
 *
 * A source leaving the non-SUCCEEDED list either recovered or was removed, and only a full read tells
 * which: so when the list shrank, the same run sweeps fully before recording anything.
 */
import { ATTENTION_FILTER, HOUR_MS, sourceKey, type AggregatorMeta, type ObservedSource, type SourceState } from './model';

/**
 * Why a run sweeps an aggregator fully. `previous-run-incomplete`: the previous run's marker is still `running` (it
 * died before recording its counts and aggregator records), so this run recomputes everything from a complete read.
 */
export type SweepReason = 'first-run' | 'schedule' | 'staleness-due' | 'attention-set-shrank' | 'previous-run-incomplete';

export interface SweepPolicy {
  readonly fullSweepHours: number;
  readonly staleAfterHours?: number;
}

/** Why this run must start with a full sweep, or undefined when the fast path will do. */
export function fullSweepDue(meta: AggregatorMeta | undefined, policy: SweepPolicy, at: string): SweepReason | undefined {
  if (meta?.lastFullSweepAt === undefined) return 'first-run';
  if (Date.parse(at) - Date.parse(meta.lastFullSweepAt) >= policy.fullSweepHours * HOUR_MS) return 'schedule';
  if (policy.staleAfterHours !== undefined && meta.nextStaleAt !== undefined && meta.nextStaleAt < at) {
    return 'staleness-due';
  }
  return undefined;
}

/**
 * True when a remembered source in a status the fast read asks for (FAILED, OUTDATED) is missing from it: it
 * recovered or was removed. Nothing else is expected in that read: removed sources awaiting a notice, SUCCEEDED
 * ones (stale, or owing a recovery notice), and statuses the filter cannot ask for (unknown values), whose
 * changes the next scheduled full sweep picks up.
 */
export function attentionSetShrank(remembered: Iterable<SourceState>, read: readonly ObservedSource[]): boolean {
  const readKeys = new Set(read.map(sourceKey));
  const filtered = new Set<string>(ATTENTION_FILTER);
  for (const s of remembered) {
    if (s.removedAt === undefined && filtered.has(s.status) && !readKeys.has(sourceKey(s))) return true;
  }
  return false;
}

/**
 * After a full sweep: the earliest time a SUCCEEDED, not yet stale source turns stale, so the fast path knows
 * when to sweep again. Undefined when staleness is off or nothing can turn stale. A LastUpdateTime that is not a
 * time (kept verbatim from the API) cannot turn stale and is skipped.
 */
export function nextStaleAt(states: Iterable<SourceState>, staleAfterHours: number | undefined): string | undefined {
  if (staleAfterHours === undefined) return undefined;
  // The oldest update turns stale first: compare epoch numbers, and build one date at the end (100,000 sources).
  let oldest = Number.POSITIVE_INFINITY;
  for (const s of states) {
    if (s.removedAt !== undefined || s.status !== 'SUCCEEDED' || s.stale === true || !s.lastUpdateTime) continue;
    const t = Date.parse(s.lastUpdateTime);
    if (t < oldest) oldest = t;
  }
  return oldest === Number.POSITIVE_INFINITY ? undefined : new Date(oldest + staleAfterHours * HOUR_MS).toISOString();
}
