/**
 * The table's keys and indexes: the one definition shared by the stack (lib/), the handler's store,
 * the CLI and the tests, so they cannot drift apart.
 *
 * One table holds these kinds of item (the last seven are a run's working state, RunStore in run-store.ts; each
 * carries the TTL `expiresAt`, RUN_TTL_DAYS after it was written):
 *
 * | item          | pk                          | sk                            | index keys                              |
 * |---------------|-----------------------------|-------------------------------|-----------------------------------------|
 * | current state | CUR#<agg>#<shard>           | <type>#<sourceId>#<region>    | attn (only while it needs attention)    |
 * | history       | SRC#<agg>#<sourceId>        | H#<at>#<type>#<region>#<event>| tpk = T#<agg>#<toStatus>#<shard>, tsk   |
 * | run summary   | RUNS                        | <runAt>#<agg>                 |                                         |
 * | skipped tick  | RUNS                        | <runAt>#(skipped)             |                                         |
 * | aggregator    | AGG                         | <agg>                         |                                         |
 * | run marker    | MARK                        | <runAt>                       |                                         |
 * | cursor        | RUN#<runAt>                 | CUR#<agg>                     |                                         |
 * | unit summary  | RUN#<runAt>                 | U#<agg>#<shard>#<bucket>      |                                         |
 * | staged chunk  | STG#<runAt>#<agg>#<epoch>#<shard> | <chunk>#<part>          |                                         |
 * | journal head  | JNLH (only while unapplied) | <runAt>#<agg>#<shard>#<bucket>|                                         |
 * | journal part  | JNL#<runAt>#<agg>#<shard>#<bucket> | <part>                 |                                         |
 * | view          | VIEW#<runAt>#<agg>#<shard>  | <type>#<sourceId>#<region>    |                                         |
 *
 * Numbers in keys are zero-padded (shard 2 digits, chunk 6, part and bucket 3, journal part 4) so that they sort as
 * numbers. Aggregator names match `[\w-]+` (the Config API's pattern for ConfigurationAggregatorName), so `#`
 * separates the parts of a key unambiguously.
 *
 * Current state is spread over SHARDS partitions per aggregator (by a hash of the source key) so that the
 * first run of a 100,000-source organization does not push every write through one partition key
 * (DynamoDB throttles a partition key above 1,000 writes per second); the transitions index is sharded the
 * same way. Readers query every shard and merge.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { sourceKey, type ObservedSource } from '../../core/model';

export const SHARDS = 16;

/**
 * Items a run writes per second at most. A new on-demand table takes 4,000 write units a second before it scales
 * (an item of up to 1 KB is one unit, one more for its entry in the attention index) and a partition key 1,000:
 * 3,000 items a second, hashed over the SHARDS keys of current state and of the transitions index, is about 190 a
 * key. A first run of 100,000 sources (200,000 items) then writes for a little over a minute.
 */
export const WRITE_ITEMS_PER_SECOND = 3_000;

export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  /** Sort key of the `attention` local index: `<status>#<sourceKey>`, present only on items needing attention. */
  attn: 'attn',
  /** Keys of the `transitions` global index, present on history items. */
  tpk: 'tpk',
  tsk: 'tsk',
  /** TTL attribute (epoch seconds) on history and run summaries. */
  expiresAt: 'expiresAt',
} as const;

export const INDEX = {
  /** LSI over current-state items that are not plainly SUCCEEDED, or carry a notice marker. */
  attention: 'attention',
  /** GSI over history items: every transition into a status, by aggregator and time. */
  transitions: 'transitions',
} as const;

/** Status used in the attention index for a source that left the aggregator but still owes a notice. */
export const REMOVED = 'REMOVED';

