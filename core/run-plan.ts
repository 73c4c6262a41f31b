/**
 * The plan of a run's reconcile phase, decided without I/O (docs/decisions/engine.md, "Reconcile in bounded memory"):
 * which units the state machine's Map runs, how a large shard splits into sub-buckets, and which of a unit's states
 * the run's view keeps for Notify.
 */
import { sourceKey, type SourceState } from './model';
import { alertCondition, type NoticePolicy } from './notices';
import type { Reconciliation } from './reconcile';
import type { ReconcileUnit } from './workflow';

/** A unit holds at most this many sources of one shard in memory: larger shards are reconciled in sub-buckets. */
export const SUB_BUCKET_SOURCES = 25_000;

/**
 * Events a unit costs in the execution's history (a Task 5, its Choice 2, the Map iteration ~3), and the share of
 * the 25,000-event quota the units may take (Step Functions service quotas: 25,000 events per execution history).
 */
export const EVENTS_PER_UNIT = 10;
export const UNIT_EVENT_BUDGET = 20_000;

/** What the plan needs of an aggregator's finished read. */
export interface ReadOutcome {
  readonly aggregator: string;
  readonly mode: 'full' | 'fast';
  readonly outcome: 'reading' | 'read' | 'error';
}

/**
 * The units to reconcile: a full sweep one per shard, a fast read one of all shards; none for a failed read. When
 * there would be more than the event budget allows, a full sweep's shards are grouped (2, 4, 8 or 16 a unit); if
 * even that does not fit, the plan fails, naming the numbers.
 */
export function planUnits(reads: readonly ReadOutcome[], shards: number): ReconcileUnit[] {
  const all = Array.from({ length: shards }, (_, i) => i);
  const maxUnits = Math.floor(UNIT_EVENT_BUDGET / EVENTS_PER_UNIT);
  const done = reads.filter((r) => r.outcome === 'read');
  for (let perUnit = 1; perUnit <= shards; perUnit *= 2) {
    const units: ReconcileUnit[] = [];
    for (const r of done) {
      if (r.mode === 'fast') units.push({ aggregator: r.aggregator, shards: all });
      else for (let s = 0; s < shards; s += perUnit) units.push({ aggregator: r.aggregator, shards: all.slice(s, s + perUnit) });
    }
    if (units.length <= maxUnits) return units;
  }
  throw new RangeError(
    `${done.length} aggregators need at least ${done.length} reconcile units, more than the ${maxUnits} that fit ` +
      `${UNIT_EVENT_BUDGET} of an execution's 25,000 history events at ${EVENTS_PER_UNIT} events a unit`,
  );
}

/** How many sub-buckets a shard of `sources` staged sources is reconciled in (at least 1). */
export function bucketsOf(sources: number): number {
  return Math.max(1, Math.ceil(sources / SUB_BUCKET_SOURCES));
}

/** The sub-bucket of a source, from its key's hash: the bits above the shard's (`Math.floor(hash / shards) % buckets`). */
export function bucketOf(hash: number, shards: number, buckets: number): number {
  return Math.floor(hash / shards) % buckets;
}

/** One source of the run's view: its state after reconcile and, if its status or error code changed, the state before. */
export interface RunViewItem {
  readonly state: SourceState;
  readonly previous?: SourceState;
  readonly changed: boolean;
}

/**
 * The states of a reconciliation that Notify must see: those that may owe a notice (in an alert condition, or
 * carrying a notice marker, which also covers an owed error-code change and a tombstone owing its recovery). A
 * source that changed status or error code carries its state before the run (the events' `previous`).
 */
export function viewOf(rec: Reconciliation, previous: ReadonlyMap<string, SourceState>, policy: NoticePolicy): RunViewItem[] {
  const items: RunViewItem[] = [];
  const written = new Set(rec.writes.map(sourceKey));
  for (const [key, state] of rec.states) {
    if (alertCondition(state, policy) === undefined && state.notifiedCondition === undefined) continue;
    const before = previous.get(key);
    const changed = written.has(key) && (before === undefined || before.status !== state.status || before.errorCode !== state.errorCode);
    items.push({ state, ...(changed && before ? { previous: before } : {}), changed });
  }
  return items;
}
