/** The EventBridge adapter against the SDK client, its PutEventsCommand answered by aws-sdk-client-mock. */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventsNotDeliveredError, EventsPublisher } from '../../adapters/events-publisher';
import { batchEvents, buildEvents, type EventEntry } from '../../core/findings';
import type { SourceNotice } from '../../core/notices';
import { AT, state } from '../support/builders';

const FAST = { minTimeoutMs: 0, randomize: false } as const;

function events(n: number, eventBusName?: string): EventEntry[] {
  const sources: SourceNotice[] = Array.from({ length: n }, (_, i) => ({
    kind: 'failure',
    state: state({ sourceId: String(100000000000 + i), status: 'FAILED', errorCode: 'X' }),
    condition: 'FAILED',
    removed: false,
  }));
  return buildEvents({ digest: { aggregator: 'org', at: AT, sources }, ...(eventBusName ? { eventBusName } : {}) });
}

type Input = PutEventsCommandInput & { Entries: NonNullable<PutEventsCommandInput['Entries']> };
type Output = Omit<PutEventsCommandOutput, '$metadata'>;

const ebMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1' });

/** The client answers PutEvents with `answer(input, call)`; every request is recorded. */
function fakeSend(answer: (input: Input, call: number) => Output | Promise<Output>) {
  const requests: Input[] = [];
  ebMock.on(PutEventsCommand).callsFake(async (input: Input) => {
    requests.push(structuredClone(input));
    return answer(input, requests.length);
  });
  return { send: client, requests };
}

const accepted = (input: Input): Output => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `id-${i}` })) });

describe('EventsPublisher', () => {
  beforeEach(() => {
    ebMock.reset();
  });

  it('sends one PutEvents request with the entries as the API takes them', async () => {
    // Prepare
    const { send, requests } = fakeSend(accepted);
    const [batch = []] = batchEvents(events(3, 'security-bus'));

    // Act
    const report = await new EventsPublisher(send, FAST).publish(batch);

    // Assess
    expect(report.delivered.map((d) => d.id)).toEqual(['id-0', 'id-1', 'id-2']);
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(ebMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: expect.arrayContaining([expect.objectContaining({ EventBusName: 'security-bus' })]) as unknown as [] });
    expect(requests[0]?.Entries[0]).toEqual({
      Source: 'config-aggregator-watch',
      DetailType: 'Config Aggregator Source Alert',
      Detail: batch[0]?.entry.Detail,
      Time: new Date(AT),
      EventBusName: 'security-bus',
    });
  });

  it('resends only the entries that failed with a retryable code (FailedEntryCount)', async () => {
    // Prepare: entries 1 and 3 fail once (throttled, internal), then everything is accepted
    const { send, requests } = fakeSend((input, call) =>
      call === 1
        ? {
            FailedEntryCount: 2,
            Entries: input.Entries.map((_, i) =>
              i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : i === 3 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' } : { EventId: `a${i}` },
            ),
          }
        : accepted(input),
    );
    const batch = events(5);

    // Act
    const report = await new EventsPublisher(send, FAST).publish(batch);

    // Assess
    expect(requests.map((r) => r.Entries.length)).toEqual([5, 2]);
    expect(requests[1]?.Entries.map((e) => e.Detail)).toEqual([batch[1]?.entry.Detail, batch[3]?.entry.Detail]);
    expect(report.delivered).toHaveLength(5);
    expect(report.undelivered).toEqual([]);
    expect(report.calls).toBe(2);
  });

  it('does not resend an entry refused for good, and names it in the error with what was delivered', async () => {
    // Prepare
    const { send, requests } = fakeSend((input) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) => (i === 0 ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } : { EventId: `a${i}` })),
    }));
    const batch = events(2);

    // Act
    const publishing = new EventsPublisher(send, FAST).publish(batch);

    // Assess
    const error = await publishing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventsNotDeliveredError);
    const e = error as EventsNotDeliveredError;
    expect(e.code).toBe('EventsNotDelivered');
    expect(e.message).toMatch(/accepted 1 of 2 events after 1 PutEvents calls; not delivered: org failure ACCOUNT 100000000000 us-east-1 \[[0-9a-f]{32}\] \(MalformedDetail: Detail is malformed\.\)/);
    expect(e.report.delivered.map((d) => d.item)).toEqual([batch[1]]);
    expect(e.report.undelivered[0]).toMatchObject({ item: batch[0], code: 'MalformedDetail', permanent: true });
    expect(requests).toHaveLength(1);
  });

  it('gives up after the last attempt on an entry that keeps failing, leaving it owed', async () => {
    // Prepare
    const { send, requests } = fakeSend((input) => ({
      FailedEntryCount: input.Entries.length,
      Entries: input.Entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' })),
    }));

    // Act
    const error = await new EventsPublisher(send, { ...FAST, attempts: 3 }).publish(events(1)).catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(3);
    expect((error as EventsNotDeliveredError).report.undelivered).toMatchObject([{ code: 'InternalFailure', permanent: false }]);
  });

  it('retries a throttled or failed request as a whole, then succeeds', async () => {
    // Prepare
    const { send, requests } = fakeSend((input, call) => {
      if (call === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      if (call === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return accepted(input);
    });

    // Act
    const report = await new EventsPublisher(send, FAST).publish(events(2));

    // Assess
    expect(requests).toHaveLength(3);
    expect(report.delivered).toHaveLength(2);
  });

  it('stops at once on an error retrying cannot fix (access denied), naming every entry', async () => {
    // Prepare
    const { send, requests } = fakeSend(() => {
      throw Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    });

    // Act
    const error = await new EventsPublisher(send, FAST).publish(events(2)).catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(1);
    expect(error).toBeInstanceOf(EventsNotDeliveredError);
    expect((error as EventsNotDeliveredError).report.undelivered.map((u) => [u.code, u.permanent])).toEqual([
      ['AccessDeniedException', true],
      ['AccessDeniedException', true],
    ]);
  });

  it('does not count an answer that does not match the request as delivered', async () => {
    // Prepare: one result for two entries, then a proper answer
    const { send, requests } = fakeSend((input, call) => (call === 1 ? { FailedEntryCount: 0, Entries: [{ EventId: 'x' }] } : accepted(input)));

    // Act
    const report = await new EventsPublisher(send, FAST).publish(events(2));

    // Assess
    expect(requests.map((r) => r.Entries.length)).toEqual([2, 2]);
    expect(report.delivered.map((d) => d.id)).toEqual(['id-0', 'id-1']);
  });

  it('starts no attempt once the run\'s deadline is too close, leaving everything owed', async () => {
    // Prepare
    const { send, requests } = fakeSend(accepted);

    // Act
    const error = await new EventsPublisher(send, { ...FAST, deadline: { remainingMs: () => 1_000, reserveMs: 2_000 } }).publish(events(1)).catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(0);
    expect((error as EventsNotDeliveredError).report.undelivered).toMatchObject([{ code: 'DeadlineExceeded', permanent: false }]);
  });
});
