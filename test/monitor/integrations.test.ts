/**
 * The run on every channel: the SNS digest, EventBridge events, Security Hub findings and the chat topic. A notice
 * is marked only once every enabled channel accepted it; what one refused is sent again (same noticeId) by the
 * next run; an error-code change is an event and a finding, marked with notifiedErrorCode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { CHAT_TOPIC, Harness, minutes } from './harness';

let local: LocalDynamoDB;
let tables = 0;
const KEY = 'ACCOUNT#100000000003#us-east-1';

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

const acceptEvents = (h: Harness) =>
  h.events.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })) }));
const acceptFindings = (h: Harness) => h.securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });

async function harness(): Promise<Harness> {
  const name = `integrations-${++tables}`;
  await local.createTable(name);
  const h = new Harness(local, name, { aggregators: ['org'], securityHubFindings: true, chatTopicArn: CHAT_TOPIC });
  h.integrations = true;
  h.org.set('org', organization(10, ['us-east-1']));
  h.set('org', '100000000003', 'us-east-1', { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' });
  acceptEvents(h);
  acceptFindings(h);
  return h;
}

describe('every channel', () => {
  it('sends the failure as a digest, an event, a finding and a chat card, marks it once, and sends nothing more', async () => {
    // Prepare
    const h = await harness();

    // Act
    const first = await h.run(AT);
    const second = await h.run(minutes(AT, 15));

    // Assess
    expect(first.failed).toEqual([]);
    expect(h.published).toHaveLength(1);
    expect(h.sentEvents()).toMatchObject([{ noticeKind: 'failure', aggregator: 'org', condition: 'FAILED', source: { sourceId: '100000000003', lastErrorCode: 'AUTHORIZATION_NOT_FOUND' } }]);
    expect(h.sentFindings()).toMatchObject([{ AwsAccountId: '123456789012', RecordState: 'ACTIVE', ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default' }]);
    expect(h.chat.map((m) => JSON.parse(m) as { version: string; source: string })).toMatchObject([{ version: '1.0', source: 'custom' }]);
    expect((await h.store.loadAll('org')).get(KEY)).toMatchObject({ notifiedCondition: 'FAILED', notifiedErrorCode: 'AUTHORIZATION_NOT_FOUND' });
    expect(second.aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 0 });
    expect(h.sentEvents()).toHaveLength(1);
  });

  it('keeps the notice owed when EventBridge refuses its event, and sends it again, with the same noticeId, next run', async () => {
    // Prepare
    const h = await harness();
    h.events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }] });

    // Act
    const failed = await h.run(AT);
    const markerAfterFailure = (await h.store.loadAll('org')).get(KEY)?.notifiedCondition;
    acceptEvents(h);
    const retried = await h.run(minutes(AT, 15));

    // Assess: the e-mail went out anyway; the event was sent twice (two attempts) and refused; the run failed; the
    // next run sent digest and event again, the event with the same noticeId, and marked the notice.
    expect(failed.failed).toEqual(['org']);
    expect(failed.aggregators[0]?.error?.name).toBe('EventsNotDelivered');
    expect(markerAfterFailure).toBeUndefined();
    const failures = h.sentEvents().filter((e) => e.noticeKind === 'failure');
    expect(failures.length).toBe(3);
    expect(new Set(failures.map((e) => e.noticeId)).size).toBe(1);
    expect(retried.failed).toEqual([]);
    expect((await h.store.loadAll('org')).get(KEY)?.notifiedCondition).toBe('FAILED');
  });

  it('keeps the notice owed when Security Hub refuses its finding (FailedFindings), and imports it next run', async () => {
    // Prepare
    const h = await harness();
    h.securityHub.on(BatchImportFindingsCommand).callsFake((input: { Findings: { Id: string }[] }) => ({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: input.Findings[0]?.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'refused' }],
    }));

    // Act
    const failed = await h.run(AT);
    acceptFindings(h);
    await h.run(minutes(AT, 15));

    // Assess
    expect(failed.aggregators[0]?.error?.name).toBe('FindingsNotDelivered');
    expect(h.sentFindings().filter((f) => f.RecordState === 'ACTIVE' && f.ProductFields?.['config-aggregator-watch/SourceId'] === '100000000003')).toHaveLength(2);
    expect((await h.store.loadAll('org')).get(KEY)?.notifiedCondition).toBe('FAILED');
  });

  it('tells of an error-code change by event and finding (not e-mail), retried until accepted', async () => {
    // Prepare: the failure delivered with AUTHORIZATION_NOT_FOUND
    const h = await harness();
    await h.run(AT);
    h.set('org', '100000000003', 'us-east-1', { errorCode: 'ORGANIZATION_ACCESS_DENIED' });
    h.events.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));

    // Act
    const refused = await h.run(minutes(AT, 15));
    acceptEvents(h);
    await h.run(minutes(AT, 30));
    await h.run(minutes(AT, 45));

    // Assess
    expect(refused.failed).toEqual(['org']);
    const changes = h.sentEvents().filter((e) => e.noticeKind === 'error-code-changed');
    expect(changes).toHaveLength(2);
    expect(changes[1]).toMatchObject({ previous: { lastErrorCode: 'AUTHORIZATION_NOT_FOUND' }, source: { lastErrorCode: 'ORGANIZATION_ACCESS_DENIED' } });
    expect(changes[0]?.noticeId).toBe(changes[1]?.noticeId);
    expect(h.published.filter((p) => p.kind.includes('failure'))).toHaveLength(1);
    expect((await h.store.loadAll('org')).get(KEY)?.notifiedErrorCode).toBe('ORGANIZATION_ACCESS_DENIED');
  });
});
