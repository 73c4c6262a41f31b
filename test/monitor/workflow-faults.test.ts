/**
 * What the workflow adds to a run's reliability, through the in-process driver: reads that span rounds and resume
 * from the cursor, a NextToken expiring between rounds, kills between a chunk's stage and its cursor and inside a
 * reconcile unit, and the three known gaps of docs/reliability.md closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeConfigurationAggregatorSourcesStatusCommand, InvalidNextTokenException } from '@aws-sdk/client-config-service';
import { keys, shardOf } from '../../adapters/store/table-schema';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { READ_MARGIN_MS } from '../../lambda/steps/read-round';
import { Harness, minutes } from './harness';
import { WorkflowDriver, type Request } from './workflow-driver';

let local: LocalDynamoDB;
let tables = 0;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

async function setup(accounts: number, settings: ConstructorParameters<typeof Harness>[2] = { aggregators: ['org'] }) {
  const name = `workflow-faults-${++tables}`;
  await local.createTable(name);
  const h = new Harness(local, name, settings);
  h.org.set('org', organization(accounts, REGIONS));
  return { h, d: new WorkflowDriver(h, local.documentClient) };
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const FAILING = { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' };
/** Every read round is short of time: it reads one page (a round always makes progress), then stops. */
const shortRounds = (step: string) => () => (step === 'read' ? READ_MARGIN_MS - 1 : 15 * 60_000);
const items = (r: Request) =>
  Object.values((r.input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]>)
    .flat()
    .map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key ?? {});
const isCursorAdvance = (chunk: number) => (r: Request) =>
  r.command === 'PutCommand' && String((r.input.Item as { sk?: string }).sk).startsWith('CUR#') && (r.input.Item as { chunk?: number }).chunk === chunk;
const isHistoryBatch = (r: Request) => r.command === 'BatchWriteCommand' && items(r).some((i) => String(i.pk).startsWith('SRC#'));
const isRecordPut = (r: Request) => r.command === 'PutCommand' && (r.input.Item as { pk?: string }).pk === 'AGG';

describe('reads that span invocations', () => {
  it('resumes a read over several rounds from the cursor, never reading a page twice', async () => {
    // Arrange: 1,200 sources, 12 pages; each round has time for one page only.
    const { h, d } = await setup(400);
    // Act
    const run = await d.execute(AT, { remainingMs: shortRounds });
    // Assert
    expect(run.status).toBe('succeeded');
    expect(run.run?.read.rounds).toBe(12);
    const tokens = h.statusCalls().map((c) => c.NextToken ?? 'first');
    expect(tokens).toHaveLength(12);
    expect(new Set(tokens).size).toBe(12);
    expect(run.aggregators[0]).toMatchObject({ outcome: 'ok', pagesRead: 12, configCalls: 12, sourcesRead: 1200, historyWritten: 1200 });
    expect((await h.store.loadAll('org')).size).toBe(1200);
    // The learned rate handed from round to round.
    expect(d.rate.seeded).toHaveLength(12);
  });

  it('restarts the read once from the first page when the NextToken expired between rounds', async () => {
    // Arrange: page 3's token refused once, as after the pause between two rounds.
    const { h, d } = await setup(100);
    const expired = () => new InvalidNextTokenException({ message: 'The nextToken provided is invalid', $metadata: {} });
    const third = (r: Request) => r.service === 'config' && r.input.NextToken === '200';
    // Act
    const run = await d.execute(AT, { remainingMs: shortRounds, faults: [{ step: 'read', at: third, effect: 'refuse', error: expired }] });
    // Assert
    const asked = d.requests.filter((r) => r.command === DescribeConfigurationAggregatorSourcesStatusCommand.name).map((r) => r.input.NextToken);
    expect(asked).toEqual([undefined, '100', '200', undefined, '100', '200']);
    // Rounds: pages 1, 2, the refusal (the cursor restarts in epoch 1), then pages 1 to 3 again.
    expect(run.run?.read.rounds).toBe(6);
    expect(run.status).toBe('succeeded');
    expect(run.aggregators[0]).toMatchObject({ outcome: 'ok', pagesRead: 3, configCalls: 6, sourcesRead: 300 });
    expect((await h.store.loadAll('org')).size).toBe(300);
  });

  it('re-reads one chunk only after a round is killed between staging a chunk and advancing its cursor', async () => {
    // Arrange: 3,000 sources, 30 pages, 3 chunks; killed once before the cursor of chunk 2 is written.
    const { h, d } = await setup(1000);
    // Act
    const run = await d.execute(AT, { faults: [{ step: 'read', at: isCursorAdvance(2), effect: 'kill-before' }] });
    // Assert: 30 pages + chunk 2's 10 again.
    expect(run.status).toBe('succeeded');
    expect(run.tasks.filter((t) => t.step === 'read').map((t) => t.error?.split(':')[0])).toEqual(['Killed', undefined]);
    const tokens = h.statusCalls().map((c) => c.NextToken ?? '0');
    expect(tokens).toHaveLength(40);
    expect(tokens.slice(20, 30)).toEqual(tokens.slice(10, 20));
    expect(run.aggregators[0]).toMatchObject({ pagesRead: 30, sourcesRead: 3000, historyWritten: 3000 });
    expect((await h.store.loadAll('org')).size).toBe(3000);
  });
});

