/**
 * Delivery, the integrations and the status report through the workflow (the driver runs the steps in the state
 * machine's order): a notice is marked only once every channel accepted it, and the report is Finalize's, at each
 * full sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import { PublishCommand } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { ReportWriter } from '../../adapters/report-writer';
import { FullSweepReports, type ReportOutcome } from '../../lambda/reports';
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
    all.h.securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    return all;
  }

  it('sends the failure as a digest, an event, a finding and a chat card, marks it once, and sends nothing more', async () => {
    // Arrange
    const { h, d } = await channels();
    // Act
    const first = await d.execute(AT);
    const second = await d.execute(minutes(AT, 15));
    // Assert
    expect(first.status).toBe('succeeded');
    expect(h.published).toHaveLength(1);
    expect(h.sentEvents()).toMatchObject([{ noticeKind: 'failure', aggregator: 'org', condition: 'FAILED', source: { sourceId: '100000000003' } }]);
    expect(h.sentFindings()).toMatchObject([{ AwsAccountId: '123456789012', RecordState: 'ACTIVE' }]);
    expect(h.chat).toHaveLength(1);
    expect((await h.store.loadAll('org')).get(KEY)).toMatchObject({ notifiedCondition: 'FAILED', notifiedErrorCode: 'AUTHORIZATION_NOT_FOUND' });
    expect(second.aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 0 });
    expect(h.sentEvents()).toHaveLength(1);
  });

  it('keeps the notice owed when EventBridge refuses its event, and sends it again, with the same noticeId, next run', async () => {
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
    const failures = h.sentEvents().filter((e) => e.noticeKind === 'failure');
    expect(failures.length).toBe(3);
    expect(new Set(failures.map((e) => e.noticeId)).size).toBe(1);
    expect(retried.status).toBe('succeeded');
    expect(await marker(h)).toBe('FAILED');
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

describe('the status report, at Finalize', () => {
  const BUCKET = 'aggwatch-reports-123456789012';
  const s3Mock = mockClient(S3Client);
  const putKeys = () => s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);

  it('writes each aggregator swept in full, after its notices, and nothing on the fast path', async () => {
    // Arrange
    s3Mock.reset();
    s3Mock.on(PutObjectCommand).resolves({});
    const { h, d } = await setup({ reportBucket: BUCKET });
    const outcomes: ReportOutcome[] = [];
    const writer = new ReportWriter(new S3Client({ region: 'us-east-1', maxAttempts: 1 }), h.store, { bucket: BUCKET });
    h.reports = new FullSweepReports(writer, new Logger({ logLevel: 'SILENT' }), { region: 'eu-west-1', count: (o) => outcomes.push(o) });
    // Act
    const full = await d.execute(AT);
    const written = putKeys();
    const fast = await d.execute(minutes(AT, 15));
    // Assert
    expect(full.status).toBe('succeeded');
    expect(written).toEqual(['reports/org/20261124T120000Z.html', 'reports/org/latest.html']);
    expect(fast.aggregators[0]?.mode).toBe('fast');
    expect(putKeys()).toEqual(written);
    expect(outcomes).toEqual(['written']);
    expect(h.published[0]?.email).toContain(`s3://${BUCKET}/reports/org/latest.html`);
  });
});
