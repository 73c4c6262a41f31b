/**
 * Delivery and the integrations through the workflow (the driver runs the steps in the state machine's order): the
 * SNS digest, EventBridge events, Security Hub findings and the chat topic. A notice is marked only once every
 * enabled channel accepted it; what one refused is sent again by Notify's retries and by the next run (same
 * noticeId); an error-code change is an event and a finding, marked with notifiedErrorCode. (The status report,
 * Finalize's: workflow-reports.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import { PublishCommand } from '@aws-sdk/client-sns';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { CHAT_TOPIC, Harness, minutes } from './harness';
import { WorkflowDriver } from './workflow-driver';

let local: LocalDynamoDB;
let tables = 0;
const KEY = 'ACCOUNT#100000000003#us-east-1';
const FAILING = { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' };

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

async function setup(settings: ConstructorParameters<typeof Harness>[2] = {}) {
  const name = `workflow-delivery-${++tables}`;
  await local.createTable(name);
  const h = new Harness(local, name, { aggregators: ['org'], ...settings });
  h.org.set('org', organization(10, ['us-east-1']));
  h.set('org', '100000000003', 'us-east-1', FAILING);
  return { h, d: new WorkflowDriver(h, local.documentClient) };
}

const marker = async (h: Harness) => (await h.store.loadAll('org')).get(KEY)?.notifiedCondition;
const formats = (h: Harness, from = 0) => h.sns.commandCalls(PublishCommand).slice(from).map((c) => c.args[0].input.MessageAttributes?.format?.StringValue);

describe('a notice in every format', () => {
  it.each(['email', 'json', 'sms'])('stays owed when SNS refuses its %s publication, and is sent again in full by the next run', async (refused) => {
    // Arrange
    const { h, d } = await setup();
    h.failFormats.add(refused);
    // Act
    const failed = await d.execute(AT);
    const attempted = formats(h);
    const markerAfterFailure = await marker(h);
    h.failFormats.clear();
    const retried = await d.execute(minutes(AT, 15));
    // Assert
    const order = ['email', 'json', 'sms'];
    expect(failed.failed).toEqual(['org']);
    expect(attempted.slice(0, order.indexOf(refused) + 1)).toEqual(order.slice(0, order.indexOf(refused) + 1));
    expect(markerAfterFailure).toBeUndefined();
    expect(retried.aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 1 });
    expect(formats(h, attempted.length)).toEqual(order);
    expect(await marker(h)).toBe('FAILED');
    expect((await d.execute(minutes(AT, 30))).aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 0 });
  });
});

describe('every channel', () => {
  const acceptEvents = (h: Harness) =>
    h.events.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })) }));
  async function channels() {
    const all = await setup({ securityHubFindings: true, chatTopicArn: CHAT_TOPIC });
    all.h.integrations = true;
    acceptEvents(all.h);
    acceptFindings(all.h);
    return all;
  }
  const acceptFindings = (h: Harness) => h.securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  /** BatchImportFindings calls per Notify attempt whose finding is refused InvalidInput: one (a permanent code, not retried by the publisher). */
  const FINDING_IMPORTS_PER_ATTEMPT = 1;

  it('sends the failure as a digest, an event, a finding and a chat card, marks it once, and sends nothing more', async () => {
    // Arrange
    const { h, d } = await channels();
    // Act
    const first = await d.execute(AT);
    const second = await d.execute(minutes(AT, 15));
    // Assert
    expect(first.status).toBe('succeeded');
    expect(h.published).toHaveLength(1);
    expect(h.sentEvents()).toMatchObject([{ noticeKind: 'failure', aggregator: 'org', condition: 'FAILED', source: { sourceId: '100000000003', lastErrorCode: 'AUTHORIZATION_NOT_FOUND' } }]);
    expect(h.sentFindings()).toMatchObject([{ AwsAccountId: '123456789012', RecordState: 'ACTIVE', ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default' }]);
    expect(h.chat.map((m) => JSON.parse(m) as { version: string; source: string })).toMatchObject([{ version: '1.0', source: 'custom' }]);
    expect((await h.store.loadAll('org')).get(KEY)).toMatchObject({ notifiedCondition: 'FAILED', notifiedErrorCode: 'AUTHORIZATION_NOT_FOUND' });
    expect(second.aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 0 });
    expect(h.sentEvents()).toHaveLength(1);
  });

  it('keeps the notice owed when EventBridge refuses its event, retried within the run and sent again, with the same noticeId, next run', async () => {
    // Arrange
    const { h, d } = await channels();
    h.events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }] });
    // Act
    const failed = await d.execute(AT);
    const markerAfterFailure = await marker(h);
    acceptEvents(h);
    const retried = await d.execute(minutes(AT, 15));
    // Assert
    expect(failed.status).toBe('aggregatorsFailed');
    expect(failed.aggregators[0]?.error?.name).toBe('EventsNotDelivered');
    expect(markerAfterFailure).toBeUndefined();
    // The failure's event, one for the digest, PutEvents twice (the publisher's own retry) at each Notify attempt (the
    // Task's retries, then its last attempt), then once by the next run.
    const attempts = failed.tasks.filter((t) => t.step === 'notify').length;
    const failures = h.sentEvents().filter((e) => e.noticeKind === 'failure');
    expect(attempts).toBe(4);
    expect(failures.length).toBe(2 * attempts + 1);
    expect(new Set(failures.map((e) => e.noticeId)).size).toBe(1);
    expect(retried.status).toBe('succeeded');
    expect(await marker(h)).toBe('FAILED');
  });

  it('keeps the notice owed when Security Hub refuses its finding (FailedFindings), retried within the run, and imports it next run', async () => {
    // Arrange
    const { h, d } = await channels();
    h.securityHub.on(BatchImportFindingsCommand).callsFake((input: { Findings: { Id: string }[] }) => ({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: input.Findings[0]?.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'refused' }],
    }));
    const imports = () => h.sentFindings().filter((f) => f.RecordState === 'ACTIVE' && f.ProductFields?.['config-aggregator-watch/SourceId'] === '100000000003');
    // Act
    const failed = await d.execute(AT);
    const refusedImports = imports().length;
    const markerAfterFailure = await marker(h);
    acceptFindings(h);
    const retried = await d.execute(minutes(AT, 15));
    // Assert
    expect(failed.status).toBe('aggregatorsFailed');
    expect(failed.aggregators[0]?.error?.name).toBe('FindingsNotDelivered');
    expect(markerAfterFailure).toBeUndefined();
    // The finding at each Notify attempt (the Task's retries, then its last attempt), then once by the next run.
    const attempts = failed.tasks.filter((t) => t.step === 'notify').length;
    expect(attempts).toBe(4);
    expect(refusedImports).toBe(FINDING_IMPORTS_PER_ATTEMPT * attempts);
    expect(imports()).toHaveLength(refusedImports + 1);
    expect(new Set(imports().map((f) => f.Id)).size).toBe(1);
    expect(retried.status).toBe('succeeded');
    expect(await marker(h)).toBe('FAILED');
  });

  it('tells of an error-code change by event (not e-mail), retried until accepted, with the same noticeId', async () => {
    // Arrange: the failure delivered with AUTHORIZATION_NOT_FOUND; then its code changes while EventBridge denies.
    const { h, d } = await channels();
    await d.execute(AT);
    h.set('org', '100000000003', 'us-east-1', { errorCode: 'ORGANIZATION_ACCESS_DENIED' });
    h.events.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    // Act
    const refused = await d.execute(minutes(AT, 15));
    const codeAfterRefusal = (await h.store.loadAll('org')).get(KEY)?.notifiedErrorCode;
    const changesRefused = h.sentEvents().filter((e) => e.noticeKind === 'error-code-changed').length;
    acceptEvents(h);
    await d.execute(minutes(AT, 30));
    await d.execute(minutes(AT, 45));
    // Assert
    expect(refused.failed).toEqual(['org']);
    expect(codeAfterRefusal).toBe('AUTHORIZATION_NOT_FOUND');
    const changes = h.sentEvents().filter((e) => e.noticeKind === 'error-code-changed');
    // Refused at every Notify attempt of the run, then accepted once by the next run, and not sent again after.
    expect(changesRefused).toBeGreaterThanOrEqual(refused.tasks.filter((t) => t.step === 'notify').length);
    expect(changes).toHaveLength(changesRefused + 1);
    expect(changes.at(-1)).toMatchObject({ previous: { lastErrorCode: 'AUTHORIZATION_NOT_FOUND' }, source: { lastErrorCode: 'ORGANIZATION_ACCESS_DENIED' } });
    expect(new Set(changes.map((e) => e.noticeId)).size).toBe(1);
    expect(h.published.filter((p) => p.kind.includes('failure'))).toHaveLength(1);
    // Not by e-mail: the digests tell of the source's failure once (and of the aggregator's own failure).
    expect(h.published.filter((p) => p.kind.some((k) => k !== 'failure' && k !== 'monitor-error'))).toEqual([]);
    // And by finding: the source's finding updated with the new code (the same Id as the failure's).
    const findings = h.sentFindings().filter((f) => f.ProductFields?.['config-aggregator-watch/SourceId'] === '100000000003');
    expect(findings.at(-1)?.ProductFields?.['config-aggregator-watch/LastErrorCode']).toBe('ORGANIZATION_ACCESS_DENIED');
    expect(new Set(findings.map((f) => f.Id)).size).toBe(1);
    expect((await h.store.loadAll('org')).get(KEY)?.notifiedErrorCode).toBe('ORGANIZATION_ACCESS_DENIED');
  });

  it('tells of an error-code change by event (not e-mail), with the state before as previous', async () => {
    // Arrange
    const { h, d } = await channels();
    await d.execute(AT);
    h.set('org', '100000000003', 'us-east-1', { errorCode: 'ORGANIZATION_ACCESS_DENIED' });
    // Act
    await d.execute(minutes(AT, 15));
    // Assert
    const changes = h.sentEvents().filter((e) => e.noticeKind === 'error-code-changed');
    expect(changes).toMatchObject([{ previous: { lastErrorCode: 'AUTHORIZATION_NOT_FOUND' }, source: { lastErrorCode: 'ORGANIZATION_ACCESS_DENIED' } }]);
    expect(h.published).toHaveLength(1);
    expect((await h.store.loadAll('org')).get(KEY)?.notifiedErrorCode).toBe('ORGANIZATION_ACCESS_DENIED');
  });
});
