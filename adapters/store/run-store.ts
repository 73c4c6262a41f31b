/**
 * A run's durable working state in the table (the port: run-store-api.ts; the design: docs/decisions/engine.md, "Where
 * the cursor and the pages live" and "Reconcile in bounded memory"). Only the actions of HANDLER_TABLE_ACTIONS:
 * reads are Query or GetItem, writes BatchWriteItem (retried until processed, batching.ts) or PutItem (the conditional
 * cursor advance). Every write is paced by one limiter shared with the HistoryStore that applies journals, at this
 * store's share of the table's pace (`writesPerSecond`), so that concurrent units together keep to it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { Interner } from '../../core/interner';
import { sourceKey, type ObservedSource, type SourceState } from '../../core/model';
import { chunk, inBatches, untilProcessed } from './batching';
import { IncompleteJournalError } from './errors';
import { HistoryStore, writePace } from './history-store';
import { fromItem, type Item } from './items';
import { systemClock, type Clock, type RateLimiter } from './rate-limiter';
import type { Cursor, JournalEntry, JournalHead, RunMarker, RunStoreApi, UnitSummary, ViewItem } from './run-store-api';
import {
  StagedReader,
  checkAggregator,
  checkCount,
  checkCursor,
  checkEntry,
  checkJournal,
  checkRunAt,
  checkShard,
  checkStaged,
  cursorItem,
  expiresAt,
  journalEntryOf,
  journalHeadKey,
  journalHeadOf,
  journalItems,
  markerItem,
  stagedItems,
  unitItem,
  viewItem,
  writeUnits,
  belowQuery,
  partitionQuery,
  type Query,
} from './run-items';
import { ALL_SHARDS, ATTR, INDEX, RUN_KEY_LIMITS, RUN_TTL_DAYS, WRITE_ITEMS_PER_SECOND, keys, shardOf } from './table-schema';

/** BatchWriteItem takes at most 25 requests (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html). */
const WRITE_BATCH = 25;

export interface RunStoreOptions {
  readonly tableName: string;
  /** For the history entries a journal writes (their TTL, as HistoryStore's). */
  readonly historyRetentionDays: number;
  /**
   * This store's share of the table's write pace, in write units (1 KB each) a second: a reconcile unit's is
   * WRITE_ITEMS_PER_SECOND / reconcileConcurrency, so all units together stay at the table's pace. Default: all of it.
   */
  readonly writesPerSecond?: number;
  /** Batch requests in flight at once (default 8). */
  readonly concurrency?: number;
  /** Attempts for a batch whose items keep coming back unprocessed (default 12). */
  readonly maxBatchAttempts?: number;
  /** Backoff base in ms between those attempts (default 50). */
  readonly backoffMs?: number;
  /** The pace's clock, also the time the TTLs count from (tests). */
  readonly clock?: Clock;
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };
export { IncompleteJournalError };

