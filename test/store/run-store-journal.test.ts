import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeleteCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HistoryStore } from '../../adapters/store/history-store';
import { MAX_PACKED_BYTES } from '../../adapters/store/packing';
import { IncompleteJournalError, RunStore } from '../../adapters/store/run-store';
import type { JournalEntry, JournalHead, UnitSummary, ViewItem } from '../../adapters/store/run-store-api';
import { ATTR, RUN_TTL_DAYS, keys } from '../../adapters/store/table-schema';
import { sourceKey, type HistoryEntry, type SourceState } from '../../core/model';
import { organization, state } from '../support/builders';
import { RUN, useRunStore } from './run-store-fixture';

const f = useRunStore();
const later = (minutes: number) => new Date(Date.parse(RUN) + minutes * 60_000).toISOString();
const head = (overrides: Partial<JournalHead> = {}): JournalHead => ({ runAt: RUN, aggregator: 'org', shard: 3, bucket: 0, ...overrides });

function summary(h: JournalHead, overrides: Partial<UnitSummary> = {}): UnitSummary {
  const { aggregator, shard, bucket } = h;
  return { aggregator, shard, bucket, counts: { SUCCEEDED: 28, FAILED: 2 }, sourcesRead: 30, historyWritten: 3, stateWritten: 32, ...overrides };
}

/** A unit's journal: 3 history entries, 30 state writes (2 FAILED), 2 deletes, 5 view items. */
function entry(h: JournalHead = head(), accounts = 30, errorBytes = 0): JournalEntry {
  const writes: SourceState[] = organization(accounts, ['us-east-1']).map((o, i) =>
    state({
      ...o,
      aggregator: h.aggregator,
      since: h.runAt,
      ...(i < 2 ? { status: 'FAILED', errorCode: 'AccessDenied' } : {}),
      ...(errorBytes > 0 ? { errorMessage: randomBytes(errorBytes).toString('base64') } : {}),
    }),
  );
  const history: HistoryEntry[] = writes.slice(0, 3).map((s) => ({
    aggregator: s.aggregator,
    sourceId: s.sourceId,
    sourceType: s.sourceType,
    region: s.region,
    at: h.runAt,
    event: 'STATUS_CHANGED',
    fromStatus: 'SUCCEEDED',
    toStatus: s.status,
  }));
  const deletes = [state({ aggregator: h.aggregator, sourceId: '999999999991' }), state({ aggregator: h.aggregator, sourceId: '999999999992' })];
  const view: ViewItem[] = writes.slice(0, Math.min(5, accounts)).map((s, i) => ({
    state: s,
    changed: i < 3,
    ...(i < 3 ? { previous: { ...s, status: 'SUCCEEDED' } } : {}),
  }));
  return { history, writes, deletes, view, summary: summary(h) };
}

/** The table's items without their TTLs, in key order: what two tables are compared by. */
async function contents(db: DynamoDBDocumentClient, tableName: string): Promise<unknown[]> {
  const out = await db.send(new ScanCommand({ TableName: tableName }));
  return (out.Items ?? [])
    .map(({ [ATTR.expiresAt]: _ttl, ...rest }) => rest)
    .sort((a, b) => `${a[ATTR.pk]}|${a[ATTR.sk]}`.localeCompare(`${b[ATTR.pk]}|${b[ATTR.sk]}`));
}

/** A client that fails every request from the `at`-th on (0-based), as a worker killed there would stop sending. */
function crashingAt(db: DynamoDBDocumentClient, at: number): DynamoDBDocumentClient {
  let sent = 0;
  return { send: (command: never) => (sent++ >= at ? Promise.reject(new Error(`killed at request ${at}`)) : db.send(command)) } as unknown as DynamoDBDocumentClient;
}

async function prepareTable(tableName: string, e: JournalEntry): Promise<void> {
  await new HistoryStore(f.local.documentClient, { tableName, historyRetentionDays: 30 }).record({ writes: e.deletes });
}

async function journalParts(h: JournalHead) {
  const out = await f.local.documentClient.send(
    new QueryCommand({ TableName: f.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.journalPk(h) } }),
  );
  return out.Items ?? [];
}

