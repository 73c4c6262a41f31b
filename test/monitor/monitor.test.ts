import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidNextTokenException,
} from '@aws-sdk/client-config-service';
import { PublishCommand } from '@aws-sdk/client-sns';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { DISCOVERY, RESERVE_MS, WRITE_MS_PER_SOURCE } from '../../lambda/run';
import { Harness, minutes } from './harness';

let local: LocalDynamoDB;
let tables = 0;
let h: Harness;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

async function harness(settings: ConstructorParameters<typeof Harness>[2] = {}): Promise<Harness> {
  const name = `monitor-${++tables}`;
  await local.createTable(name);
  return new Harness(local, name, settings);
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const FAILING = { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' };

describe('a healthy organization', () => {
  beforeEach(async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS)); // 300 sources: 3 pages
    h.set('org', '100000000007', 'eu-west-1', FAILING);
  });

  it('records every source on the first run, alerts the failing one, and summarises the run', async () => {
    // Act
    const report = await h.run(AT);
    // Assess
    expect(report.failed).toEqual([]);
    expect(report.aggregators[0]).toMatchObject({
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
    expect(h.published).toHaveLength(1);
    expect(h.published[0]!.kind).toEqual(['failure']);
    expect(h.published[0]!.email).toContain('100000000007');
    const failed = await h.store.currentInStatus('org', 'FAILED');
    expect(failed.map((s) => [s.sourceId, s.notifiedCondition, s.notifiedAt])).toEqual([['100000000007', 'FAILED', AT]]);
    const runs = await h.store.runs({ from: AT, to: AT });
    expect(runs.map((r) => [r.aggregator, r.outcome])).toEqual([['org', 'ok']]);
  });

  it('takes the fast path when nothing changed: one filtered call, only the run summary written, nothing sent', async () => {
    await h.run(AT);
    const callsBefore = h.statusCalls().length;
    const writesBefore = h.store.writeRequests;
    // Act
    const report = await h.run(minutes(AT, 15));
    // Assess
    const calls = h.statusCalls().slice(callsBefore);
    expect(calls).toEqual([
      { ConfigurationAggregatorName: 'org', UpdateStatus: ['FAILED', 'OUTDATED'], Limit: 100, NextToken: undefined },
    ]);
    expect(report.aggregators[0]).toMatchObject({ mode: 'fast', historyWritten: 0, stateWritten: 0, noticesPublished: 0 });
    expect(report.aggregators[0]!.counts).toEqual({ FAILED: 1, SUCCEEDED: 299 });
    expect(h.store.writeRequests - writesBefore).toBe(1);
    expect(h.published).toHaveLength(1);
  });

  it('sees a new failure on the very next fast run and alerts it once', async () => {
    await h.run(AT);
    h.set('org', '100000000042', 'us-east-1', { status: 'FAILED', errorCode: 'REGION_NOT_ENABLED' });
    // Act
    const second = await h.run(minutes(AT, 15));
    const third = await h.run(minutes(AT, 30));
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
    await h.run(AT);
    h.set('org', '100000000007', 'eu-west-1', { status: 'SUCCEEDED', errorCode: undefined, errorMessage: undefined });
    // Act
    const report = await h.run(minutes(AT, 15));
    // Assess
    expect(report.aggregators[0]).toMatchObject({ mode: 'full', sweepReason: 'attention-set-shrank', historyWritten: 1 });
    expect(h.published.map((p) => p.kind)).toEqual([['failure'], ['recovery']]);
    const [recovered] = await h.store.getStates('org', [{ sourceType: 'ACCOUNT', sourceId: '100000000007', region: 'eu-west-1' }]).then((m) => [...m.values()]);
    expect(recovered).toMatchObject({ status: 'SUCCEEDED', since: minutes(AT, 15) });
    expect(recovered!.notifiedCondition).toBeUndefined();
    expect(await h.store.loadAttention('org')).toEqual(new Map());
  });

  it('marks a removed source REMOVED in history and tells that a failing one left', async () => {
    await h.run(AT);
    h.remove('org', '100000000007', 'eu-west-1');
    h.remove('org', '100000000001', 'us-east-1');
    // Act
    const report = await h.run(minutes(AT, 15));
    // Assess
    expect(report.aggregators[0]).toMatchObject({ mode: 'full', historyWritten: 2, sourcesRead: 298 });
    expect(h.published[1]!.kind).toEqual(['recovery']);
    expect(h.published[1]!.email).toMatch(/removed/i);
    expect((await h.store.loadAll('org')).size).toBe(298);
    expect(await h.store.transitions('org', 'REMOVED', { from: AT, to: minutes(AT, 15) })).toHaveLength(2);
  });

  it('sweeps fully again after fullSweepHours', async () => {
    await h.run(AT);
    const report = await h.run(minutes(AT, 6 * 60));
    expect(report.aggregators[0]).toMatchObject({ mode: 'full', sweepReason: 'schedule', historyWritten: 0, stateWritten: 0 });
  });

  it('reminds after remindAfterHours, then again after each interval, not in between', async () => {
    await h.run(AT);
    const kinds = [];
    for (const m of [60, 23 * 60, 24 * 60, 25 * 60, 48 * 60]) {
      const before = h.published.length;
      await h.run(minutes(AT, m));
      kinds.push(h.published.slice(before).map((p) => p.kind.join()).join() || '-');
    }
    expect(kinds).toEqual(['-', '-', 'reminder', '-', 'reminder']);
  });

  it('writes no duplicate history when the same scheduled event is delivered twice', async () => {
    await h.run(AT);
    h.set('org', '100000000042', 'us-east-1', FAILING);
    await h.run(minutes(AT, 15));
    // Act: Lambda retries the same event (same time) after the first delivery completed.
    const retry = await h.run(minutes(AT, 15));
    // Assess
    expect(retry.aggregators[0]).toMatchObject({ historyWritten: 0, noticesPublished: 0 });
    const history = await h.store.sourceHistory('org', '100000000042', { from: AT, to: minutes(AT, 60), region: 'us-east-1' });
    expect(history.map((e) => e.event)).toEqual(['STATUS_CHANGED', 'FIRST_SEEN']);
  });
});

describe('failures', () => {
  it('processes the other aggregators when one is missing, alerts the missing one and fails the run', async () => {
    h = await harness({ aggregators: ['gone', 'org'] });
    h.org.set('org', organization(5, REGIONS));
    // Act
    const report = await h.run(AT);
    // Assess
    expect(report.failed).toEqual(['gone']);
    expect(report.aggregators.map((a) => [a.aggregator, a.outcome, a.error?.name])).toEqual([
      ['gone', 'error', 'NoSuchConfigurationAggregatorException'],
      ['org', 'ok', undefined],
    ]);
    expect((await h.store.loadAll('org')).size).toBe(15);
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ aggregator: 'gone', kind: ['monitor-error'] });
    expect(h.published[0]!.email).toContain('NoSuchConfigurationAggregatorException');
    // Still missing a run later: no repeat inside the reminder interval.
    await h.run(minutes(AT, 15));
    expect(h.published).toHaveLength(1);
    // Back: a recovery notice.
    h.org.set('gone', organization(1, ['us-east-1']));
    const back = await h.run(minutes(AT, 30));
    expect(back.failed).toEqual([]);
    expect(h.published.map((p) => p.kind)).toEqual([['monitor-error'], ['recovery']]);
  });

  it('discovers every aggregator in the region when none is configured', async () => {
    h = await harness();
    h.org.set('a', organization(2, REGIONS));
    h.org.set('b', organization(3, REGIONS));
    const report = await h.run(AT);
    expect(report.aggregators.map((a) => [a.aggregator, a.sourcesRead])).toEqual([['a', 6], ['b', 9]]);
  });

  it('notifies when the aggregators cannot be listed, once, and when listing works again', async () => {
    h = await harness();
    h.org.set('org', organization(2, REGIONS));
    const denied = Object.assign(new Error('not authorized to perform config:DescribeConfigurationAggregators'), {
      name: 'AccessDeniedException',
    });
    h.config.on(DescribeConfigurationAggregatorsCommand).rejectsOnce(denied).rejectsOnce(denied);
    // Act
    const first = await h.run(AT);
    const second = await h.run(minutes(AT, 15));
    h.config.on(DescribeConfigurationAggregatorsCommand).resolves({ ConfigurationAggregators: [{ ConfigurationAggregatorName: 'org' }] });
    const third = await h.run(minutes(AT, 30));
    // Assess
    expect(first.failed).toEqual([DISCOVERY]);
    expect(first.aggregators[0]!.error).toEqual({ name: 'AccessDeniedException', message: denied.message });
    expect(second.failed).toEqual([DISCOVERY]);
    expect(third.failed).toEqual([]);
    expect(third.aggregators.map((a) => a.aggregator)).toEqual(['org']);
    expect(h.published.map((p) => [p.aggregator, p.kind.join()])).toEqual([
      [DISCOVERY, 'monitor-error'],
      [DISCOVERY, 'recovery'],
    ]);
    expect(h.published[0]!.email).toContain('AccessDeniedException');
  });

  it('restarts once on InvalidNextTokenException, then fails clearly, changing nothing on a partial list', async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS));
    await h.run(AT);
    h.remove('org', '100000000099', 'ap-southeast-2'); // would be marked removed on a complete read
    const expired = new InvalidNextTokenException({ message: 'The nextToken provided is invalid', $metadata: {} });
    h.config.on(DescribeConfigurationAggregatorSourcesStatusCommand, { NextToken: '100' }).rejects(expired);
    // Act
    const report = await h.run(minutes(AT, 6 * 60));
    // Assess
    expect(report.aggregators[0]).toMatchObject({ outcome: 'error', error: { name: 'InvalidNextTokenException' } });
    expect(report.aggregators[0]!.error!.message).toMatch(/NextToken="100".*again after restarting/);
    const tokens = h.statusCalls().slice(-4).map((c) => c.NextToken);
    expect(tokens).toEqual([undefined, '100', undefined, '100']);
    expect((await h.store.loadAll('org')).size).toBe(300);
    expect(await h.store.transitions('org', 'REMOVED', { from: AT, to: minutes(AT, 6 * 60) })).toEqual([]);
  });

  it('stops before the deadline rather than being cut off, recording nothing from the partial read', async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS));
    let left = 200_000;
    // Each check consumes time: the third page finds too little left.
    const report = await h.run(AT, () => (left -= 50_000));
    expect(report.aggregators[0]).toMatchObject({ outcome: 'error', error: { name: 'DeadlineExceeded' } });
    expect((await h.store.loadAll('org')).size).toBe(0);
  });

  it('keeps time to write every source read: stops reading when the writes would not fit before the reserve', async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS));
    // Enough for RESERVE_MS and the first page's 100 sources, not for the second page's 200.
    const left = RESERVE_MS + 150 * WRITE_MS_PER_SOURCE;
    const report = await h.run(AT, () => left);
    expect(report.aggregators[0]).toMatchObject({ outcome: 'error', error: { name: 'DeadlineExceeded' } });
    expect(report.aggregators[0]!.error!.message).toMatch(/^Stopped reading aggregator "org" after 2 pages \(200 sources\)/);
    expect(h.statusCalls()).toHaveLength(2);
    expect((await h.store.loadAll('org')).size).toBe(0);
  });

  it('stops writing before the deadline, fails loudly, and the next run writes the rest', async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', organization(100, REGIONS));
    let checks = 0;
    // Plenty for the 3 pages and the first 4 batches, then less than the reserve.
    const report = await h.run(AT, () => (++checks <= 3 + 4 ? 10 * RESERVE_MS : RESERVE_MS - 1));
    expect(report.aggregators[0]).toMatchObject({ outcome: 'error', error: { name: 'DeadlineExceeded' } });
    expect(report.aggregators[0]!.error!.message).toMatch(/^Stopped writing to .* after \d+ of 600 items: 59999 ms left/);
    expect(h.published.map((p) => p.kind)).toEqual([['monitor-error']]);
    const written = await h.store.transitions('org', 'SUCCEEDED', { from: AT, to: AT });
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThanOrEqual(4 * 25);
    // Act: the next run, in time.
    const next = await h.run(minutes(AT, 15));
    expect(next.failed).toEqual([]);
    expect((await h.store.loadAll('org')).size).toBe(300);
  });

  it('keeps notices owed when Publish fails, sends them on the next run, and not again on a retried run', async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', organization(10, REGIONS));
    h.set('org', '100000000003', 'us-east-1', FAILING);
    h.publishFails = true;
    // Act 1: SNS down.
    const first = await h.run(AT);
    // Assess 1: the run fails, state and history are recorded, no marker written.
    expect(first.failed).toEqual(['org']);
    expect(first.aggregators[0]!.error?.message).toMatch(/SNS is down/);
    expect((await h.store.loadAll('org')).size).toBe(30);
    expect((await h.store.currentInStatus('org', 'FAILED'))[0]!.notifiedCondition).toBeUndefined();
    // Act 2: SNS back.
    h.publishFails = false;
    const second = await h.run(minutes(AT, 15));
    // Assess 2: the failure is sent now. The monitor error could not be sent and is over: nothing owed for it.
    expect(second.failed).toEqual([]);
    expect(h.published.map((p) => p.kind)).toEqual([['failure']]);
    expect(h.published.some((p) => p.email.includes('100000000003'))).toBe(true);
    // Act 3: the same event delivered again.
    const sent = h.published.length;
    await h.run(minutes(AT, 15));
    expect(h.published).toHaveLength(sent);
    expect(h.sns.commandCalls(PublishCommand).length).toBeGreaterThan(sent);
  });

  it('keeps an unknown status and missing optional fields as they come', async () => {
    h = await harness({ aggregators: ['org'] });
    h.org.set('org', [
      { sourceId: '1', sourceType: 'ACCOUNT', region: 'us-east-1', status: 'PAUSED' },
      { sourceId: 'o-abc', sourceType: 'ORGANIZATION', region: 'us-east-1', status: 'FAILED', errorCode: 'X' },
    ]);
    await h.run(AT);
    expect((await h.store.currentInStatus('org', 'PAUSED')).map((s) => s.sourceId)).toEqual(['1']);
    expect((await h.store.currentInStatus('org', 'FAILED'))[0]).toMatchObject({ sourceType: 'ORGANIZATION', errorCode: 'X' });
  });
});
