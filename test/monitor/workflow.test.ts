/**
 * The monitor's scenarios (monitor.test.ts) through the workflow: the steps run in the state machine's order by the
 * in-process driver, against dynalite and the mocked Config and SNS of the harness.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidNextTokenException,
} from '@aws-sdk/client-config-service';
import { PublishCommand } from '@aws-sdk/client-sns';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { DISCOVERY } from '../../lambda/steps/deps';
import { Harness, minutes } from './harness';
import { WorkflowDriver, type Request } from './workflow-driver';

let local: LocalDynamoDB;
let tables = 0;
let h: Harness;
let d: WorkflowDriver;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

async function harness(settings: ConstructorParameters<typeof Harness>[2] = {}): Promise<void> {
  const name = `workflow-${++tables}`;
  await local.createTable(name);
  h = new Harness(local, name, settings);
  d = new WorkflowDriver(h, local.documentClient);
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const FAILING = { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' };
/** A write of current state or history (not the run's working state). */
const sourceWrite = (r: Request) =>
  r.command === 'BatchWriteCommand' &&
  Object.values(r.input.RequestItems as Record<string, { PutRequest?: { Item: { pk: string } }; DeleteRequest?: { Key: { pk: string } } }[]>)
    .flat()
    .some((w) => /^(CUR|SRC)#/.test((w.PutRequest?.Item ?? w.DeleteRequest?.Key)?.pk ?? ''));

describe('a healthy organization, through the workflow', () => {
  beforeEach(async () => {
    await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS)); // 300 sources: 3 pages
    h.set('org', '100000000007', 'eu-west-1', FAILING);
  });

  it('records every source on the first run, alerts the failing one, and summarises the run', async () => {
    // Act
    const run = await d.execute(AT);
    // Assess
    expect(run.status).toBe('succeeded');
    expect(run.run?.read.units).toHaveLength(16);
    expect(run.aggregators[0]).toMatchObject({
      mode: 'full',
      sweepReason: 'first-run',
      outcome: 'ok',
      pagesRead: 3,
      configCalls: 3,
      sourcesRead: 300,
      historyWritten: 300,
      counts: { SUCCEEDED: 299, FAILED: 1 },
      noticesPublished: 1,
    });
    expect(h.statusCalls().every((c) => c.Limit === 100 && c.UpdateStatus === undefined)).toBe(true);
    expect((await h.store.loadAll('org')).size).toBe(300);
    expect(h.published.map((p) => p.kind)).toEqual([['failure']]);
    expect(h.published[0]!.email).toContain('100000000007');
    const failed = await h.store.currentInStatus('org', 'FAILED');
    expect(failed.map((s) => [s.sourceId, s.notifiedCondition, s.notifiedAt])).toEqual([['100000000007', 'FAILED', AT]]);
    expect((await h.store.getMeta('org'))).toMatchObject({ lastFullSweepAt: AT, totalSources: 300, updatedAt: AT });
    // Counted from Begin's start, not from the scheduled time (AT, a week before this test runs).
    expect(run.aggregators[0]!.durationMs).toBeLessThan(60_000);
  });

  it('takes the fast path when nothing changed: one filtered call, one unit, no source written, nothing sent', async () => {
    await d.execute(AT);
    const callsBefore = h.statusCalls().length;
    const requestsBefore = d.requests.length;
    // Act
    const run = await d.execute(minutes(AT, 15));
    // Assess
    expect(h.statusCalls().slice(callsBefore)).toEqual([
      { ConfigurationAggregatorName: 'org', UpdateStatus: ['FAILED', 'OUTDATED'], Limit: 100, NextToken: undefined },
    ]);
    expect(run.run?.read.units).toEqual([{ aggregator: 'org', shards: Array.from({ length: 16 }, (_, i) => i) }]);
    expect(run.aggregators[0]).toMatchObject({ mode: 'fast', historyWritten: 0, stateWritten: 0, noticesPublished: 0 });
    expect(run.aggregators[0]!.counts).toEqual({ FAILED: 1, SUCCEEDED: 299 });
    expect(d.requests.slice(requestsBefore).filter(sourceWrite)).toEqual([]);
    expect(h.published).toHaveLength(1);
  });

  it('sees a new failure on the very next fast run and alerts it once', async () => {
    await d.execute(AT);
    h.set('org', '100000000042', 'us-east-1', { status: 'FAILED', errorCode: 'REGION_NOT_ENABLED' });
    // Act
    const second = await d.execute(minutes(AT, 15));
    const third = await d.execute(minutes(AT, 30));
    // Assess
    expect(second.aggregators[0]).toMatchObject({ mode: 'fast', historyWritten: 1, noticesPublished: 1 });
    expect(third.aggregators[0]).toMatchObject({ mode: 'fast', historyWritten: 0, noticesPublished: 0 });
    expect(h.published).toHaveLength(2);
    expect(h.published[1]!.email).toContain('100000000042');
    expect(h.published[1]!.email).not.toContain('100000000007');
    const history = await h.store.sourceHistory('org', '100000000042', { from: AT, to: minutes(AT, 60), region: 'us-east-1' });
    expect(history.map((e) => [e.event, e.fromStatus, e.toStatus, e.errorCode])).toEqual([
      ['STATUS_CHANGED', 'SUCCEEDED', 'FAILED', 'REGION_NOT_ENABLED'],
      ['FIRST_SEEN', undefined, 'SUCCEEDED', undefined],
    ]);
  });

  it('resolves a source that left the failing list with a full sweep in the same run: recovery recorded and notified', async () => {
    await d.execute(AT);
    h.set('org', '100000000007', 'eu-west-1', { status: 'SUCCEEDED', errorCode: undefined, errorMessage: undefined });
    const callsBefore = h.statusCalls().length;
    // Act
    const run = await d.execute(minutes(AT, 15));
    // Assess: the fast read (one call), then the full read (three) in the same round, before anything recorded.
    expect(h.statusCalls().slice(callsBefore).map((c) => c.UpdateStatus?.join() ?? 'all')).toEqual(['FAILED,OUTDATED', 'all', 'all', 'all']);
    expect(run.run?.read.rounds).toBe(1);
    expect(run.aggregators[0]).toMatchObject({ mode: 'full', sweepReason: 'attention-set-shrank', historyWritten: 1, configCalls: 4, pagesRead: 3 });
    expect(h.published.map((p) => p.kind)).toEqual([['failure'], ['recovery']]);
    const [recovered] = await h.store.getStates('org', [{ sourceType: 'ACCOUNT', sourceId: '100000000007', region: 'eu-west-1' }]).then((m) => [...m.values()]);
    expect(recovered).toMatchObject({ status: 'SUCCEEDED', since: minutes(AT, 15) });
    expect(recovered!.notifiedCondition).toBeUndefined();
    expect(await h.store.loadAttention('org')).toEqual(new Map());
  });

  it('marks a removed source REMOVED in history and tells that a failing one left', async () => {
    await d.execute(AT);
    h.remove('org', '100000000007', 'eu-west-1');
    h.remove('org', '100000000001', 'us-east-1');
    // Act
    const run = await d.execute(minutes(AT, 15));
    // Assess
    expect(run.aggregators[0]).toMatchObject({ mode: 'full', historyWritten: 2, sourcesRead: 298 });
    expect(h.published[1]!.kind).toEqual(['recovery']);
    expect(h.published[1]!.email).toMatch(/removed/i);
    expect((await h.store.loadAll('org')).size).toBe(298);
    expect(await h.store.transitions('org', 'REMOVED', { from: AT, to: minutes(AT, 15) })).toHaveLength(2);
    expect(await h.store.getMeta('org')).toMatchObject({ totalSources: 298 });
  });

  it('sweeps fully again after fullSweepHours', async () => {
    await d.execute(AT);
    const run = await d.execute(minutes(AT, 6 * 60));
    expect(run.aggregators[0]).toMatchObject({ mode: 'full', sweepReason: 'schedule', historyWritten: 0, stateWritten: 0 });
  });

  it('reminds after remindAfterHours, then again after each interval, not in between', async () => {
    await d.execute(AT);
    const kinds = [];
    for (const m of [60, 23 * 60, 24 * 60, 25 * 60, 48 * 60]) {
      const before = h.published.length;
      await d.execute(minutes(AT, m));
      kinds.push(h.published.slice(before).map((p) => p.kind.join()).join() || '-');
    }
    expect(kinds).toEqual(['-', '-', 'reminder', '-', 'reminder']);
  });

  it('runs a completed run time once: the same scheduled time started again does nothing', async () => {
    await d.execute(AT);
    h.set('org', '100000000042', 'us-east-1', FAILING);
    await d.execute(minutes(AT, 15));
    const calls = h.statusCalls().length;
    // Act
    const again = await d.execute(minutes(AT, 15));
    // Assess
    expect(again).toMatchObject({ status: 'succeeded', failed: [] });
    expect(again.run?.aggregators).toEqual([]);
    expect(h.statusCalls()).toHaveLength(calls);
    const history = await h.store.sourceHistory('org', '100000000042', { from: AT, to: minutes(AT, 60), region: 'us-east-1' });
    expect(history.map((e) => e.event)).toEqual(['STATUS_CHANGED', 'FIRST_SEEN']);
    expect(h.published).toHaveLength(2);
  });
});

