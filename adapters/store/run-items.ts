/**
 * A run's working state <-> table items (the layout: table-schema.ts and run-store-api.ts). Keys come only from
 * table-schema.ts; staged observations and journal parts are packed (packing.ts).
 */
import { sourceKey, type HistoryEntry, type ObservedSource, type SourceState } from '../../core/model';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Interner } from '../../core/interner';
import type { Cursor, JournalEntry, JournalHead, RunMarker, UnitSummary, ViewItem } from './run-store-api';
import { pack, unpack } from './packing';
import { ATTR, RUN_KEY_LIMITS, SHARDS, keys, shardOf } from './table-schema';
import { fromItem, type Item } from './items';

const DAY_S = 86_400;

/** The TTL of an item written at `nowMs` that is to live `days`. */
export function expiresAt(nowMs: number, days: number): number {
  return Math.floor(nowMs / 1000) + days * DAY_S;
}

// ---- checks: a bad key part is refused by name, never written under a key that could collide -------------------

const AGGREGATOR = /^[\w-]{1,256}$/;

export function checkAggregator(aggregator: string): void {
  if (!AGGREGATOR.test(aggregator)) {
    throw new RangeError(
      `Aggregator name ${JSON.stringify(aggregator)} is not one Config allows: 1 to 256 letters, digits, '_' or '-'`,
    );
  }
}

export function checkRunAt(runAt: string): void {
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(runAt) || Number.isNaN(Date.parse(runAt))) {
    throw new RangeError(`Run time ${JSON.stringify(runAt)} is not an ISO 8601 UTC time such as 2026-11-24T12:00:00.000Z`);
  }
}

export function checkShard(shard: number): void {
  if (!Number.isInteger(shard) || shard < 0 || shard >= SHARDS) {
    throw new RangeError(`Shard ${shard} is not one of 0 to ${SHARDS - 1}`);
  }
}

export function checkCount(what: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${what} ${n} is not a whole number from 0 to ${max}`);
}

export function checkJournal(head: JournalHead): void {
  checkRunAt(head.runAt);
  checkAggregator(head.aggregator);
  checkShard(head.shard);
  checkCount('Bucket', head.bucket, RUN_KEY_LIMITS.bucket);
}

/** Write units an item takes, estimated: one per KB of packed value (staged and journal parts), else one. */
export function writeUnits(item: Item): number {
  const z = item.z;
  return z instanceof Uint8Array ? 1 + Math.floor(z.length / 1024) : 1;
}

export function checkCursor(c: Cursor): void {
  checkStaged(c);
  checkCount('Chunk', c.chunk, RUN_KEY_LIMITS.chunk + 1);
  if (c.perShard.length !== SHARDS) throw new RangeError(`Cursor of ${c.aggregator} has ${c.perShard.length} per-shard counts, not ${SHARDS}`);
}

export function checkStaged(c: Pick<Cursor, 'runAt' | 'aggregator' | 'epoch'>): void {
  checkRunAt(c.runAt);
  checkAggregator(c.aggregator);
  checkCount('Epoch', c.epoch, Number.MAX_SAFE_INTEGER);
}

export function checkEntry(head: JournalHead, entry: JournalEntry): void {
  checkJournal(head);
  const { summary } = entry;
  if (summary.aggregator !== head.aggregator || summary.shard !== head.shard || summary.bucket !== head.bucket) {
    throw new RangeError(
      `The journal ${keys.journalHeadSk(head)} carries the summary of ${summary.aggregator} shard ${summary.shard} ` +
        `bucket ${summary.bucket}: a journal holds its own unit's summary only`,
    );
  }
  const stray = [...entry.writes, ...entry.deletes, ...entry.view.map((v) => v.state)].find((s) => s.aggregator !== head.aggregator);
  if (stray) throw new RangeError(`The journal ${keys.journalHeadSk(head)} holds a state of aggregator ${stray.aggregator}, not ${head.aggregator}`);
}

// ---- marker, cursor, unit summary, view ------------------------------------------------------------------------

export function markerItem(m: RunMarker, ttl: number): Item {
  return { [ATTR.pk]: keys.markerPk, [ATTR.sk]: m.runAt, [ATTR.expiresAt]: ttl, ...m };
}

export function cursorKey(runAt: string, aggregator: string): Item {
  return { [ATTR.pk]: keys.runPk(runAt), [ATTR.sk]: keys.cursorSk(aggregator) };
}

export function cursorItem(c: Cursor, ttl: number): Item {
  return { ...cursorKey(c.runAt, c.aggregator), [ATTR.expiresAt]: ttl, ...c };
}

export function unitItem(runAt: string, u: UnitSummary, ttl: number): Item {
  return { [ATTR.pk]: keys.runPk(runAt), [ATTR.sk]: keys.unitSk(u.aggregator, u.shard, u.bucket), [ATTR.expiresAt]: ttl, ...u };
}

export function viewItem(runAt: string, v: ViewItem, ttl: number): Item {
  const key = sourceKey(v.state);
  return { [ATTR.pk]: keys.viewPk(runAt, v.state.aggregator, shardOf(key)), [ATTR.sk]: key, [ATTR.expiresAt]: ttl, ...v };
}

// ---- staged chunks ---------------------------------------------------------------------------------------------