/** FNV-1a, 32 bit, of a source key: stable across runtimes and releases, which the shard layout depends on. */
export function sourceHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard of a source key: its hash modulo SHARDS (the sub-buckets of a large shard use the hash's further bits). */
export function shardOf(key: string): number {
  return sourceHash(key) % SHARDS;
}

const SKIPPED_RUN_SUFFIX = '(skipped)';

const pad = (shard: number) => String(shard).padStart(2, '0');
const padTo = (n: number, width: number) => String(n).padStart(width, '0');
export const ALL_SHARDS: readonly number[] = Array.from({ length: SHARDS }, (_, i) => i);

type SourceRef = Pick<ObservedSource, 'sourceType' | 'sourceId' | 'region'>;

export const keys = {
  currentPk: (aggregator: string, shard: number) => `CUR#${aggregator}#${pad(shard)}`,
  current: (aggregator: string, s: SourceRef) => {
    const key = sourceKey(s);
    return { [ATTR.pk]: keys.currentPk(aggregator, shardOf(key)), [ATTR.sk]: key };
  },
  attention: (status: string, s: SourceRef) => `${status}#${sourceKey(s)}`,

  historyPk: (aggregator: string, sourceId: string) => `SRC#${aggregator}#${sourceId}`,
  /** Deterministic from the run's time and the event: a retried delivery of the same run rewrites, not adds. */
  historySk: (at: string, s: SourceRef, event: string) => `H#${at}#${s.sourceType}#${s.region}#${event}`,
  /** Bounds for a time-range query of history sort keys (ISO times sort as strings). */
  historyRange: (from: string, to: string) => [`H#${from}`, `H#${to}\uffff`] as const,
  transitionsPk: (aggregator: string, toStatus: string, shard: number) => `T#${aggregator}#${toStatus}#${pad(shard)}`,
  transitionsSk: (at: string, s: SourceRef) => `${at}#${sourceKey(s)}`,

  runsPk: 'RUNS',
  runSk: (runAt: string, aggregator: string) => `${runAt}#${aggregator}`,
  /**
   * A tick the dispatcher skipped, next to that tick's run summaries (one Query reads both). `(skipped)` can never
   * be an aggregator's name, which is `[\w-]{1,256}` (PutConfigurationAggregator, AWS Config API Reference).
   */
  skippedRunSk: (runAt: string) => `${runAt}#${SKIPPED_RUN_SUFFIX}`,
  isSkippedRunSk: (sk: unknown) => typeof sk === 'string' && sk.endsWith(`#${SKIPPED_RUN_SUFFIX}`),

  aggregatorsPk: 'AGG',

  // ---- a run's working state (RunStore) ----
  markerPk: 'MARK',
  runPk: (runAt: string) => `RUN#${runAt}`,
  cursorPrefix: 'CUR#',
  cursorSk: (aggregator: string) => `${keys.cursorPrefix}${aggregator}`,
  unitPrefix: (aggregator: string) => `U#${aggregator}#`,
  unitSk: (aggregator: string, shard: number, bucket: number) => `${keys.unitPrefix(aggregator)}${pad(shard)}#${padTo(bucket, 3)}`,
  stagedPk: (runAt: string, aggregator: string, epoch: number, shard: number) => `STG#${runAt}#${aggregator}#${epoch}#${pad(shard)}`,
  /** Every sort key of chunks before `chunk` is below this bound. */
  stagedBefore: (chunk: number) => padTo(chunk, 6),
  stagedSk: (chunk: number, part: number) => `${padTo(chunk, 6)}#${padTo(part, 3)}`,
  journalHeadPk: 'JNLH',
  journalHeadSk: (h: JournalRef) => `${h.runAt}#${h.aggregator}#${pad(h.shard)}#${padTo(h.bucket, 3)}`,
  journalPk: (h: JournalRef) => `JNL#${keys.journalHeadSk(h)}`,
  journalSk: (part: number) => padTo(part, 4),
  viewPk: (runAt: string, aggregator: string, shard: number) => `VIEW#${runAt}#${aggregator}#${pad(shard)}`,
} as const;

interface JournalRef {
  readonly runAt: string;
  readonly aggregator: string;
  readonly shard: number;
  readonly bucket: number;
}

/**
 * Days a run's working items live (their `expiresAt`, counted from when they are written): staged observations are
 * read within the run, minutes later; cursors, markers, journals, unit summaries and the view serve the next runs
 * too (an incomplete previous run, a journal to roll forward). DynamoDB deletes expired items in the background,
 * typically within a few days, and until then they still appear in reads
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html).
 */
export const RUN_TTL_DAYS = { staging: 2, run: 14 } as const;

/** Largest numbers the padded keys above hold. */
export const RUN_KEY_LIMITS = { chunk: 999_999, part: 999, bucket: 999, journalPart: 9_999 } as const;

/** A source's history keys as the e-mail digest shows them (core/digest's HistoryKeyLayout). */
export const HISTORY_KEY_LAYOUT = {
  pk: keys.historyPk,
  sk: keys.historySk('<time>', { sourceType: '<type>', sourceId: '<source id>', region: '<region>' }, '<event>'),
} as const;

/** The table as DynamoDB's CreateTable takes it: used by tests and the local mode, mirrored by the stack. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [ATTR.pk, ATTR.sk, ATTR.attn, ATTR.tpk, ATTR.tsk].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: ATTR.pk, KeyType: 'HASH' },
      { AttributeName: ATTR.sk, KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: INDEX.attention,
        KeySchema: [
          { AttributeName: ATTR.pk, KeyType: 'HASH' },
          { AttributeName: ATTR.attn, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEX.transitions,
        KeySchema: [
          { AttributeName: ATTR.tpk, KeyType: 'HASH' },
          { AttributeName: ATTR.tsk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** The DynamoDB actions the handler's store performs: the stack grants exactly these, on the table and its indexes. */
export const HANDLER_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
] as const;

/** The DynamoDB actions the dispatcher performs (it records skipped ticks): the stack grants exactly these, on the table. */
export const DISPATCHER_TABLE_ACTIONS = ['dynamodb:PutItem'] as const;

/**
 * The DynamoDB actions `aggwatch` performs (every query command reads by Query, on the table and its indexes): what
 * `ConfigAggregatorMonitor.grantReadHistory()` grants a reader, and no more (test/cli/reader-actions.test.ts).
 */
export const READER_TABLE_ACTIONS = ['dynamodb:Query'] as const;