describe('journals', () => {
  it('writes a journal, lists it as pending, reads it back, applies it and then no longer lists it', async () => {
    // Prepare
    const e = entry();
    await prepareTable(f.tableName, e);
    // Act
    await f.store.writeJournal(head(), e);
    const pending = await f.store.pendingJournals();
    const read = await f.store.readJournal(head());
    await f.store.applyJournal(head(), read!);
    // Assess
    expect(pending).toEqual([head()]);
    expect(read).toEqual(e);
    expect(await f.store.pendingJournals()).toEqual([]);
    expect(await f.store.readJournal(head())).toBeUndefined();
    const states = new HistoryStore(f.local.documentClient, { tableName: f.tableName, historyRetentionDays: 30 });
    const all = await states.loadAll('org');
    expect([...all.keys()].sort()).toEqual(e.writes.map(sourceKey).sort());
    expect(all.get(sourceKey(e.writes[0]!))).toEqual(e.writes[0]);
    expect(await states.sourceHistory('org', e.history[0]!.sourceId, { from: '2026', to: '2027' })).toEqual([e.history[0]]);
    expect(await f.store.unitSummaries(RUN, 'org')).toEqual([e.summary]);
    expect(await f.store.view(RUN, 'org')).toEqual(expect.arrayContaining([...e.view]));
    expect(await f.store.view(RUN, 'org')).toHaveLength(e.view.length);
  });

  it('gives the same table when applied again, and after a crash at any request of applying it', async () => {
    // Prepare: the table as one clean application (applied twice) leaves it
    const e = entry();
    await prepareTable(f.tableName, e);
    await f.store.writeJournal(head(), e);
    await f.store.applyJournal(head(), e);
    await f.store.applyJournal(head(), e);
    const reference = await contents(f.local.documentClient, f.tableName);
    // Act + Assess: history (1 batch), states (2), view (1), summary (1), head (1): a crash before each of 6 requests
    for (let at = 0; at < 6; at++) {
      const tableName = `${f.tableName}-crash-${at}`;
      await f.local.createTable(tableName);
      await prepareTable(tableName, e);
      const store = new RunStore(f.local.documentClient, { tableName, historyRetentionDays: 30, concurrency: 1 });
      await store.writeJournal(head(), e);
      const crashing = new RunStore(crashingAt(f.local.documentClient, at), { tableName, historyRetentionDays: 30, concurrency: 1 });
      await expect(crashing.applyJournal(head(), e)).rejects.toThrow(`killed at request ${at}`);
      expect(await store.pendingJournals()).toEqual([head()]);
      await store.applyJournal(head(), (await store.readJournal(head()))!);
      expect(await contents(f.local.documentClient, tableName)).toEqual(reference);
    }
  });

  it('splits a large journal into parts under the item limit and reads it back whole', async () => {
    // Prepare: 2,000 states, each with 600 bytes of incompressible error message
    const e = entry(head(), 2_000, 600);
    // Act
    await f.store.writeJournal(head(), e);
    // Assess
    const parts = await journalParts(head());
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect((part.z as Uint8Array).length).toBeLessThanOrEqual(MAX_PACKED_BYTES);
    expect(await f.store.readJournal(head())).toEqual(e);
  });

  it('reads only the parts its head counts when an earlier, larger write of it left more', async () => {
    // Prepare
    await f.store.writeJournal(head(), entry(head(), 2_000, 600));
    const small = entry();
    // Act
    await f.store.writeJournal(head(), small);
    // Assess
    expect((await journalParts(head())).length).toBeGreaterThan(1);
    expect(await f.store.readJournal(head())).toEqual(small);
  });

  it('refuses to read a journal one of whose parts is missing', async () => {
    // Prepare
    await f.store.writeJournal(head(), entry(head(), 2_000, 600));
    await f.local.documentClient.send(
      new DeleteCommand({ TableName: f.tableName, Key: { [ATTR.pk]: keys.journalPk(head()), [ATTR.sk]: keys.journalSk(1) } }),
    );
    // Act
    const reading = f.store.readJournal(head());
    // Assess
    await expect(reading).rejects.toThrow(IncompleteJournalError);
    await expect(reading).rejects.toThrow(/has \d+ of its \d+ parts/);
  });

  it('lists pending journals oldest run first, across aggregators', async () => {
    // Prepare
    const heads = [head({ runAt: later(30) }), head({ aggregator: 'b-agg' }), head({ runAt: later(15), shard: 0, bucket: 2 }), head()];
    for (const h of heads) await f.store.writeJournal(h, { ...entry(h, 2), summary: summary(h) });
    // Act
    const pending = await f.store.pendingJournals();
    // Assess
    expect(pending.map((h) => h.runAt)).toEqual([RUN, RUN, later(15), later(30)]);
    expect(pending).toEqual(expect.arrayContaining(heads));
  });

  it('no longer lists a journal past its TTL, whose parts DynamoDB may already have deleted', async () => {
    // Prepare
    await f.store.writeJournal(head(), entry());
    // Act
    f.clock.advance((RUN_TTL_DAYS.run * 86_400 + 1) * 1000);
    // Assess
    expect(await f.store.pendingJournals()).toEqual([]);
    f.clock.advance(-2000);
    expect(await f.store.pendingJournals()).toEqual([head()]);
  });

  it('refuses a journal whose summary is not its unit, or holding another aggregator', async () => {
    await expect(f.store.writeJournal(head(), { ...entry(), summary: summary(head({ shard: 4 })) })).rejects.toThrow(
      'carries the summary of org shard 4 bucket 0',
    );
    const e = entry();
    await expect(f.store.writeJournal(head(), { ...e, writes: [...e.writes, state({ aggregator: 'x' })] })).rejects.toThrow(
      'holds a state of aggregator x, not org',
    );
  });
});

