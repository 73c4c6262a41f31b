/**
 * Sends the monitor's events to EventBridge with PutEvents, in requests the core already sized (at most 10
 * entries, under 256 KB), resending only the entries that failed with a retryable code.
 *
 * PutEventsResultEntry.ErrorCode (EventBridge API Reference): retryable are InternalFailure and
 * ThrottlingException; not retryable are AccessDeniedException, InvalidAccountIdException, InvalidArgument,
 * MalformedDetail, RedactionFailure, NotAuthorizedForSourceException and NotAuthorizedForDetailTypeException. A code
 * the reference does not list is retried within the attempts: resending a doomed entry costs a call, dropping a
 * transient one would cost an alert until the next run. "Each entry in the response array corresponds to an entry
 * in the request array in order" (User Guide, Sending events with PutEvents).
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry, type PutEventsResponse } from '@aws-sdk/client-eventbridge';
import { AggwatchError } from '../core/errors';
import type { EventEntry } from '../core/findings';
import { UnexpectedAnswerError, deliver, listUndelivered, type DeliveryOptions, type DeliveryReport, type ItemOutcome } from './delivery';


export const PERMANENT_ENTRY_CODES: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

/** Some events were not accepted: the ones delivered are in `report.delivered`, mark those; the rest stay owed. */
export class EventsNotDeliveredError extends AggwatchError {
  override readonly name = 'EventsNotDeliveredError';
  readonly code = 'EventsNotDelivered';
  constructor(
    readonly report: DeliveryReport<EventEntry>,
    options?: ErrorOptions,
  ) {
    const total = report.delivered.length + report.undelivered.length;
    super(
      `EventBridge accepted ${report.delivered.length} of ${total} events after ${report.calls} PutEvents calls; not delivered: ${listUndelivered(report.undelivered, describeEvent)}`,
      options,
    );
  }
}

export function describeEvent(e: EventEntry): string {
  const d = e.detail;
  const what = 'source' in d ? `${d.source.sourceType} ${d.source.sourceId} ${d.source.awsRegion}` : 'monitor';
  return `${d.aggregator} ${d.noticeKind} ${what} [${e.noticeId}]`;
}

export class EventsPublisher {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly options: DeliveryOptions = {},
  ) {}

  /**
   * Sends one request's entries (a batch from batchEvents) and returns what EventBridge accepted; throws
   * EventsNotDeliveredError, carrying the same report, when any entry was not accepted after the last attempt.
   */
  async publish(batch: readonly EventEntry[]): Promise<DeliveryReport<EventEntry>> {
    const report = await deliver(
      batch,
      {
        call: async (entries) => outcomes(await this.client.send(new PutEventsCommand({ Entries: entries.map(toRequestEntry) })), entries.length),
        retryableItem: (code) => !PERMANENT_ENTRY_CODES.has(code),
      },
      this.options,
    );
    if (report.undelivered.length > 0) throw new EventsNotDeliveredError(report);
    return report;
  }
}

export function toRequestEntry(e: EventEntry): PutEventsRequestEntry {
  const { entry } = e;
  return {
    Source: entry.Source,
    DetailType: entry.DetailType,
    Detail: entry.Detail,
    Time: new Date(entry.Time),
    ...(entry.EventBusName !== undefined ? { EventBusName: entry.EventBusName } : {}),
    ...(entry.Resources !== undefined ? { Resources: [...entry.Resources] } : {}),
  };
}

function outcomes(out: PutEventsResponse, sent: number): ItemOutcome[] {
  const entries = out.Entries;
  if (entries === undefined) {
    if (out.FailedEntryCount === 0) return Array.from({ length: sent }, () => ({ ok: true }));
    throw new UnexpectedAnswerError(`PutEvents answered FailedEntryCount ${String(out.FailedEntryCount)} without Entries`);
  }
  return entries.map((r): ItemOutcome => {
    if (r.ErrorCode !== undefined) return { ok: false, code: r.ErrorCode, message: r.ErrorMessage ?? r.ErrorCode };
    if (r.EventId !== undefined) return { ok: true, id: r.EventId };
    // Neither an id nor an error: not known to be accepted, so not counted as delivered.
    return { ok: false, code: 'NoEventId', message: 'the result entry has neither EventId nor ErrorCode' };
  });
}
