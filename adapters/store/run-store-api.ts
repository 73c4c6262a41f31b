/**
 * The port of a run's durable state in the table (docs/decisions/engine.md, "Where the cursor and the pages live"):
 * the run marker, the read cursors, the staged observations, the reconcile journals, the unit summaries and the
 * run's view of the sources that may owe a notice. Implemented by RunStore (run-store.ts) against DynamoDB; the steps
 * (lambda/steps/) depend on this interface only. Every item carries a TTL (`expiresAt`).
 *
 * | item         | pk                                   | sk                              |
 * |--------------|--------------------------------------|---------------------------------|
 * | run marker   | MARK                                 | <runAt>                         |
 * | cursor       | RUN#<runAt>                          | CUR#<aggregator>                |
 * | unit summary | RUN#<runAt>                          | U#<aggregator>#<shard>#<bucket> |
 * | staged chunk | STG#<runAt>#<aggregator>#<epoch>#<shard> | <chunk>#<part>, zero-padded |
 * | journal head | JNLH (present only while unapplied)  | <runAt>#<aggregator>#<shard>#<bucket> |
 * | journal part | JNL#<runAt>#<aggregator>#<shard>#<bucket> | <part, zero-padded>        |
 * | view         | VIEW#<runAt>#<aggregator>#<shard>    | <sourceKey>                     |
 */
import type { HistoryEntry, ObservedSource, RunError, SourceState } from '../../core/model';
import type { SweepReason } from '../../core/sweep';
import type { RateState } from '../../core/workflow';

export interface RunMarker {
  readonly runAt: string;
  readonly state: 'running' | 'done';
  /** The aggregators of the run, as Begin decided them. */
  readonly aggregators: readonly string[];
  /** The Config rate learned by the end of the run (seeds the next run's limiter). */
  readonly rate?: RateState;
  /** When Begin first ran (ISO 8601): the run's duration is counted from it, not from the scheduled time. */
  readonly startedAt?: string;
  /**
   * Present when the run has something to tell of the aggregators' discovery (listing them): its failure (`error`),
   * or, without `error`, that it works again after one (the recovery notice is owed). Not an aggregator: no cursor.
   */
  readonly discovery?: { readonly error?: RunError };
}

/** An aggregator's read within a run: the NextToken checkpoint, advanced after each staged chunk. */
export interface Cursor {
  readonly aggregator: string;
  readonly runAt: string;
  readonly mode: 'full' | 'fast';
  readonly reason?: SweepReason;
  /** The read restarted from page 1 (an expired NextToken, or a fast read that must become full): epoch + 1. */
  readonly epoch: number;
  /** Chunks staged in this epoch. */
  readonly chunk: number;
  /** The NextToken to continue with; null before the first page and after the last. */
  readonly token: string | null;
  readonly pages: number;
  readonly sources: number;
  /** Config calls made for this aggregator in this run, every epoch included. */
  readonly calls: number;
  readonly restarts: number;
  /** Sources staged per shard (SHARDS entries) in this epoch: sizes the reconcile units and sub-buckets. */
  readonly perShard: readonly number[];
  /** reading: more pages to read; read: complete; error: the aggregator's read failed (recorded and notified). */
  readonly outcome: 'reading' | 'read' | 'error';
  readonly error?: RunError;
}

/** What a reconcile unit computed, written before it is applied (so a retried unit re-applies, never recomputes). */
export interface JournalEntry {
  readonly history: readonly HistoryEntry[];
  readonly writes: readonly SourceState[];
  readonly deletes: readonly SourceState[];
  /** The view items of this unit (below). */
  readonly view: readonly ViewItem[];
  readonly summary: UnitSummary;
}

export interface JournalHead {
  readonly runAt: string;
  readonly aggregator: string;
  readonly shard: number;
  readonly bucket: number;
}

/** One source as this run sees it after reconcile, for Notify: the state and, if it changed, the state before. */
export interface ViewItem {
  readonly state: SourceState;
  readonly previous?: SourceState;
  /** The status or error code changed in this run (the event's `previous` is then `previous`, possibly none). */
  readonly changed: boolean;
}

export interface UnitSummary {
  readonly aggregator: string;
  readonly shard: number;
  readonly bucket: number;
  /** Sources read per status in this unit. */
  readonly counts: Readonly<Record<string, number>>;
  readonly sourcesRead: number;
  readonly historyWritten: number;
  readonly stateWritten: number;
  /** After a full sweep: the earliest time a source of this unit turns stale (core/sweep nextStaleAt), if any. */
  readonly nextStaleAt?: string;
}

export interface RunStoreApi {
  putMarker(marker: RunMarker): Promise<void>;
  getMarker(runAt: string): Promise<RunMarker | undefined>;
  /** The newest marker of a run before `runAt`, if any. */
  previousMarker(runAt: string): Promise<RunMarker | undefined>;

  /** Begin: the run's cursors, one per aggregator; overwrites (a retried Begin writes the same). */
  putCursors(cursors: readonly Cursor[]): Promise<void>;
  cursors(runAt: string): Promise<Cursor[]>;
  /** Advances a cursor only if the stored one still has `expected`'s epoch and chunk; false when it does not. */
  advanceCursor(next: Cursor, expected: Pick<Cursor, 'epoch' | 'chunk'>): Promise<boolean>;

  /** Stages one chunk of an aggregator's read, an item per shard touched; idempotent. Returns the count per shard. */
  stageChunk(cursor: Pick<Cursor, 'runAt' | 'aggregator' | 'epoch' | 'chunk'>, sources: readonly ObservedSource[]): Promise<number[]>;
  /**
   * The staged observations of one shard, page by page (a Query page at a time: memory bounded by the caller). Given
   * the cursor's `chunk`, only the chunks before it (those its advances committed); without it, every staged chunk.
   */
  staged(
    cursor: Pick<Cursor, 'runAt' | 'aggregator' | 'epoch'> & { readonly chunk?: number },
    shard: number,
  ): AsyncIterable<ObservedSource[]>;

  /** The stored current states of one shard of an aggregator, page by page. */
  shardStates(aggregator: string, shard: number): AsyncIterable<SourceState[]>;
  /** The shard's states that need attention (the attention index), all pages. */
  shardAttention(aggregator: string, shard: number): Promise<SourceState[]>;

  writeJournal(head: JournalHead, entry: JournalEntry): Promise<void>;
  /**
   * Journals written but not applied, oldest run first (all runs, all aggregators). A journal past its TTL (14 days)
   * is not listed: its parts may already be gone.
   */
  pendingJournals(): Promise<JournalHead[]>;
  readJournal(head: JournalHead): Promise<JournalEntry | undefined>;
  /** Applies a journal: history, then states (writes and deletes), then view items, then the unit summary, then removes the head. */
  applyJournal(head: JournalHead, entry: JournalEntry): Promise<void>;

  unitSummaries(runAt: string, aggregator: string): Promise<UnitSummary[]>;
  /** The run's view of one aggregator, all pages. */
  view(runAt: string, aggregator: string): Promise<ViewItem[]>;
}
