/** Skipped ticks (the dispatcher's SkippedRunWriter) beside run summaries in the RUNS partition, against dynalite. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../adapters/store/history-store';
import { SkippedRunWriter } from '../../adapters/store/skipped-runs';
import { ATTR, keys } from '../../adapters/store/table-schema';
import type { SkippedRun } from '../../core/model';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { runSummary } from '../support/builders';

let local: LocalDynamoDB;
let table = 0;
let tableName: string;
let store: HistoryStore;
let writer: SkippedRunWriter;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});
beforeEach(async () => {
  tableName = `skipped-${++table}`;
  await local.createTable(tableName);
  store = new HistoryStore(local.documentClient, { tableName, historyRetentionDays: 30 });
  writer = new SkippedRunWriter(local.documentClient, { tableName, historyRetentionDays: 30 });
});

const skipped = (runAt: string, runningForMs = 900_000): SkippedRun => ({
  runAt,
  outcome: 'skipped',
  execution: `run-${runAt}`,
  runningExecution: 'run-20261124T100000Z',
  runningSince: '2026-11-24T10:00:01.000Z',
  runningForMs,
});

describe('skipped ticks', () => {
  it('are read with the run summaries, newest first, and never as run summaries', async () => {
    // Prepare
    const summaries = [runSummary({ aggregator: 'org', runAt: '2026-11-24T10:00:00.000Z' }), runSummary({ aggregator: 'lab', runAt: '2026-11-24T10:00:00.000Z' })];
    for (const r of summaries) await store.putRun(r);
    // Act
    await writer.put(skipped('2026-11-24T10:15:00.000Z'));
    await writer.put(skipped('2026-11-24T10:30:00.000Z', 1_800_000));
    const records = await store.runRecords({ from: '2026-11-24T10:00:00.000Z', to: '2026-11-24T10:30:00.000Z' });
    const runs = await store.runs({ from: '2026-11-24T10:00:00.000Z', to: '2026-11-24T10:30:00.000Z' });
    // Assess
    expect(records).toEqual([skipped('2026-11-24T10:30:00.000Z', 1_800_000), skipped('2026-11-24T10:15:00.000Z'), summaries[0], summaries[1]]);
    expect(runs).toEqual([summaries[0], summaries[1]]);
  });

  it('are keyed by the tick beside its run summaries, with the run summaries TTL; a repeat overwrites', async () => {
    // Prepare
    const tick = '2026-11-24T10:15:00.000Z';
    // Act
    await writer.put(skipped(tick, 900_000));
    await writer.put(skipped(tick, 900_500));
    const out = await local.documentClient.send(new GetCommand({ TableName: tableName, Key: { [ATTR.pk]: keys.runsPk, [ATTR.sk]: `${tick}#(skipped)` } }));
    // Assess
    expect(out.Item).toEqual({
      [ATTR.pk]: 'RUNS',
      [ATTR.sk]: keys.skippedRunSk(tick),
      [ATTR.expiresAt]: Date.parse(tick) / 1000 + 30 * 86_400,
      ...skipped(tick, 900_500),
    });
    expect(await store.runRecords({ from: tick, to: tick })).toEqual([skipped(tick, 900_500)]);
  });
});