export class RunStore implements RunStoreApi {
  private readonly pace: RateLimiter;
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly maxBatchAttempts: number;
  private readonly backoffMs: number;
  /** Applies a journal's history and states exactly as a run without journals records them. */
  private readonly states: HistoryStore;
  private ownRequests = 0;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: RunStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.concurrency = options.concurrency ?? 8;
    this.maxBatchAttempts = options.maxBatchAttempts ?? 12;
    this.backoffMs = options.backoffMs ?? 50;
    this.pace = writePace(options.writesPerSecond ?? WRITE_ITEMS_PER_SECOND, this.clock);
    this.states = new HistoryStore(db, {
      tableName: options.tableName,
      historyRetentionDays: options.historyRetentionDays,
      concurrency: this.concurrency,
      maxBatchAttempts: this.maxBatchAttempts,
      backoffMs: this.backoffMs,
      writePace: this.pace,
    });
  }

  get tableName(): string {
    return this.options.tableName;
  }
  /** Write requests sent (BatchWriteItem and PutItem), journals' history and states included. */
  get writeRequests(): number {
    return this.ownRequests + this.states.writeRequests;
  }

  // ---- run marker ----------------------------------------------------------------------------------------------

  async putMarker(marker: RunMarker): Promise<void> {
    checkRunAt(marker.runAt);
    marker.aggregators.forEach(checkAggregator);
    await this.put(markerItem(marker, this.ttl('run')));
  }

  async getMarker(runAt: string): Promise<RunMarker | undefined> {
    checkRunAt(runAt);
    return this.get<RunMarker>({ [ATTR.pk]: keys.markerPk, [ATTR.sk]: runAt });
  }

  async previousMarker(runAt: string): Promise<RunMarker | undefined> {
    checkRunAt(runAt);
    // Limit 1 descending: the newest marker below runAt, on the first page (no filter to leave it empty).
    const [item] = (await this.pages({ ...belowQuery(keys.markerPk, runAt), ScanIndexForward: false, Limit: 1 }).next()).value ?? [];
    return item ? fromItem<RunMarker>(item) : undefined;
  }

  // ---- cursors -------------------------------------------------------------------------------------------------

  async putCursors(cursors: readonly Cursor[]): Promise<void> {
    cursors.forEach(checkCursor);
    const ttl = this.ttl('run');
    await this.write(cursors.map((c) => ({ PutRequest: { Item: cursorItem(c, ttl) } })));
  }

  async cursors(runAt: string): Promise<Cursor[]> {
    checkRunAt(runAt);
    return this.queryAll<Cursor>(this.prefixQuery(keys.runPk(runAt), keys.cursorPrefix));
  }

  /**
   * A conditional PutItem: written only if the stored cursor has `expected`'s epoch and chunk (a missing cursor has
   * neither); otherwise DynamoDB refuses it with ConditionalCheckFailedException and nothing is written
   * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
   */
  async advanceCursor(next: Cursor, expected: Pick<Cursor, 'epoch' | 'chunk'>): Promise<boolean> {
    checkCursor(next);
    this.ownRequests++;
    await this.pace.take(1);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: cursorItem(next, this.ttl('run')),
          ConditionExpression: '#epoch = :epoch AND #chunk = :chunk',
          ExpressionAttributeNames: { '#epoch': 'epoch', '#chunk': 'chunk' },
          ExpressionAttributeValues: { ':epoch': expected.epoch, ':chunk': expected.chunk },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  // ---- staged observations -------------------------------------------------------------------------------------

  /**
   * Writes an item for every shard, those the chunk does not touch included (empty): a retried chunk then replaces
   * all that an earlier attempt at it staged, even when Config's pages changed in between and it touches other shards.
   */
  async stageChunk(
    cursor: Pick<Cursor, 'runAt' | 'aggregator' | 'epoch' | 'chunk'>,
    sources: readonly ObservedSource[],
  ): Promise<number[]> {
    checkStaged(cursor);
    checkCount('Chunk', cursor.chunk, RUN_KEY_LIMITS.chunk);
    const byShard: ObservedSource[][] = ALL_SHARDS.map(() => []);
    for (const s of sources) byShard[shardOf(sourceKey(s))]!.push(s);
    const ttl = this.ttl('staging');
    const items = byShard.flatMap((shardSources, shard) => stagedItems(cursor, shard, shardSources, ttl));
    await this.write(items.map((Item) => ({ PutRequest: { Item } })));
    return byShard.map((s) => s.length);
  }

  /**
   * The staged observations of one shard in chunk order, one Query page (at most 1 MB of items) at a time. With
   * `chunk` (the cursor's), only the chunks before it: the ones the cursor's advance committed.
   */
  async *staged(
    cursor: Pick<Cursor, 'runAt' | 'aggregator' | 'epoch'> & { readonly chunk?: number },
    shard: number,
  ): AsyncGenerator<ObservedSource[]> {
    checkStaged(cursor);
    checkShard(shard);
    const reader = new StagedReader(new Interner());
    const before = cursor.chunk;
    if (before !== undefined) checkCount('Chunk', before, RUN_KEY_LIMITS.chunk + 1);
    const pk = keys.stagedPk(cursor.runAt, cursor.aggregator, cursor.epoch, shard);
    // Every chunk is below a cursor past the last chunk number: no bound (the padded bound would sort before them).
    const all = before === undefined || before > RUN_KEY_LIMITS.chunk;
    const query = all ? partitionQuery(pk) : belowQuery(pk, keys.stagedBefore(before));
    for await (const items of this.pages(query)) {
      const sources = items.flatMap((item) => reader.read(item));
      if (sources.length > 0) yield sources;
    }
  }

  // ---- stored state --------------------------------------------------------------------------------------------

  async *shardStates(aggregator: string, shard: number): AsyncGenerator<SourceState[]> {
    checkAggregator(aggregator);
    checkShard(shard);
    const strings = new Interner();
    for await (const items of this.pages(this.shardQuery(aggregator, shard))) {
      if (items.length > 0) yield items.map((item) => fromItem<SourceState>(item, strings));
    }
  }

  async shardAttention(aggregator: string, shard: number): Promise<SourceState[]> {
    checkAggregator(aggregator);
    checkShard(shard);
    return this.queryAll<SourceState>({ ...this.shardQuery(aggregator, shard), IndexName: INDEX.attention });
  }

  // ---- journals ------------------------------------------------------------------------------------------------

  /** Parts first, then the head: a head present means every part of it is written. */
  async writeJournal(head: JournalHead, entry: JournalEntry): Promise<void> {
    checkEntry(head, entry);
    const ttl = this.ttl('run');
    const items = journalItems(head, entry, ttl);
    await this.write(items.parts.map((Item) => ({ PutRequest: { Item } })));
    await this.put(items.head);
  }

  /**
   * Leaves out heads past their TTL: DynamoDB deletes expired items in the background, a journal's parts possibly
   * before its head, and until then they still appear in reads
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html). Such a head could
   * never be applied, and would fail every Begin until it went.
   */
  async pendingJournals(): Promise<JournalHead[]> {
    const heads = await this.queryAll<Item>({
      ...partitionQuery(keys.journalHeadPk),
      FilterExpression: '#expiresAt > :now',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#expiresAt': ATTR.expiresAt },
      ExpressionAttributeValues: { ':pk': keys.journalHeadPk, ':now': Math.floor(this.clock.now() / 1000) },
    });
    // Sort keys begin with the run's time: ascending Query order is oldest run first.
    return heads.map((item) => {
      const { runAt, aggregator, shard, bucket } = journalHeadOf(item);
      return { runAt, aggregator, shard, bucket };
    });
  }

  /** Undefined when there is no head: never written whole, or already applied. */
  async readJournal(head: JournalHead): Promise<JournalEntry | undefined> {
    checkJournal(head);
    const stored = await this.get<Item>(journalHeadKey(head), false);
    if (!stored) return undefined;
    const { parts, summary } = journalHeadOf(stored);
    const items = await this.queryAll<Item>(belowQuery(keys.journalPk(head), keys.journalSk(parts)), false);
    if (items.length !== parts) {
      throw new IncompleteJournalError(
        `The journal ${keys.journalHeadSk(head)} has ${items.length} of its ${parts} parts in ${this.tableName}`,
      );
    }
    return journalEntryOf(summary, items, new Interner());
  }

  /**
   * History, then states (HistoryStore.record: a crash in between leaves history ahead of state, rewritten under the
   * same keys on the next attempt), then the view, then the unit summary, then the head goes. Every write is a put
   * under a deterministic key or a delete: applying again, after a crash anywhere in this, gives the same table.
   */
  async applyJournal(head: JournalHead, entry: JournalEntry): Promise<void> {
    checkEntry(head, entry);
    await this.states.record({ history: entry.history, writes: entry.writes, deletes: entry.deletes });
    const ttl = this.ttl('run');
    await this.write(entry.view.map((v) => ({ PutRequest: { Item: viewItem(head.runAt, v, ttl) } })));
    await this.put(unitItem(head.runAt, entry.summary, ttl));
    await this.write([{ DeleteRequest: { Key: journalHeadKey(head) } }]);
  }

  // ---- unit summaries and the view -----------------------------------------------------------------------------

  async unitSummaries(runAt: string, aggregator: string): Promise<UnitSummary[]> {
    checkRunAt(runAt);
    checkAggregator(aggregator);
    return this.queryAll<UnitSummary>(this.prefixQuery(keys.runPk(runAt), keys.unitPrefix(aggregator)));
  }

  /** Every shard's view items, shard by shard (the view is sharded as current state is, for the write rate per key). */
  async view(runAt: string, aggregator: string): Promise<ViewItem[]> {
    checkRunAt(runAt);
    checkAggregator(aggregator);
    const perShard = await Promise.all(
      ALL_SHARDS.map((shard) =>
        this.queryAll<ViewItem>(partitionQuery(keys.viewPk(runAt, aggregator, shard))),
      ),
    );
    return perShard.flat();
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private ttl(kind: keyof typeof RUN_TTL_DAYS): number {
    return expiresAt(this.clock.now(), RUN_TTL_DAYS[kind]);
  }

  private shardQuery(aggregator: string, shard: number): Query {
    return partitionQuery(keys.currentPk(aggregator, shard));
  }

  private prefixQuery(pk: string, prefix: string): Query {
    return {
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
    };
  }

  private async get<T>(key: Item, strip = true): Promise<T | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!out.Item) return undefined;
    return (strip ? fromItem<T>(out.Item) : out.Item) as T;
  }

  private async put(item: Item): Promise<void> {
    await this.pace.take(writeUnits(item));
    this.ownRequests++;
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  private async *pages(input: Query): AsyncGenerator<Item[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({ ...input, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      yield out.Items ?? [];
      start = out.LastEvaluatedKey;
    } while (start);
  }

  private async queryAll<T>(input: Query, strip = true): Promise<T[]> {
    const strings = new Interner();
    const all: T[] = [];
    for await (const items of this.pages(input)) {
      for (const item of items) all.push((strip ? fromItem<T>(item, strings) : item) as T);
    }
    return all;
  }

  /** 25 requests a batch, at the pace, each batch until DynamoDB has processed all of it. */
  private async write(requests: readonly WriteRequest[]): Promise<void> {
    await inBatches(chunk(requests, WRITE_BATCH), this.concurrency, (batch) =>
      untilProcessed(
        batch,
        async (pending) => {
          await this.pace.take(pending.reduce((sum, r) => sum + ('PutRequest' in r ? writeUnits(r.PutRequest.Item) : 1), 0));
          this.ownRequests++;
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
          return (out.UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
        },
        {
          maxAttempts: this.maxBatchAttempts,
          backoffMs: this.backoffMs,
          explain: (left, attempts) => `${left} items still unprocessed after ${attempts} BatchWriteItem attempts on ${this.tableName}`,
        },
      ),
    );
  }
}
