import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { HistoryStore } from '../../adapters/store/history-store';
import { MAX_PACKED_BYTES, RecordTooLargeError } from '../../adapters/store/packing';
import { ATTR, RUN_KEY_LIMITS, RUN_TTL_DAYS, SHARDS, keys, shardOf } from '../../adapters/store/table-schema';
import { sourceKey, type ObservedSource } from '../../core/model';
import { observed, organization, state } from '../support/builders';
import { RUN, cursor, drain, useRunStore } from './run-store-fixture';

const f = useRunStore();
const DAY_S = 86_400;
const later = (minutes: number) => new Date(Date.parse(RUN) + minutes * 60_000).toISOString();

/** Sources of one shard, each with an incompressible error message of `bytes` (base64 of random bytes). */
function heavySources(shard: number, count: number, bytes: number): ObservedSource[] {
  const all = organization(count * SHARDS * 2, ['us-east-1']).filter((s) => shardOf(sourceKey(s)) === shard);
  return all.slice(0, count).map((s) => ({ ...s, status: 'FAILED', errorMessage: randomBytes(bytes).toString('base64') }));
}

async function stagedItemsOf(shard: number, epoch = 0) {
  const out = await f.local.documentClient.send(
    new QueryCommand({
      TableName: f.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.stagedPk(RUN, 'org', epoch, shard) },
    }),
  );
  return out.Items ?? [];
}

describe('run markers', () => {
  it('puts and gets a marker, and finds the newest one before a run', async () => {
    // Prepare
    await f.store.putMarker({ runAt: later(-30), state: 'done', aggregators: ['org'], rate: { rate: 8, ceiling: 10 } });
    await f.store.putMarker({ runAt: later(-15), state: 'running', aggregators: ['org', 'b'] });
    await f.store.putMarker({ runAt: RUN, state: 'running', aggregators: ['org'] });
    // Act
    const previous = await f.store.previousMarker(RUN);
    // Assess
    expect(previous).toEqual({ runAt: later(-15), state: 'running', aggregators: ['org', 'b'] });
    expect(await f.store.previousMarker(later(-15))).toEqual({
      runAt: later(-30),
      state: 'done',
      aggregators: ['org'],
      rate: { rate: 8, ceiling: 10 },
    });
    expect(await f.store.previousMarker(later(-30))).toBeUndefined();
    expect(await f.store.getMarker(RUN)).toEqual({ runAt: RUN, state: 'running', aggregators: ['org'] });
    expect(await f.store.getMarker(later(5))).toBeUndefined();
  });

  it('overwrites a marker when the run is done', async () => {
    await f.store.putMarker({ runAt: RUN, state: 'running', aggregators: ['org'] });
    await f.store.putMarker({ runAt: RUN, state: 'done', aggregators: ['org'], rate: { rate: 5, ceiling: null } });
    expect(await f.store.getMarker(RUN)).toEqual({ runAt: RUN, state: 'done', aggregators: ['org'], rate: { rate: 5, ceiling: null } });
  });
});

describe('cursors', () => {
  it("puts a run's cursors and lists them, not another run's", async () => {
    // Prepare
    const mine = [cursor(), cursor({ aggregator: 'other-agg', mode: 'fast', reason: undefined })];
    // Act
    await f.store.putCursors(mine);
    await f.store.putCursors([cursor({ runAt: later(15) })]);
    // Assess
    expect(await f.store.cursors(RUN)).toEqual([cursor(), { ...mine[1], reason: undefined }].map(stripUndefined));
  });

  it('advances a cursor only from the epoch and chunk it expects', async () => {
    // Prepare
    await f.store.putCursors([cursor()]);
    const next = cursor({ chunk: 1, token: 'token-1', pages: 10, sources: 1_000, calls: 10 });
    // Act
    const advanced = await f.store.advanceCursor(next, { epoch: 0, chunk: 0 });
    const stale = await f.store.advanceCursor(cursor({ chunk: 1, token: 'other' }), { epoch: 0, chunk: 0 });
    const wrongEpoch = await f.store.advanceCursor(cursor({ epoch: 1, chunk: 0 }), { epoch: 1, chunk: 1 });
    const restarted = await f.store.advanceCursor(cursor({ epoch: 1, restarts: 1, calls: 11 }), { epoch: 0, chunk: 1 });
    // Assess
    expect([advanced, stale, wrongEpoch, restarted]).toEqual([true, false, false, true]);
    expect(await f.store.cursors(RUN)).toEqual([stripUndefined(cursor({ epoch: 1, restarts: 1, calls: 11 }))]);
  });

  it('refuses to advance a cursor that was never put', async () => {
    expect(await f.store.advanceCursor(cursor({ chunk: 1 }), { epoch: 0, chunk: 0 })).toBe(false);
    expect(await f.store.cursors(RUN)).toEqual([]);
  });

  it("keeps a failed read's outcome and error", async () => {
    const failed = cursor({ outcome: 'error', error: { name: 'AccessDeniedException', message: 'denied' }, token: 'x' });
    await f.store.putCursors([cursor()]);
    expect(await f.store.advanceCursor(failed, { epoch: 0, chunk: 0 })).toBe(true);
    expect(await f.store.cursors(RUN)).toEqual([failed]);
  });
});

describe('staged chunks', () => {
  it('stages a chunk of 1,000 sources, an item per shard far below the item limit, and reads each shard back', async () => {
    // Prepare
    const sources = organization(250, ['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1']).map((s, i) =>
      i % 10 === 0 ? { ...s, status: 'FAILED', errorCode: 'AccessDenied', errorMessage: 'Access denied for the role' } : s,
    );
    // Act
    const counts = await f.store.stageChunk({ runAt: RUN, aggregator: 'org', epoch: 0, chunk: 0 }, sources);
    // Assess: the cursor after the advance (chunk 1) covers it
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1_000);
    for (let shard = 0; shard < SHARDS; shard++) {
      const expected = sources.filter((s) => shardOf(sourceKey(s)) === shard);
      expect(counts[shard]).toBe(expected.length);
      expect((await drain(f.store.staged(cursor({ chunk: 1 }), shard))).items).toEqual(expected);
      const items = await stagedItemsOf(shard);
      expect(items).toHaveLength(1);
      expect((items[0]!.z as Uint8Array).length).toBeLessThan(10 * 1024);
    }
  });

  it('reads the chunks of a shard in order, only the committed ones when given the cursor', async () => {
    // Prepare
    const all = organization(300, ['us-east-1']);
    const chunks = [all.slice(0, 100), all.slice(100, 200), all.slice(200)];
    for (const [chunk, sources] of chunks.entries()) await f.store.stageChunk({ runAt: RUN, aggregator: 'org', epoch: 0, chunk }, sources);
    const shard = shardOf(sourceKey(all[0]!));
    const inShard = (sources: ObservedSource[]) => sources.filter((s) => shardOf(sourceKey(s)) === shard);
    // Act
    const everything = await drain(f.store.staged({ runAt: RUN, aggregator: 'org', epoch: 0 }, shard));
    const committed = await drain(f.store.staged({ runAt: RUN, aggregator: 'org', epoch: 0, chunk: 2 }, shard));
    // Assess
    expect(everything.items).toEqual(inShard(all));
    expect(committed.items).toEqual(inShard([...chunks[0]!, ...chunks[1]!]));
    expect((await drain(f.store.staged({ runAt: RUN, aggregator: 'org', epoch: 1 }, shard))).items).toEqual([]);
    const pastLast = await drain(f.store.staged({ runAt: RUN, aggregator: 'org', epoch: 0, chunk: RUN_KEY_LIMITS.chunk + 1 }, shard));
    expect(pastLast.items).toEqual(inShard(all));
  });

  it('replaces every shard of an earlier attempt at the same chunk, even those the retry does not touch', async () => {
    // Prepare: the first attempt's chunk 0 holds sources the retry's chunk 0 does not (Config's pages moved)
    const first = organization(40, ['us-east-1']);
    const retry = organization(40, ['eu-west-1']);
    const ref = { runAt: RUN, aggregator: 'org', epoch: 0, chunk: 0 };
    await f.store.stageChunk(ref, first);
    // Act
    await f.store.stageChunk(ref, retry);
    // Assess
    const shards = Array.from({ length: SHARDS }, (_, s) => drain(f.store.staged(cursor({ chunk: 1 }), s)));
    const read = (await Promise.all(shards)).flatMap((d) => d.items);
    expect(read.map(sourceKey).sort()).toEqual(retry.map(sourceKey).sort());
  });

  it('splits an item that would exceed the limit into parts, and streams them a Query page at a time', async () => {
    // Prepare: 1,000 sources of one shard, each with 1.5 KB of incompressible error message (~1.5 MB packed)
    const sources = heavySources(3, 1_000, 1_500);
    const ref = { runAt: RUN, aggregator: 'org', epoch: 0, chunk: 7 };
    // Act
    const counts = await f.store.stageChunk(ref, sources);
    const read = await drain(f.store.staged(cursor({ chunk: 8 }), 3));
    // Assess
    const items = await stagedItemsOf(3);
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.map((i) => i[ATTR.sk])).toEqual(items.map((_, part) => keys.stagedSk(7, part)));
    for (const item of items) expect((item.z as Uint8Array).length).toBeLessThanOrEqual(MAX_PACKED_BYTES);
    expect(counts[3]).toBe(1_000);
    expect(read.items).toEqual(sources);
    expect(read.pages).toBeGreaterThan(1);
  });

  it('ignores the parts an earlier, larger attempt at a chunk left beyond the retry', async () => {
    // Prepare
    const ref = { runAt: RUN, aggregator: 'org', epoch: 0, chunk: 0 };
    await f.store.stageChunk(ref, heavySources(5, 700, 1_500));
    const retry = heavySources(5, 3, 10);
    // Act
    await f.store.stageChunk(ref, retry);
    // Assess
    expect((await stagedItemsOf(5)).length).toBeGreaterThan(1);
    expect((await drain(f.store.staged(cursor({ chunk: 1 }), 5))).items).toEqual(retry);
  });

  it('refuses a source too large for an item even alone, naming it', async () => {
    const [huge] = heavySources(0, 1, 400 * 1024);
    const staging = f.store.stageChunk({ runAt: RUN, aggregator: 'org', epoch: 0, chunk: 0 }, [huge!]);
    await expect(staging).rejects.toThrow(RecordTooLargeError);
    await expect(staging).rejects.toThrow(sourceKey(huge!));
  });
});

describe('stored state of a shard', () => {
  it('streams the states of one shard and lists its attention entries', async () => {
    // Prepare
    const states = organization(200, ['us-east-1']).map((o, i) => state({ ...o, status: i % 4 === 0 ? 'FAILED' : 'SUCCEEDED' }));
    await new HistoryStore(f.local.documentClient, { tableName: f.tableName, historyRetentionDays: 30 }).record({ writes: states });
    const shard = shardOf(sourceKey(states[0]!));
    const inShard = states.filter((s) => shardOf(sourceKey(s)) === shard);
    // Act
    const read = await drain(f.store.shardStates('org', shard));
    const attention = await f.store.shardAttention('org', shard);
    // Assess
    expect(read.items.map(sourceKey).sort()).toEqual(inShard.map(sourceKey).sort());
    expect(read.items.find((s) => s.sourceId === inShard[0]!.sourceId)).toEqual(inShard[0]);
    expect(attention.map(sourceKey).sort()).toEqual(inShard.filter((s) => s.status === 'FAILED').map(sourceKey).sort());
    expect((await drain(f.store.shardStates('other', shard))).items).toEqual([]);
  });
});

describe('bad input', () => {
  it('names a bad aggregator, shard, run time or chunk and what is allowed', async () => {
    await expect(f.store.cursors('yesterday')).rejects.toThrow(/Run time "yesterday" is not an ISO 8601 UTC time/);
    await expect(f.store.putCursors([cursor({ aggregator: 'a#b' })])).rejects.toThrow(/Aggregator name "a#b" is not one Config allows/);
    await expect(drain(f.store.shardStates('org', 16))).rejects.toThrow('Shard 16 is not one of 0 to 15');
    await expect(f.store.stageChunk({ runAt: RUN, aggregator: 'org', epoch: 0, chunk: -1 }, [observed()])).rejects.toThrow(
      'Chunk -1 is not a whole number from 0 to 999999',
    );
    await expect(f.store.putCursors([cursor({ perShard: [1, 2] })])).rejects.toThrow('has 2 per-shard counts, not 16');
  });
});

describe('TTL and pace', () => {
  it('stamps staged items with 2 days and cursors and markers with 14, from when they are written', async () => {
    // Prepare
    await f.store.putMarker({ runAt: RUN, state: 'running', aggregators: ['org'] });
    await f.store.putCursors([cursor()]);
    await f.store.stageChunk({ runAt: RUN, aggregator: 'org', epoch: 0, chunk: 0 }, [observed()]);
    const now = Math.floor(f.clock.now() / 1000);
    // Act
    const items = await f.scan();
    // Assess
    const staged = items.filter((i) => String(i[ATTR.pk]).startsWith('STG#'));
    expect(staged).toHaveLength(SHARDS);
    for (const i of staged) expect(i[ATTR.expiresAt]).toBe(now + RUN_TTL_DAYS.staging * DAY_S);
    const others = items.filter((i) => !String(i[ATTR.pk]).startsWith('STG#'));
    expect(others).toHaveLength(2);
    for (const i of others) expect(i[ATTR.expiresAt]).toBe(now + RUN_TTL_DAYS.run * DAY_S);
  });

  it('paces its writes at its share of the table', async () => {
    // Prepare: 100 units a second, a burst of 25
    const store = f.storeWith({ writesPerSecond: 100 });
    const cursors = Array.from({ length: 225 }, (_, i) => cursor({ aggregator: `agg-${i}` }));
    // Act
    await store.putCursors(cursors);
    // Assess: 200 units beyond the burst take 2 seconds
    expect(f.clock.slept.reduce((a, b) => a + b, 0)).toBeCloseTo(2_000, 6);
    expect(await store.cursors(RUN)).toHaveLength(225);
  });
});

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
