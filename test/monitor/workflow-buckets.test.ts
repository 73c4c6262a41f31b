/**
 * Large shards through the workflow: a shard holding more than the sub-bucket bound is reconciled in sub-buckets,
 * each a pass over the shard's staged and stored items keeping only its own sources; and a unit short of time
 * stops after a bucket and is looped by the state machine (progress.done false). The bound is lowered for the
 * test (SUB_BUCKET_SOURCES is 25,000: 400,000 sources to reach it).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { RECONCILE_MARGIN_MS } from '../../lambda/steps/reconcile';
import { bucketsOf } from '../../core/run-plan';
import { Harness, minutes } from './harness';
import { WorkflowDriver } from './workflow-driver';

const BOUND = 5;
vi.mock('../../core/run-plan', async (original) => ({
  ...(await original<typeof import('../../core/run-plan')>()),
  bucketsOf: (sources: number) => Math.max(1, Math.ceil(sources / BOUND)),
}));

let local: LocalDynamoDB;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

describe('sub-buckets', () => {
  it('reconciles every source of a large shard once, a bucket per invocation when time is short', async () => {
    // Arrange: 300 sources, about 19 a shard: 4 or 5 buckets each; every reconcile invocation has time for one.
    await local.createTable('workflow-buckets');
    const h = new Harness(local, 'workflow-buckets', { aggregators: ['org'] });
    h.org.set('org', organization(100, ['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    h.set('org', '100000000007', 'eu-west-1', { status: 'FAILED', errorCode: 'X' });
    const d = new WorkflowDriver(h, local.documentClient);
    const short = (step: string) => () => (step === 'reconcile' ? RECONCILE_MARGIN_MS - 1 : 15 * 60_000);
    // Act
    const first = await d.execute(AT, { remainingMs: short });
    h.remove('org', '100000000001', 'us-east-1');
    const second = await d.execute(minutes(AT, 6 * 60), { remainingMs: short });
    // Assert
    expect(bucketsOf(19)).toBe(4);
    const invocations = first.tasks.filter((t) => t.step === 'reconcile').length;
    expect(invocations).toBeGreaterThan(16 * 3);
    expect(first.aggregators[0]).toMatchObject({ outcome: 'ok', sourcesRead: 300, historyWritten: 300, stateWritten: 300, counts: { SUCCEEDED: 299, FAILED: 1 } });
    expect((await h.store.loadAll('org')).size).toBe(299);
    expect(h.published.map((p) => p.kind)).toEqual([['failure']]);
    expect(second.aggregators[0]).toMatchObject({ outcome: 'ok', sourcesRead: 299, historyWritten: 1, stateWritten: 1 });
    expect(await h.store.transitions('org', 'REMOVED', { from: AT, to: minutes(AT, 6 * 60) })).toHaveLength(1);
  });
});
