/**
 * The fake EventBridge and Security Hub endpoints on their wire protocols (plain fetch), and the publishers
 * against them through their faults: throttling, per-item failures, outages and kills after acceptance.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventsNotDeliveredError, EventsPublisher } from '../../adapters/events-publisher';
import { FindingsNotDeliveredError, SecurityHubPublisher } from '../../adapters/securityhub-publisher';
import { batchEvents, buildEvents, buildFindings, type EventEntry, type FindingEntry } from '../../core/findings';
import { eventEnvelopeSchema } from '../../core/findings/event-schema';
import type { Digest, SourceNotice } from '../../core/notices';
import { ENTRY_FAULTS, EVENTBRIDGE_FAULTS, FakeEventBridge, matchesPattern } from '../../tools/local/fake-eventbridge';
import { FINDING_FAULTS, FakeSecurityHub, SECURITYHUB_FAULTS } from '../../tools/local/fake-securityhub';
import { AT, hoursAfter, state } from '../support/builders';
import { authorization, securityHubAt, eventBridgeAt, rawCall } from '../support/wire';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const FAST = { minTimeoutMs: 0, randomize: false } as const;

function digest(n: number, status = 'FAILED', aggregator = 'org'): Digest {
  const sources: SourceNotice[] = Array.from({ length: n }, (_, i) => ({
    kind: 'failure',
    state: state({ aggregator, sourceId: String(100000000000 + i), status, errorCode: 'AUTHORIZATION_NOT_FOUND', since: hoursAfter(AT, -1) }),
    condition: status,
    removed: false,
  }));
  return { aggregator, at: AT, sources };
}

const events = (n: number, status?: string, aggregator?: string): EventEntry[] => buildEvents({ digest: digest(n, status, aggregator) });
const findings = (n: number): FindingEntry[] => buildFindings({ digest: digest(n), context: { accountId: ACCOUNT, region: REGION, partition: 'aws' } });
const entry = (overrides: Record<string, unknown> = {}) => ({ Source: 'config-aggregator-watch', DetailType: 'Config Aggregator Source Alert', Detail: '{"a":1}', ...overrides });

describe('fake EventBridge (AWS JSON 1.1)', () => {
  const eb = new FakeEventBridge(ACCOUNT, REGION);
  const eventsHeaders = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents', authorization: authorization('events', REGION) };
  beforeAll(() => eb.start());
  afterAll(() => eb.close());
  afterEach(() => {
    eb.clearFaults();
    eb.clearRequests();
    eb.events.length = 0;
  });

  it('accepts the monitor\'s events as EventBridge delivers them, on the bus IAM is evaluated against', async () => {
    // Act
    const report = await new EventsPublisher(eventBridgeAt(eb.endpoint), FAST).publish(events(3));

    // Assess
    expect(report.delivered.map((d) => d.id)).toEqual(eb.events.map((e) => e.id));
    expect(eb.events[0]).toMatchObject({ version: '0', source: 'config-aggregator-watch', 'detail-type': 'Config Aggregator Source Alert', account: ACCOUNT, region: REGION, time: '2026-11-24T12:00:00Z', bus: 'default' });
    expect(eb.calls('PutEvents')[0]?.resources).toEqual([`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`]);
    for (const { bus: _bus, ...delivered } of eb.events) expect(eventEnvelopeSchema.safeParse(delivered).error?.issues ?? []).toEqual([]);
  });

  it('routes the documented sample rule: FAILED sources of one aggregator', async () => {
    // Prepare: the rule of docs/integrations.md
    const rule = { source: ['config-aggregator-watch'], 'detail-type': ['Config Aggregator Source Alert'], detail: { aggregator: ['org'], condition: ['FAILED'] } };
    const publisher = new EventsPublisher(eventBridgeAt(eb.endpoint), FAST);

    // Act
    for (const batch of batchEvents([...events(2), ...events(2, 'OUTDATED'), ...events(1, 'FAILED', 'other')])) await publisher.publish(batch);

    // Assess
    const matched = eb.events.filter((e) => matchesPattern(rule, e as unknown as Record<string, unknown>));
    expect(eb.events).toHaveLength(5);
    expect(matched.map((e) => [e.detail.aggregator, e.detail.condition])).toEqual([
      ['org', 'FAILED'],
      ['org', 'FAILED'],
    ]);
  });

  it.each([
    ['more than 10 entries', { Entries: Array.from({ length: 11 }, () => entry()) }, /length less than or equal to 10/],
    ['no entries', { Entries: [] }, /greater than or equal to 1/],
    ['entries of 256 KB or more in total', { Entries: Array.from({ length: 2 }, () => entry({ Detail: JSON.stringify({ x: 'y'.repeat(132_000) }) })) }, /Total size/],
    ['no entry with Source, DetailType and Detail', { Entries: [{ Source: 'a' }] }, /must be specified/],
  ])('refuses a request with %s (ValidationException)', async (_name, body, message) => {
    // Act
    const answer = await rawCall(eb.endpoint, { headers: eventsHeaders, body });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.errorType).toBe('ValidationException');
    expect(answer.body).toMatchObject({ __type: 'ValidationException', message: expect.stringMatching(message) });
    expect(eb.events).toHaveLength(0);
  });

  it('fails bad entries one by one (FailedEntryCount) and accepts the others', async () => {
    // Prepare
    const body = {
      Entries: [entry(), entry({ Detail: undefined }), entry({ Source: 'aws.config' }), entry({ Detail: '[1]' }), entry({ DetailType: 'x'.repeat(129) })],
    };

    // Act
    const answer = await rawCall(eb.endpoint, { headers: eventsHeaders, body });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.FailedEntryCount).toBe(4);
    expect((answer.body.Entries as { ErrorCode?: string }[]).map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      'InvalidArgument',
    ]);
    expect(eb.events).toHaveLength(1);
  });

  it('refuses an unsigned request, another operation and a bus that does not exist', async () => {
    // Act
    const answers = await Promise.all([
      rawCall(eb.endpoint, { headers: { ...eventsHeaders, authorization: '' }, body: { Entries: [entry()] } }),
      rawCall(eb.endpoint, { headers: { ...eventsHeaders, 'x-amz-target': 'AWSEvents.PutRule' }, body: {} }),
      rawCall(eb.endpoint, { headers: eventsHeaders, body: { Entries: [entry({ EventBusName: 'nope' })] } }),
    ]);

    // Assess
    expect(answers.map((a) => a.errorType)).toEqual(['MissingAuthenticationTokenException', 'UnknownOperationException', 'ResourceNotFoundException']);
  });

  it('with a throttled request and a throttled entry, the publisher delivers everything once', async () => {
    // Prepare
    eb.injectNext(EVENTBRIDGE_FAULTS.throttling);
    let failed = false;
    eb.injectEntryFailure((_e, index) => (!failed && index === 1 ? ((failed = true), ENTRY_FAULTS.throttled) : undefined));

    // Act
    const report = await new EventsPublisher(eventBridgeAt(eb.endpoint), FAST).publish(events(3));

    // Assess
    expect(eb.calls('PutEvents').map((c) => [c.status, (c.input as { Entries: unknown[] }).Entries.length])).toEqual([
      [400, 3],
      [200, 3],
      [200, 1],
    ]);
    expect(report.delivered).toHaveLength(3);
    expect(new Set(eb.events.map((e) => e.detail.noticeId)).size).toBe(3);
    expect(eb.events).toHaveLength(3);
  });

  it('a kill after acceptance costs a duplicate with the same noticeId, never a lost event', async () => {
    // Prepare
    eb.injectNext(EVENTBRIDGE_FAULTS.killAfterAcceptance);

    // Act
    const report = await new EventsPublisher(eventBridgeAt(eb.endpoint), FAST).publish(events(2));

    // Assess
    expect(report.delivered).toHaveLength(2);
    expect(eb.events).toHaveLength(4);
    expect(new Set(eb.events.map((e) => e.detail.noticeId)).size).toBe(2);
  });

  it('through an outage the publisher gives up and names every event, none marked delivered', async () => {
    // Prepare
    eb.inject(() => EVENTBRIDGE_FAULTS.unavailable);

    // Act
    const error = await new EventsPublisher(eventBridgeAt(eb.endpoint), { ...FAST, attempts: 3 }).publish(events(2)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(EventsNotDeliveredError);
    expect((error as EventsNotDeliveredError).report).toMatchObject({ delivered: [], calls: 3 });
    expect((error as EventsNotDeliveredError).message).toContain('ServiceUnavailable');
  });
});

describe('fake Security Hub (REST-JSON)', () => {
  const sh = new FakeSecurityHub(ACCOUNT, REGION);
  const shHeaders = { 'content-type': 'application/json', authorization: authorization('securityhub', REGION) };
  beforeAll(() => sh.start());
  afterAll(() => sh.close());
  afterEach(() => {
    sh.clearFaults();
    sh.clearRequests();
    sh.findings.clear();
    sh.enabled = true;
  });

  it('imports the monitor\'s findings under the default product, IAM evaluated on that product', async () => {
    // Act
    const report = await new SecurityHubPublisher(securityHubAt(sh.endpoint), FAST).publish(findings(2));

    // Assess
    expect(report.delivered).toHaveLength(2);
    expect(sh.findings.size).toBe(2);
    expect(sh.calls('BatchImportFindings')[0]?.resources).toEqual([sh.defaultProductArn]);
    expect(sh.finding(findings(1)[0]?.finding.Id ?? '')).toMatchObject({ workflowStatus: 'NEW', recordState: 'ACTIVE', severityLabel: 'HIGH' });
  });

  it('updates the same finding on re-import; archiving keeps the customer\'s workflow, a relapse reopens it', async () => {
    // Prepare
    const publisher = new SecurityHubPublisher(securityHubAt(sh.endpoint), FAST);
    const [active] = findings(1);
    const id = active?.finding.Id ?? '';
    await publisher.publish([active as FindingEntry]);
    sh.setWorkflowStatus(id, 'RESOLVED');
    const recovered: SourceNotice = { kind: 'recovery', state: state({ sourceId: '100000000000', notifiedCondition: 'FAILED', notifiedAt: AT }), condition: 'FAILED', removed: false };
    const archived = buildFindings({ digest: { aggregator: 'org', at: hoursAfter(AT, 1), sources: [recovered] }, context: { accountId: ACCOUNT, region: REGION, partition: 'aws' } });

    // Act
    await publisher.publish(archived);
    const afterArchive = sh.finding(id);
    await publisher.publish([active as FindingEntry]);

    // Assess
    expect(archived[0]?.finding.Id).toBe(id);
    expect(afterArchive).toMatchObject({ recordState: 'ARCHIVED', workflowStatus: 'RESOLVED', severityLabel: 'INFORMATIONAL', imports: 2 });
    expect(sh.finding(id)).toMatchObject({ recordState: 'ACTIVE', workflowStatus: 'NEW', imports: 3 });
    expect(sh.findings.size).toBe(1);
  });

  it('refuses more than 100 findings in a call, as a whole (InvalidInputException)', async () => {
    // Act
    const answer = await rawCall(`${sh.endpoint}/findings/import`, { headers: shHeaders, body: { Findings: Array.from({ length: 101 }, () => findings(1)[0]?.finding) } });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.errorType).toBe('InvalidInputException');
    expect(answer.body.Message).toMatch(/1 to 100 findings/);
  });

  it('fails findings that break ASFF or belong to another account one by one, and imports the rest', async () => {
    // Prepare
    const [good, long, other, noResources] = findings(4).map((e) => e.finding);

    // Act
    const answer = await rawCall(`${sh.endpoint}/findings/import`, {
      headers: shHeaders,
      body: { Findings: [good, { ...long, Title: 'x'.repeat(257) }, { ...other, AwsAccountId: '999999999999' }, { ...noResources, Resources: [] }] },
    });

    // Assess
    expect(answer.body).toMatchObject({ FailedCount: 3, SuccessCount: 1 });
    expect(answer.body.FailedFindings).toEqual([
      { Id: long?.Id, ErrorCode: 'InvalidInput', ErrorMessage: expect.stringContaining('[Title must be 1 to 256 characters, not 257]') },
      { Id: other?.Id, ErrorCode: 'AccessDeniedException', ErrorMessage: `Account ${ACCOUNT} cannot import findings for account 999999999999` },
      { Id: noResources?.Id, ErrorCode: 'InvalidInput', ErrorMessage: expect.stringContaining('[Resources must hold 1 to 32 resources]') },
    ]);
    expect(sh.findings.size).toBe(1);
  });

  it('refuses a call when Security Hub is not enabled (InvalidAccessException, 401)', async () => {
    // Prepare
    sh.enabled = false;

    // Act
    const error = await new SecurityHubPublisher(securityHubAt(sh.endpoint), FAST).publish(findings(1)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FindingsNotDeliveredError);
    expect((error as FindingsNotDeliveredError).report).toMatchObject({ calls: 1, undelivered: [{ code: 'InvalidAccessException', permanent: true }] });
  });

  it('through throttling, a failed finding and a kill after acceptance, every finding is imported once', async () => {
    // Prepare
    sh.injectNext(SECURITYHUB_FAULTS.throttling);
    sh.injectNext(SECURITYHUB_FAULTS.killAfterAcceptance);
    // The kill lands on the second call (after it imported); the third imports all but the first finding.
    let calls = 0;
    let last = -1;
    sh.injectFindingFailure((_f, index, seq) => {
      if (seq !== last) [last, calls] = [seq, calls + 1];
      return calls === 2 && index === 0 ? FINDING_FAULTS.internal : undefined;
    });

    // Act
    const report = await new SecurityHubPublisher(securityHubAt(sh.endpoint), FAST).publish(findings(3));

    // Assess
    expect(report.delivered).toHaveLength(3);
    expect(sh.findings.size).toBe(3);
    expect(sh.calls('BatchImportFindings').map((c) => c.status)).toEqual([429, 0, 200, 200]);
  });
});