describe('failures, through the workflow', () => {
  it('processes the other aggregators when one is missing, alerts the missing one and ends in AggregatorsFailed', async () => {
    await harness({ aggregators: ['gone', 'org'] });
    h.org.set('org', organization(5, REGIONS));
    // Act
    const run = await d.execute(AT);
    // Assess
    expect(run.status).toBe('aggregatorsFailed');
    expect(run.failed).toEqual(['gone']);
    expect(run.run?.read.units.every((u) => u.aggregator === 'org')).toBe(true);
    expect(run.aggregators.map((a) => [a.aggregator, a.outcome, a.error?.name])).toEqual([
      ['gone', 'error', 'NoSuchConfigurationAggregatorException'],
      ['org', 'ok', undefined],
    ]);
    expect((await h.store.loadAll('org')).size).toBe(15);
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ aggregator: 'gone', kind: ['monitor-error'] });
    expect(h.published[0]!.email).toContain('NoSuchConfigurationAggregatorException');
    // Still missing a run later: no repeat inside the reminder interval.
    await d.execute(minutes(AT, 15));
    expect(h.published).toHaveLength(1);
    // Back: a recovery notice.
    h.org.set('gone', organization(1, ['us-east-1']));
    const back = await d.execute(minutes(AT, 30));
    expect(back.status).toBe('succeeded');
    expect(h.published.map((p) => p.kind)).toEqual([['monitor-error'], ['recovery']]);
  });

  it('discovers every aggregator in the region when none is configured, and reads them in one round', async () => {
    await harness();
    h.org.set('a', organization(2, REGIONS));
    h.org.set('b', organization(3, REGIONS));
    const run = await d.execute(AT);
    expect(run.run?.read.rounds).toBe(1);
    expect(run.aggregators.map((a) => [a.aggregator, a.sourcesRead])).toEqual([['a', 6], ['b', 9]]);
  });

  it('notifies when the aggregators cannot be listed, once, and when listing works again', async () => {
    await harness();
    h.org.set('org', organization(2, REGIONS));
    const denied = Object.assign(new Error('not authorized to perform config:DescribeConfigurationAggregators'), { name: 'AccessDeniedException' });
    h.config.on(DescribeConfigurationAggregatorsCommand).rejectsOnce(denied).rejectsOnce(denied);
    // Act
    const first = await d.execute(AT);
    const second = await d.execute(minutes(AT, 15));
    h.config.on(DescribeConfigurationAggregatorsCommand).resolves({ ConfigurationAggregators: [{ ConfigurationAggregatorName: 'org' }] });
    const third = await d.execute(minutes(AT, 30));
    // Assess
    expect(first.failed).toEqual([DISCOVERY]);
    expect(first.aggregators[0]!.error).toEqual({ name: 'AccessDeniedException', message: denied.message });
    expect(second.failed).toEqual([DISCOVERY]);
    expect(third.status).toBe('succeeded');
    expect(third.aggregators.map((a) => a.aggregator)).toEqual(['org']);
    expect(h.published.map((p) => [p.aggregator, p.kind.join()])).toEqual([
      [DISCOVERY, 'monitor-error'],
      [DISCOVERY, 'recovery'],
    ]);
    expect(h.published[0]!.email).toContain('AccessDeniedException');
    expect((await h.store.getMeta(DISCOVERY))?.monitorError).toBeUndefined();
  });

  it('restarts once on InvalidNextTokenException, then fails clearly, changing nothing on a partial list', async () => {
    await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS));
    await d.execute(AT);
    h.remove('org', '100000000099', 'ap-southeast-2'); // would be marked removed on a complete read
    const expired = new InvalidNextTokenException({ message: 'The nextToken provided is invalid', $metadata: {} });
    h.config.on(DescribeConfigurationAggregatorSourcesStatusCommand, { NextToken: '100' }).rejects(expired);
    // Act
    const run = await d.execute(minutes(AT, 6 * 60));
    // Assess
    expect(run.status).toBe('aggregatorsFailed');
    expect(run.aggregators[0]).toMatchObject({ outcome: 'error', error: { name: 'InvalidNextTokenException' } });
    expect(run.aggregators[0]!.error!.message).toMatch(/NextToken="100".*again after restarting/);
    expect(h.statusCalls().slice(-4).map((c) => c.NextToken)).toEqual([undefined, '100', undefined, '100']);
    expect((await h.store.loadAll('org')).size).toBe(300);
    expect(await h.store.transitions('org', 'REMOVED', { from: AT, to: minutes(AT, 6 * 60) })).toEqual([]);
    expect(h.published.map((p) => p.kind)).toEqual([['monitor-error']]);
  });

  it('keeps notices owed when Publish fails, sends them on the next run, and not again when Notify is retried', async () => {
    await harness({ aggregators: ['org'] });
    h.org.set('org', organization(10, REGIONS));
    h.set('org', '100000000003', 'us-east-1', FAILING);
    h.publishFails = true;
    // Act 1: SNS down.
    const first = await d.execute(AT);
    // Assess 1: the run fails, state and history are recorded, no marker written.
    expect(first.failed).toEqual(['org']);
    expect(first.aggregators[0]!.error?.message).toMatch(/SNS is down/);
    expect((await h.store.loadAll('org')).size).toBe(30);
    expect((await h.store.currentInStatus('org', 'FAILED'))[0]!.notifiedCondition).toBeUndefined();
    // Act 2: SNS back; the Notify Task is killed once after its markers were written, and retried.
    h.publishFails = false;
    const markers = (r: Request) => r.command === 'BatchWriteCommand' && JSON.stringify(r.input).includes('"notifiedCondition":"FAILED"');
    const second = await d.execute(minutes(AT, 15), { faults: [{ step: 'notify', at: markers, effect: 'kill-after' }] });
    // Assess 2: sent once, marked; the monitor error could not be sent and is over: nothing owed for it.
    expect(second.status).toBe('succeeded');
    expect(second.tasks.filter((t) => t.step === 'notify').map((t) => t.error !== undefined)).toEqual([true, false]);
    expect(h.published.map((p) => p.kind)).toEqual([['failure']]);
    expect(h.published.some((p) => p.email.includes('100000000003'))).toBe(true);
    expect(h.sns.commandCalls(PublishCommand).length).toBeGreaterThan(h.published.length);
  });

  it('keeps an unknown status and missing optional fields as they come', async () => {
    await harness({ aggregators: ['org'] });
    h.org.set('org', [
      { sourceId: '1', sourceType: 'ACCOUNT', region: 'us-east-1', status: 'PAUSED' },
      { sourceId: 'o-abc', sourceType: 'ORGANIZATION', region: 'us-east-1', status: 'FAILED', errorCode: 'X' },
    ]);
    await d.execute(AT);
    expect((await h.store.currentInStatus('org', 'PAUSED')).map((s) => s.sourceId)).toEqual(['1']);
    expect((await h.store.currentInStatus('org', 'FAILED'))[0]).toMatchObject({ sourceType: 'ORGANIZATION', errorCode: 'X' });
  });
});
