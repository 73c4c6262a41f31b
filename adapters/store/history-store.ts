/**
 * The history store: current state, history, run summaries and aggregator records in one DynamoDB table.
 * Every read is a Query or a key lookup, never a Scan. Batch writes are retried until every item is written.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  isSkippedRun,
  sourceKey,
  type AggregatorMeta,
  type HistoryEntry,
  type ObservedSource,
  type RunRecord,
  type RunSummary,
  type SourceState,
} from '../../core/model';
import { Interner } from '../../core/interner';
import { fromItem, historyItem, metaItem, metaKey, runItem, runRecordFromItem, stateItem, type Item } from './items';
import { RateLimiter, type Clock } from './rate-limiter';
import { ALL_SHARDS, ATTR, INDEX, WRITE_ITEMS_PER_SECOND, keys } from './table-schema';
import { checkDeadline, type Deadline } from '../../core/deadline';
import { chunk, inBatches, untilProcessed, type RetryOptions } from './batching';

/** BatchWriteItem takes at most 25 requests, BatchGetItem at most 100 keys. */
const WRITE_BATCH = 25;
const GET_BATCH = 100;

export interface StoreOptions {
  readonly tableName: string;
  readonly historyRetentionDays: number;
  /** Batch requests in flight at once. Bounds the write rate a partition key can see (see README). */
  readonly concurrency?: number;
  /** Attempts for a batch whose items keep coming back unprocessed, before the run fails. */
  readonly maxBatchAttempts?: number;
  /** Backoff base in ms (doubled each attempt, with full jitter). */
  readonly backoffMs?: number;
  /** Items written per second at most, all batches together (default WRITE_ITEMS_PER_SECOND). */
  readonly writeItemsPerSecond?: number;
  /** The pace's clock (tests). */
  readonly clock?: Clock;
  /** A pace shared with other writers (RunStore's): then `writeItemsPerSecond` and `clock` are the pace's own. */
  readonly writePace?: RateLimiter;
}

export { UnwrittenItemsError } from './errors';

export interface WriteCounts {
  readonly items: number;
  readonly requests: number;
}

type SourceRef = Pick<ObservedSource, 'sourceType' | 'sourceId' | 'region'>;