describe('unit summaries and the view', () => {
  it("lists one aggregator's unit summaries and view of one run", async () => {
    // Prepare
    const units = [head(), head({ shard: 4 }), head({ shard: 4, bucket: 1 }), head({ aggregator: 'org-2' }), head({ runAt: later(15) })];
    for (const h of units) await f.store.applyJournal(h, { ...entry(h, 6), summary: summary(h, { sourcesRead: h.shard }) });
    // Act
    const summaries = await f.store.unitSummaries(RUN, 'org');
    const view = await f.store.view(RUN, 'org');
    // Assess
    expect(summaries).toEqual([summary(head(), { sourcesRead: 3 }), summary(head({ shard: 4 }), { sourcesRead: 4 }), summary(head({ shard: 4, bucket: 1 }), { sourcesRead: 4 })]);
    expect(view.map((v) => sourceKey(v.state)).sort()).toEqual(entry(head(), 6).view.map((v) => sourceKey(v.state)).sort());
    expect(view.every((v) => v.state.aggregator === 'org')).toBe(true);
    expect(await f.store.unitSummaries(later(30), 'org')).toEqual([]);
  });

  it('stamps journals, view items and unit summaries with 14 days from when they are written', async () => {
    // Prepare
    const e = entry();
    await f.store.writeJournal(head(), e);
    await f.store.applyJournal(head(), e);
    await f.store.writeJournal(head({ bucket: 1 }), { ...e, summary: summary(head({ bucket: 1 })) });
    // Act
    const items = await f.scan();
    // Assess
    const run = items.filter((i) => /^(JNL|VIEW#|RUN#)/.test(String(i[ATTR.pk])));
    expect(run.filter((i) => String(i[ATTR.pk]).startsWith('VIEW#'))).toHaveLength(e.view.length);
    expect(run.filter((i) => i[ATTR.pk] === keys.journalHeadPk)).toHaveLength(1);
    expect(run.some((i) => String(i[ATTR.sk]).startsWith('U#'))).toBe(true);
    for (const i of run) expect(i[ATTR.expiresAt]).toBe(Math.floor(f.clock.now() / 1000) + RUN_TTL_DAYS.run * 86_400);
  });
});