describe('reconcile units', () => {
  it('re-applies the journal of a unit killed after writing it: no transition lost or doubled, nothing recomputed', async () => {
    // Arrange: a first run; then a source fails; the unit is killed before its first history batch.
    const { h, d } = await setup(100);
    await d.execute(AT);
    h.set('org', '100000000007', 'eu-west-1', FAILING);
    const before = d.requests.length;
    // Act
    const run = await d.execute(minutes(AT, 15), { faults: [{ step: 'reconcile', at: isHistoryBatch, effect: 'kill-before' }] });
    // Assert
    expect(run.status).toBe('succeeded');
    const attempts = run.tasks.filter((t) => t.step === 'reconcile');
    expect(attempts.map((t) => t.error?.split(':')[0])).toEqual(['Killed', undefined]);
    // The retried attempt read no staged observation of the journaled shard: it applied the journal as written.
    const requests = d.requests.slice(before).filter((r) => r.step === 'reconcile');
    const retried = requests.slice(requests.findIndex(isHistoryBatch) + 1);
    const stagedPk = keys.stagedPk(minutes(AT, 15), 'org', 0, shardOf('ACCOUNT#100000000007#eu-west-1'));
    const queried = (r: Request) => r.command === 'QueryCommand' && (r.input.ExpressionAttributeValues as Record<string, string>)[':pk'];
    expect(requests.slice(0, requests.findIndex(isHistoryBatch)).map(queried)).toContain(stagedPk);
    expect(retried.map(queried)).not.toContain(stagedPk);
    expect(retried.filter(isHistoryBatch)).toHaveLength(1);
    const history = await h.store.sourceHistory('org', '100000000007', { from: AT, to: minutes(AT, 15), region: 'eu-west-1' });
    expect(history.map((e) => [e.event, e.at])).toEqual([
      ['STATUS_CHANGED', minutes(AT, 15)],
      ['FIRST_SEEN', AT],
    ]);
    expect(h.published.map((p) => p.kind)).toEqual([['failure']]);
  });
});

describe('the known gaps, closed', () => {
  it('gap 1: a monitor-error notice accepted while DynamoDB refuses the record is carried, and its recovery follows', async () => {
    // Arrange
    const { h, d } = await setup(5, { aggregators: ['gone'] });
    // Act 1: the aggregator is missing; its monitor error is notified; every Finalize attempt is refused its record.
    const first = await d.execute(AT, { faults: [{ step: 'finalize', at: isRecordPut, effect: 'refuse', times: 3 }] });
    // Assert 1: the execution ends Unrecorded, the obligation in its result.
    expect(first.status).toBe('unrecorded');
    expect(WorkflowDriver.carried(first)).toEqual([
      { aggregator: 'gone', monitorError: { code: 'NoSuchConfigurationAggregatorException', message: expect.any(String), since: AT }, monitorErrorNotifiedAt: AT },
    ]);
    // Act 2: the next execution carries it; the aggregator is still missing (no reminder due yet).
    const second = await d.execute(minutes(AT, 15), { carried: WorkflowDriver.carried(first) });
    // Act 3: the aggregator is back.
    h.org.set('gone', organization(1, ['us-east-1']));
    const third = await d.execute(minutes(AT, 30));
    // Assert
    expect(second.status).toBe('aggregatorsFailed');
    expect(third.status).toBe('succeeded');
    expect(h.published.map((p) => [p.aggregator, p.kind.join()])).toEqual([
      ['gone', 'monitor-error'],
      ['gone', 'recovery'],
    ]);
  });

  it('gap 2: a run that dies between the history and the state writes has its transitions recorded once, and closed', async () => {
    // Arrange: a first run; a source fails; every attempt of the unit dies after its history batch, before the states.
    const { h, d } = await setup(100);
    await d.execute(AT);
    h.set('org', '100000000007', 'eu-west-1', FAILING);
    const dead = await d.execute(minutes(AT, 15), { maxAttempts: 1, faults: [{ step: 'reconcile', at: isHistoryBatch, effect: 'kill-after' }] });
    // Act: the source recovers before the next run, whose Begin rolls the dead run's journal forward first.
    h.set('org', '100000000007', 'eu-west-1', { status: 'SUCCEEDED', errorCode: undefined, errorMessage: undefined });
    const next = await d.execute(minutes(AT, 30));
    // Assert
    expect(dead.status).toBe('failed');
    expect(next.status).toBe('succeeded');
    expect(next.aggregators[0]).toMatchObject({ mode: 'full', sweepReason: 'previous-run-incomplete' });
    const history = await h.store.sourceHistory('org', '100000000007', { from: AT, to: minutes(AT, 30), region: 'eu-west-1' });
    expect(history.map((e) => [e.event, e.fromStatus, e.toStatus, e.at])).toEqual([
      ['STATUS_CHANGED', 'FAILED', 'SUCCEEDED', minutes(AT, 30)],
      ['STATUS_CHANGED', 'SUCCEEDED', 'FAILED', minutes(AT, 15)],
      ['FIRST_SEEN', undefined, 'SUCCEEDED', AT],
    ]);
    expect((await h.store.loadAll('org')).get('ACCOUNT#100000000007#eu-west-1')).toMatchObject({ status: 'SUCCEEDED', since: minutes(AT, 30) });
  });

  it('gap 3: a removal recorded by a run killed before Finalize is counted out by the next run', async () => {
    // Arrange: 300 sources, one failing; it leaves the aggregator (the fast read shrinks: full sweep, removal).
    const { h, d } = await setup(100);
    h.set('org', '100000000007', 'eu-west-1', FAILING);
    await d.execute(AT);
    h.remove('org', '100000000007', 'eu-west-1');
    const killed = await d.execute(minutes(AT, 15), { faults: [{ step: 'finalize', at: () => true, effect: 'kill-before', times: 3 }] });
    // Act
    const next = await d.execute(minutes(AT, 30));
    const after = await d.execute(minutes(AT, 45));
    // Assert
    expect(killed.status).toBe('unrecorded');
    expect(await h.store.transitions('org', 'REMOVED', { from: AT, to: minutes(AT, 15) })).toHaveLength(1);
    expect(next.aggregators[0]).toMatchObject({ mode: 'full', sweepReason: 'previous-run-incomplete', counts: { SUCCEEDED: 299 } });
    expect(after.aggregators[0]).toMatchObject({ mode: 'fast', counts: { SUCCEEDED: 299 } });
    // The metric, as Finalize emitted it for each run: the killed run emitted none.
    const succeeded = d.metrics.filter((m) => m.name === 'Sources' && m.dimensions?.Status === 'SUCCEEDED').map((m) => m.value);
    expect(succeeded).toEqual([299, 299, 299]);
    expect(d.metrics.filter((m) => m.name === 'SuccessfulRuns').map((m) => m.value)).toEqual([1, 1, 1]);
  });
});