export interface StagedRef {
  readonly runAt: string;
  readonly aggregator: string;
  readonly epoch: number;
  readonly chunk: number;
}

/** A staged item's attributes besides its keys: the chunk, its part, the chunk's parts (in this shard), sources, packed. */
interface StagedAttrs {
  readonly chunk: number;
  readonly part: number;
  readonly parts: number;
  readonly n: number;
  readonly z: Uint8Array;
}

/**
 * The items of one staged chunk in one shard: one, or several parts when packed it exceeds an item. Every part records
 * how many parts its chunk has, so parts left by an earlier attempt at the same chunk that split it further are told
 * apart from this attempt's (the reader keeps part 0's count).
 */
export function stagedItems(ref: StagedRef, shard: number, sources: readonly ObservedSource[], ttl: number): Item[] {
  const packed = pack(sources, (s) => `The observation of ${sourceKey(s)} (aggregator ${ref.aggregator})`);
  checkCount('Parts of a staged chunk', packed.length - 1, RUN_KEY_LIMITS.part);
  return packed.map(({ value, count }, part) => ({
    [ATTR.pk]: keys.stagedPk(ref.runAt, ref.aggregator, ref.epoch, shard),
    [ATTR.sk]: keys.stagedSk(ref.chunk, part),
    [ATTR.expiresAt]: ttl,
    chunk: ref.chunk,
    part,
    parts: packed.length,
    n: count,
    z: value,
  }));
}

/**
 * Reads staged items in sort-key order (chunk, then part), dropping parts beyond the count their chunk's part 0
 * declares: those are left over from an earlier attempt at that chunk.
 */
export class StagedReader {
  private chunk = -1;
  private parts = 0;

  constructor(private readonly strings: Interner) {}

  read(item: Item): ObservedSource[] {
    const { chunk, part, parts, z } = item as unknown as StagedAttrs;
    if (part === 0) {
      this.chunk = chunk;
      this.parts = parts;
    } else if (chunk !== this.chunk || part >= this.parts) {
      return [];
    }
    return unpack<ObservedSource>(z, this.strings);
  }
}

// ---- journals --------------------------------------------------------------------------------------------------

/** A journal record: history entry, state write, state delete, or view item. */
type JournalRecord = ['h', HistoryEntry] | ['w', SourceState] | ['d', SourceState] | ['v', ViewItem];

export function journalHeadKey(head: JournalHead): Item {
  return { [ATTR.pk]: keys.journalHeadPk, [ATTR.sk]: keys.journalHeadSk(head) };
}

export function journalItems(head: JournalHead, entry: JournalEntry, ttl: number): { head: Item; parts: Item[] } {
  const records: JournalRecord[] = [
    ...entry.history.map((h): JournalRecord => ['h', h]),
    ...entry.writes.map((s): JournalRecord => ['w', s]),
    ...entry.deletes.map((s): JournalRecord => ['d', s]),
    ...entry.view.map((v): JournalRecord => ['v', v]),
  ];
  const packed = pack(records, ([kind, r]) => `Journal record ${kind} of ${sourceKey('state' in r ? r.state : r)} (aggregator ${head.aggregator})`);
  checkCount('Parts of a journal', packed.length - 1, RUN_KEY_LIMITS.journalPart);
  return {
    head: { ...journalHeadKey(head), [ATTR.expiresAt]: ttl, ...head, parts: packed.length, summary: entry.summary },
    parts: packed.map(({ value, count }, part) => ({
      [ATTR.pk]: keys.journalPk(head),
      [ATTR.sk]: keys.journalSk(part),
      [ATTR.expiresAt]: ttl,
      n: count,
      z: value,
    })),
  };
}

export function journalHeadOf(item: Item): JournalHead & { parts: number; summary: UnitSummary } {
  const { runAt, aggregator, shard, bucket, parts, summary } = fromItem<JournalHead & { parts: number; summary: UnitSummary }>(item);
  return { runAt, aggregator, shard, bucket, parts, summary };
}

/** The entry of a journal from its head's summary and its parts, in part order. */
export function journalEntryOf(summary: UnitSummary, parts: readonly Item[], strings: Interner): JournalEntry {
  const history: HistoryEntry[] = [];
  const writes: SourceState[] = [];
  const deletes: SourceState[] = [];
  const view: ViewItem[] = [];
  for (const part of parts) {
    for (const [kind, record] of unpack<JournalRecord>(part.z as Uint8Array, strings)) {
      if (kind === 'h') history.push(record);
      else if (kind === 'w') writes.push(record);
      else if (kind === 'd') deletes.push(record);
      else view.push(record);
    }
  }
  return { history, writes, deletes, view, summary };
}

// ---- queries -----------------------------------------------------------------------------------------------------

export type Query = Omit<QueryCommandInput, 'TableName'>;

/** Every item of a partition, strongly consistent: what this run, or the one before, wrote last. */
export function partitionQuery(pk: string): Query {
  return {
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': ATTR.pk },
    ExpressionAttributeValues: { ':pk': pk },
    ConsistentRead: true,
  };
}

/** The items of a partition whose sort key is below `bound`, strongly consistent. */
export function belowQuery(pk: string, bound: string): Query {
  return {
    KeyConditionExpression: '#pk = :pk AND #sk < :bound',
    ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
    ExpressionAttributeValues: { ':pk': pk, ':bound': bound },
    ConsistentRead: true,
  };
}