export class HistoryStore {
  private readonly concurrency: number;
  private readonly maxBatchAttempts: number;
  private readonly backoffMs: number;
  /** Paces the writes of all batches together: see WRITE_ITEMS_PER_SECOND. */
  private readonly writePace: RateLimiter;
  /** Write requests sent (BatchWriteItem and PutItem), for run summaries and benchmarks. */
  writeRequests = 0;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: StoreOptions,
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.maxBatchAttempts = options.maxBatchAttempts ?? 12;
    this.backoffMs = options.backoffMs ?? 50;
    this.writePace = options.writePace ?? writePace(options.writeItemsPerSecond ?? WRITE_ITEMS_PER_SECOND, options.clock);
  }

  get tableName(): string {
    return this.options.tableName;
  }

  // ---- current state -------------------------------------------------------------------------------

  /** Every remembered source of an aggregator (one Query per shard). */
  async loadAll(aggregator: string): Promise<Map<string, SourceState>> {
    return this.byKey(
      ALL_SHARDS.map((shard) => ({
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ExpressionAttributeValues: { ':pk': keys.currentPk(aggregator, shard) },
      })),
    );
  }

  /** Sources needing attention: not SUCCEEDED, stale, removed awaiting a notice, or carrying a notice marker. */
  async loadAttention(aggregator: string): Promise<Map<string, SourceState>> {
    return this.byKey(
      ALL_SHARDS.map((shard) => ({
        IndexName: INDEX.attention,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ExpressionAttributeValues: { ':pk': keys.currentPk(aggregator, shard) },
      })),
    );
  }

  /** The remembered states of the given sources, where there are any. */
  async getStates(aggregator: string, refs: readonly SourceRef[]): Promise<Map<string, SourceState>> {
    const found = new Map<string, SourceState>();
    const strings = new Interner();
    await inBatches(chunk(refs, GET_BATCH), this.concurrency, (batch) =>
      untilProcessed<Item>(
        batch.map((r) => keys.current(aggregator, r)),
        async (pending) => {
          const out = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
          for (const item of out.Responses?.[this.tableName] ?? []) {
            const s = fromItem<SourceState>(item, strings);
            found.set(sourceKey(s), s);
          }
          return (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
        },
        this.retryOptions((left, attempts) => `${left} keys still unprocessed after ${attempts} BatchGetItem attempts on ${this.tableName}`),
      ),
    );
    return found;
  }

  /** Currently in a status: a status from the attention index (incl. STALE and REMOVED), or SUCCEEDED. */
  async currentInStatus(aggregator: string, status: string): Promise<SourceState[]> {
    const queries = ALL_SHARDS.map((shard): Query =>
      status === 'SUCCEEDED'
        ? {
            // Healthy sources are not indexed (that is what keeps the index small): filter the shard instead.
            KeyConditionExpression: '#pk = :pk',
            FilterExpression: '#status = :status AND attribute_not_exists(#removedAt)',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#status': 'status', '#removedAt': 'removedAt' },
            ExpressionAttributeValues: { ':pk': keys.currentPk(aggregator, shard), ':status': status },
          }
        : {
            IndexName: INDEX.attention,
            KeyConditionExpression: '#pk = :pk AND begins_with(#attn, :prefix)',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#attn': ATTR.attn },
            ExpressionAttributeValues: { ':pk': keys.currentPk(aggregator, shard), ':prefix': `${status}#` },
          },
    );
    return [...(await this.byKey(queries)).values()];
  }

  // ---- history ---------------------------------------------------------------------------------------

  /** One source's history over a time range, newest first. */
  async sourceHistory(
    aggregator: string,
    sourceId: string,
    range: { from: string; to: string; region?: string; sourceType?: string },
  ): Promise<HistoryEntry[]> {
    const [from, to] = keys.historyRange(range.from, range.to);
    const filters: string[] = [];
    const names: Record<string, string> = { '#pk': ATTR.pk, '#sk': ATTR.sk };
    const values: Record<string, unknown> = { ':pk': keys.historyPk(aggregator, sourceId), ':from': from, ':to': to };
    if (range.region) {
      filters.push('#region = :region');
      names['#region'] = 'region';
      values[':region'] = range.region;
    }
    if (range.sourceType) {
      filters.push('#type = :type');
      names['#type'] = 'sourceType';
      values[':type'] = range.sourceType;
    }
    return this.queryAll<HistoryEntry>({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    });
  }

  /** Every transition into a status (REMOVED included) across an aggregator in a time range, newest first. */
  async transitions(aggregator: string, toStatus: string, range: { from: string; to: string }): Promise<HistoryEntry[]> {
    const perShard = await Promise.all(
      ALL_SHARDS.map((shard) =>
        this.queryAll<HistoryEntry>({
          IndexName: INDEX.transitions,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': ATTR.tpk, '#sk': ATTR.tsk },
          ExpressionAttributeValues: {
            ':pk': keys.transitionsPk(aggregator, toStatus, shard),
            ':from': range.from,
            ':to': `${range.to}\uffff`,
          },
          ScanIndexForward: false,
        }),
      ),
    );
    return perShard.flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  }

  // ---- runs and aggregators ------------------------------------------------------------------------------

  /** The run summaries of a time range, newest first (the skipped ticks left out: see runRecords). */
  async runs(range: { from: string; to: string }): Promise<RunSummary[]> {
    return (await this.runRecords(range)).filter((r): r is RunSummary => !isSkippedRun(r));
  }

  /** The run summaries and the skipped ticks of a time range, newest first (one Query of the RUNS partition). */
  async runRecords(range: { from: string; to: string }): Promise<RunRecord[]> {
    const records: RunRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':pk': keys.runsPk, ':from': range.from, ':to': `${range.to}\uffff` },
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) records.push(runRecordFromItem(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return records;
  }

  async aggregators(): Promise<AggregatorMeta[]> {
    return this.queryAll<AggregatorMeta>({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.pk },
      ExpressionAttributeValues: { ':pk': keys.aggregatorsPk },
    });
  }

  async getMeta(aggregator: string): Promise<AggregatorMeta | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: metaKey(aggregator), ConsistentRead: true }),
    );
    return out.Item ? fromItem<AggregatorMeta>(out.Item) : undefined;
  }

  /**
   * Writes an aggregator record as of the run at `at`, unless a newer run already wrote it: runs can overlap
   * (without reserved concurrency), and an older run's record must not erase what a newer one recorded, such
   * as a notified monitor error. Returns false when the newer record was kept.
   */
  async putMeta(meta: AggregatorMeta, at: string): Promise<boolean> {
    this.writeRequests++;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: metaItem({ ...meta, updatedAt: at }),
          ConditionExpression: 'attribute_not_exists(#updatedAt) OR #updatedAt <= :at',
          ExpressionAttributeNames: { '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async putRun(run: RunSummary): Promise<void> {
    this.writeRequests++;
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: runItem(run, this.options.historyRetentionDays) }),
    );
  }

  // ---- writes -------------------------------------------------------------------------------------------

  /**
   * Records a reconciliation: history first, then states. A run that dies in between leaves history ahead of
   * state; the next run sees the same change and rewrites the same history keys (at-least-once, no loss).
   * With a deadline, no batch starts once less than its reserve is left: the run fails with a DeadlineError, and
   * the next run writes what is missing.
   */
  async record(
    changes: {
      history?: readonly HistoryEntry[];
      writes?: readonly SourceState[];
      deletes?: readonly SourceState[];
    },
    deadline?: Deadline,
  ): Promise<WriteCounts> {
    const history = changes.history ?? [];
    const writes = changes.writes ?? [];
    const deletes = changes.deletes ?? [];
    const retention = this.options.historyRetentionDays;
    const states = [...writes.map((s) => ({ s, put: true })), ...deletes.map((s) => ({ s, put: false }))];
    const total = history.length + states.length;
    const progress = { done: 0, total, deadline };
    const a = await this.batchWrite(history, (h) => ({ PutRequest: { Item: historyItem(h, retention) } }), progress);
    const b = await this.batchWrite(
      states,
      ({ s, put }) => (put ? { PutRequest: { Item: stateItem(s) } } : { DeleteRequest: { Key: keys.current(s.aggregator, s) } }),
      progress,
    );
    return { items: a.items + b.items, requests: a.requests + b.requests };
  }

  /**
   * Writes `entries` 25 at a time, at the store's pace. Each batch's items are built only when the batch is sent: a
   * first run of 100,000 sources would otherwise hold 200,000 items at once (about 135 MB) on top of what it read.
   */
  private async batchWrite<T>(
    entries: readonly T[],
    toRequest: (entry: T) => WriteRequest,
    progress: { done: number; readonly total: number; readonly deadline: Deadline | undefined },
  ): Promise<WriteCounts> {
    let sent = 0;
    await inBatches(chunk(entries, WRITE_BATCH), this.concurrency, (entriesOfBatch) =>
      untilProcessed(
        entriesOfBatch.map(toRequest),
        async (pending) => {
          await this.writePace.take(pending.length);
          checkDeadline(
            progress.deadline,
            0,
            (left, needed) =>
              `Stopped writing to ${this.tableName} after ${progress.done} of ${progress.total} items: ${left} ms left ` +
              `of the run, ${needed} ms needed to notify and record the run. What was written stays; the next run ` +
              'writes the rest.',
          );
          sent++;
          this.writeRequests++;
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
          const unprocessed = (out.UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
          progress.done += pending.length - unprocessed.length;
          return unprocessed;
        },
        this.retryOptions((left, attempts) => `${left} items still unprocessed after ${attempts} BatchWriteItem attempts on ${this.tableName}`),
      ),
    );
    return { items: entries.length, requests: sent };
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private async byKey(queries: Query[]): Promise<Map<string, SourceState>> {
    const strings = new Interner();
    const results = await Promise.all(queries.map((q) => this.queryAll<SourceState>(q, strings)));
    const map = new Map<string, SourceState>();
    for (const s of results.flat()) map.set(sourceKey(s), s);
    return map;
  }

  private async queryAll<T>(input: Query, strings = new Interner()): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({ ...input, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const item of out.Items ?? []) items.push(fromItem<T>(item, strings));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private retryOptions(explain: RetryOptions['explain']): RetryOptions {
    return { maxAttempts: this.maxBatchAttempts, backoffMs: this.backoffMs, explain };
  }
}

/** A pace of `perSecond` write units: a quarter second's worth at once, so no second sees more than 1.25 x the rate. */
export function writePace(perSecond: number, clock?: Clock): RateLimiter {
  return new RateLimiter(perSecond, Math.max(WRITE_BATCH, perSecond / 4), clock);
}

type Query = Omit<QueryCommandInput, 'TableName'>;
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };
