import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { HistoryStore, UnwrittenItemsError } from '../../adapters/store/history-store';
import { ATTR, SHARDS, keys, shardOf } from '../../adapters/store/table-schema';
import { sourceKey, type HistoryEntry, type RunSummary } from '../../core/model';
import { AT, observed, organization, runSummary, state } from '../support/builders';
import { fakeClock } from '../support/fake-clock';

let local: LocalDynamoDB;
let table = 0;
let store: HistoryStore;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});
beforeEach(async () => {
  const name = `history-${++table}`;
  await local.createTable(name);
  store = new HistoryStore(local.documentClient, { tableName: name, historyRetentionDays: 30 });
});

const entry = (overrides: Partial<HistoryEntry>): HistoryEntry => ({
  aggregator: 'org',
  sourceId: '111111111111',
  sourceType: 'ACCOUNT',
  region: 'us-east-1',
  at: AT,
  event: 'STATUS_CHANGED',
  fromStatus: 'SUCCEEDED',
  toStatus: 'FAILED',
  ...overrides,
});

describe('current state', () => {
  it('writes, loads and deletes states across every shard', async () => {
    // Prepare
    const states = organization(40, ['us-east-1', 'eu-west-1']).map((o) => state({ ...o }));
    // Act
    await store.record({ writes: states });
    const all = await store.loadAll('org');
    await store.record({ deletes: states.slice(0, 10) });
    // Assess
    expect(all.size).toBe(80);
    expect(all.get(sourceKey(states[5]!))).toEqual(states[5]);
    expect((await store.loadAll('org')).size).toBe(70);
    expect(new Set(states.map((s) => shardOf(sourceKey(s)))).size).toBe(SHARDS);
  });

  it('keeps the notice markers, the error-code marker among them, through a write and a read (fast and full)', async () => {
    // Prepare: a notified FAILED source, its error code delivered, and one notified before the marker existed
    const marked = state({ status: 'FAILED', errorCode: 'B', notifiedCondition: 'FAILED', notifiedAt: AT, notifiedErrorCode: 'A' });
    const legacy = state({ sourceId: '222222222222', status: 'FAILED', errorCode: 'B', notifiedCondition: 'FAILED', notifiedAt: AT });
    // Act
    await store.record({ writes: [marked, legacy] });
    // Assess
    expect((await store.loadAll('org')).get(sourceKey(marked))?.notifiedErrorCode).toBe('A');
    expect((await store.loadAttention('org')).get(sourceKey(marked))).toEqual(marked);
    expect((await store.loadAll('org')).get(sourceKey(legacy))).not.toHaveProperty('notifiedErrorCode');
  });

  it('keeps aggregators apart', async () => {
    await store.record({ writes: [state({ aggregator: 'a' }), state({ aggregator: 'b', region: 'eu-west-1' })] });
    expect([...(await store.loadAll('a')).values()].map((s) => s.aggregator)).toEqual(['a']);
  });

  it('indexes only the states that need attention, under their status', async () => {
    await store.record({
      writes: [
        state({ sourceId: '1', status: 'SUCCEEDED' }),
        state({ sourceId: '2', status: 'FAILED', errorCode: 'X' }),
        state({ sourceId: '3', status: 'OUTDATED' }),
        state({ sourceId: '4', status: 'SUCCEEDED', stale: true }),
        state({ sourceId: '5', status: 'SUCCEEDED', notifiedCondition: 'FAILED', notifiedAt: AT }),
        state({ sourceId: '6', status: 'FAILED', removedAt: AT, notifiedCondition: 'FAILED' }),
        state({ sourceId: '7', status: 'SOMETHING_NEW' }),
      ],
    });
    const attention = await store.loadAttention('org');
    expect([...attention.values()].map((s) => s.sourceId).sort()).toEqual(['2', '3', '4', '5', '6', '7']);
    const ids = async (status: string) => (await store.currentInStatus('org', status)).map((s) => s.sourceId).sort();
    expect(await ids('FAILED')).toEqual(['2']);
    expect(await ids('OUTDATED')).toEqual(['3']);
    expect(await ids('STALE')).toEqual(['4']);
    expect(await ids('REMOVED')).toEqual(['6']);
    expect(await ids('SOMETHING_NEW')).toEqual(['7']);
    expect(await ids('SUCCEEDED')).toEqual(['1', '4', '5']);
  });

  it('gets the states of given sources, skipping unknown ones, beyond one BatchGetItem of 100 keys', async () => {
    const states = organization(150, ['us-east-1']).map((o) => state({ ...o }));
    await store.record({ writes: states });
    const refs = [...states.slice(0, 120), observed({ sourceId: '999999999999' })];
    const got = await store.getStates('org', refs);
    expect(got.size).toBe(120);
    expect(got.has(sourceKey(states[119]!))).toBe(true);
  });

  it('spreads the current state of 10,000 sources over every shard with none above twice its share', async () => {
    const states = organization(1_000, Array.from({ length: 10 }, (_, i) => `region-${i}`)).map((o) => state({ ...o }));
    const perShard = new Map<number, number>();
    for (const s of states) perShard.set(shardOf(sourceKey(s)), (perShard.get(shardOf(sourceKey(s))) ?? 0) + 1);
    expect(perShard.size).toBe(SHARDS);
    expect(Math.max(...perShard.values())).toBeLessThan((2 * states.length) / SHARDS);
  });
});

describe('history', () => {
  it('returns one source over a time range, newest first, filtered by region', async () => {
    await store.record({
      history: [
        entry({ at: '2026-11-20T00:00:00.000Z', event: 'FIRST_SEEN', fromStatus: undefined, toStatus: 'SUCCEEDED' }),
        entry({ at: '2026-11-21T00:00:00.000Z' }),
        entry({ at: '2026-11-22T00:00:00.000Z', fromStatus: 'FAILED', toStatus: 'SUCCEEDED' }),
        entry({ at: '2026-11-22T00:00:00.000Z', region: 'eu-west-1' }),
        entry({ at: '2026-11-22T00:00:00.000Z', sourceId: '222222222222' }),
      ],
    });
    const all = await store.sourceHistory('org', '111111111111', { from: '2026-11-01', to: '2026-11-30' });
    expect(all.map((h) => `${h.at.slice(0, 10)} ${h.region}`)).toEqual([
      '2026-11-22 us-east-1',
      '2026-11-22 eu-west-1',
      '2026-11-21 us-east-1',
      '2026-11-20 us-east-1',
    ]);
    const range = await store.sourceHistory('org', '111111111111', {
      from: '2026-11-21T00:00:00.000Z',
      to: '2026-11-21T23:59:59.999Z',
      region: 'us-east-1',
    });
    expect(range).toHaveLength(1);
    expect(range[0]).toEqual(entry({ at: '2026-11-21T00:00:00.000Z' }));
  });

  it('rewrites rather than duplicates an entry recorded twice by the same run', async () => {
    await store.record({ history: [entry({})] });
    await store.record({ history: [entry({})] });
    expect(await store.sourceHistory('org', '111111111111', { from: '2026', to: '2027' })).toHaveLength(1);
  });

  it('finds every transition into a status across an aggregator and a time range, across shards', async () => {
    const failures = organization(30, ['us-east-1']).map((o, i) =>
      entry({ ...o, at: `2026-11-2${i % 3}T00:00:00.000Z`, toStatus: 'FAILED' }),
    );
    await store.record({
      history: [...failures, entry({ sourceId: '5', toStatus: 'OUTDATED' }), entry({ aggregator: 'other' })],
    });
    const found = await store.transitions('org', 'FAILED', { from: '2026-11-21', to: '2026-11-22T23:59:59Z' });
    expect(found).toHaveLength(20);
    expect(found.map((h) => h.at)).toEqual([...found.map((h) => h.at)].sort().reverse());
    expect(await store.transitions('org', 'OUTDATED', { from: '2026', to: '2027' })).toHaveLength(1);
  });

  it('stamps history with its retention TTL and its transition keys', async () => {
    await store.record({ history: [entry({})] });
    const out = await local.documentClient.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.historyPk('org', '111111111111') },
      }),
    );
    const item = out.Items?.[0];
    expect(item?.[ATTR.expiresAt]).toBe(Date.parse(AT) / 1000 + 30 * 86_400);
    expect(item?.[ATTR.tpk]).toMatch(/^T#org#FAILED#\d\d$/);
  });
});

describe('runs and aggregators', () => {
  const run = (runAt: string, aggregator: string): RunSummary => runSummary({ aggregator, runAt });

  it('lists run summaries over a time range, newest first', async () => {
    await store.putRun(run('2026-11-24T10:00:00.000Z', 'a'));
    await store.putRun(run('2026-11-24T10:15:00.000Z', 'a'));
    await store.putRun(run('2026-11-24T10:15:00.000Z', 'b'));
    await store.putRun(run('2026-11-24T10:30:00.000Z', 'a'));
    const runs = await store.runs({ from: '2026-11-24T10:10:00.000Z', to: '2026-11-24T10:20:00.000Z' });
    expect(runs.map((r) => r.aggregator).sort()).toEqual(['a', 'b']);
    expect(runs[0]).toEqual(run('2026-11-24T10:15:00.000Z', runs[0]!.aggregator));
  });

  it('keeps one record per aggregator', async () => {
    await store.putMeta({ aggregator: 'a', lastFullSweepAt: AT }, AT);
    await store.putMeta({ aggregator: 'b' }, AT);
    await store.putMeta({ aggregator: 'a', lastFullSweepAt: AT, totalSources: 5 }, AT);
    expect(await store.getMeta('a')).toEqual({ aggregator: 'a', lastFullSweepAt: AT, totalSources: 5, updatedAt: AT });
    expect(await store.getMeta('c')).toBeUndefined();
    expect((await store.aggregators()).map((m) => m.aggregator)).toEqual(['a', 'b']);
  });
});

describe('aggregator records of overlapping runs', () => {
  it('never lets an older run overwrite what a newer run recorded', async () => {
    const newer = '2026-11-24T12:15:00.000Z';
    const error = { code: 'AccessDeniedException', message: 'denied', since: newer };
    expect(await store.putMeta({ aggregator: 'a', monitorError: error, monitorErrorNotifiedAt: newer }, newer)).toBe(true);
    // Act: the older run (12:00) finishes last.
    const written = await store.putMeta({ aggregator: 'a', lastFullSweepAt: AT }, AT);
    // Assess
    expect(written).toBe(false);
    expect(await store.getMeta('a')).toEqual({ aggregator: 'a', monitorError: error, monitorErrorNotifiedAt: newer, updatedAt: newer });
    expect(await store.putMeta({ aggregator: 'a' }, newer)).toBe(true);
  });
});

describe('batch writes', () => {
  it('retries unprocessed items until every one is written', async () => {
    // Prepare: the first two answers hand back part of the batch unprocessed.
    const real = local.documentClient;
    let calls = 0;
    const flaky = {
      send: vi.fn(async (command: unknown) => {
        const out = await real.send(command as never);
        if (command instanceof BatchWriteCommand && ++calls <= 2) {
          const requests = command.input.RequestItems![store.tableName]!;
          const kept = requests.slice(0, 5);
          await real.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: kept } }));
          return { UnprocessedItems: { [store.tableName]: requests.slice(5) } };
        }
        return out;
      }),
    } as unknown as DynamoDBDocumentClient;
    const flakyStore = new HistoryStore(flaky, { tableName: store.tableName, historyRetentionDays: 30, backoffMs: 1 });
    const states = organization(25, ['us-east-1']).map((o) => state({ ...o }));
    // Act
    const counts = await flakyStore.record({ writes: states });
    // Assess
    expect(counts.items).toBe(25);
    expect(counts.requests).toBe(3);
    expect((await store.loadAll('org')).size).toBe(25);
  });

  it('fails, never reports success, when items stay unprocessed', async () => {
    const stuck = {
      send: vi.fn(async (command: BatchWriteCommand) => ({ UnprocessedItems: command.input.RequestItems })),
    } as unknown as DynamoDBDocumentClient;
    const stuckStore = new HistoryStore(stuck, {
      tableName: store.tableName,
      historyRetentionDays: 30,
      backoffMs: 1,
      maxBatchAttempts: 3,
    });
    await expect(stuckStore.record({ writes: [state()] })).rejects.toThrow(UnwrittenItemsError);
    await expect(stuckStore.record({ writes: [state()] })).rejects.toThrow(/1 items still unprocessed after 3/);
  });

  it('paces the writes of all batches together at writeItemsPerSecond, a quarter second of it at once', async () => {
    // Prepare
    const clock = fakeClock();
    const paced = new HistoryStore(local.documentClient, {
      tableName: store.tableName,
      historyRetentionDays: 30,
      writeItemsPerSecond: 400,
      clock,
    });
    const states = organization(100, ['us-east-1', 'eu-west-1']).map((o) => state({ ...o }));
    // Act
    await paced.record({ writes: states });
    // Assess: 200 items, 100 of them at once: the other 100 wait a quarter second for their share at 400/s.
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeCloseTo(250, 6);
    expect((await store.loadAll('org')).size).toBe(200);
  });

  it('starts no batch once less than the deadline\'s reserve is left, and says how far it got', async () => {
    // Prepare
    let checks = 0;
    const deadline = { remainingMs: () => (++checks <= 3 ? 100_000 : 59_999), reserveMs: 60_000 };
    const states = organization(100, ['us-east-1']).map((o) => state({ ...o }));
    const sent = vi.spyOn(local.documentClient, 'send');
    // Act
    const error = await store.record({ writes: states }, deadline).catch((e: unknown) => e);
    // Assess: three batches went, no fourth one.
    expect(error).toMatchObject({ name: 'DeadlineError', code: 'DeadlineExceeded' });
    expect((error as Error).message).toMatch(
      new RegExp(`^Stopped writing to ${store.tableName} after \\d+ of 100 items: 59999 ms left of the run, 60000 ms needed`),
    );
    expect(sent.mock.calls.filter(([c]) => c instanceof BatchWriteCommand)).toHaveLength(3);
    expect((await store.loadAll('org')).size).toBe(75);
    sent.mockRestore();
  });

  it('starts no further batch after one failed', async () => {
    // Prepare: the third request fails; 8 run at once, so the ones already in flight finish, no new one starts.
    let calls = 0;
    let settled = 0;
    const failing = {
      send: vi.fn(async () => {
        if (++calls === 3) throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
        await new Promise((r) => setTimeout(r, 5));
        settled++;
        return { UnprocessedItems: {} };
      }),
    } as unknown as DynamoDBDocumentClient;
    const failingStore = new HistoryStore(failing, { tableName: store.tableName, historyRetentionDays: 30 });
    const states = organization(1000, ['us-east-1']).map((o) => state({ ...o }));
    // Act
    await expect(failingStore.record({ writes: states })).rejects.toThrow('boom');
    // Assess: 40 batches to write; 8 started, one failed, none after it, and the 7 others had settled.
    expect(calls).toBe(8);
    expect(settled).toBe(7);
  });
});
