/**
 * Delivers one aggregator's digest on every channel the monitor is configured with, in a fixed order: the SNS
 * digest (its parts, each in every format), the EventBridge events, the Security Hub CSPM findings (when
 * `securityHubFindings` is on), the chat notification (when a chat topic is set). A channel that fails does not
 * stop the others: people still get the e-mail when PutEvents is refused.
 *
 * A notice counts as delivered, and its marker is written, only once EVERY enabled channel accepted everything
 * that carries it (its SNS part, its event, its finding if it has one, the chat message). What was not accepted
 * stays owed and is sent again, on every channel, by the next run: nothing is lost; a channel that accepted it
 * the first time sees it again (at-least-once; events carry `noticeId` for consumers to deduplicate, a finding's
 * re-import is an update of the same Id). An error-code change (events and findings only) is marked with
 * `notifiedErrorCode` the same way. The monitor notice is the caller's to mark (the aggregator record): it is
 * delivered when `monitorDelivered` is true.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { renderDigest, type Publication } from '../core/digest';
import { AggwatchError } from '../core/errors';
import {
  batchEvents,
  batchFindings,
  buildEvents,
  buildFindings,
  renderChatNotification,
  type ErrorCodeChange,
  type EventsInput,
  type FindingsContext,
  type Notice,
} from '../core/findings';
import { sourceKey, type AggregatorMeta, type SourceState } from '../core/model';
import type { Reconciliation } from '../core/reconcile';
import { afterNotified, type Digest, type SourceNotice } from '../core/notices';
import type { MonitorSettings } from '../core/settings';
import { EventsNotDeliveredError, type EventsPublisher } from '../adapters/events-publisher';
import { FindingsNotDeliveredError, type SecurityHubPublisher } from '../adapters/securityhub-publisher';
import type { HistoryStore } from '../adapters/store/history-store';
import { HISTORY_KEY_LAYOUT } from '../adapters/store/table-schema';
import type { ReportStep } from './reports';

export interface Publisher {
  publish(publication: Publication): Promise<string>;
}

/** The channels beyond the SNS digest; absent: the digest only (the tests of the core loop). */
export interface Integrations {
  readonly events: EventsPublisher;
  /** With `securityHubFindings` on. */
  readonly findings?: SecurityHubPublisher;
  /** With a chat topic. */
  readonly chat?: { publish(message: string): Promise<string> };
}

export interface DeliveryDeps {
  readonly settings: MonitorSettings;
  readonly store: Pick<HistoryStore, 'tableName' | 'record'>;
  readonly notifier: Publisher;
  readonly integrations?: Integrations;
  /** The report step, whose link the e-mail names (reportBucket). */
  readonly reports?: Pick<ReportStep, 'link'>;
  readonly logger: Logger;
}

/** What the events are built from (the bus comes from the settings), and where the findings are imported. */
export interface DeliveryInput extends Omit<EventsInput, 'eventBusName'> {
  /** The account, region and partition the findings are imported in (the function's own). */
  readonly findingsContext?: FindingsContext;
}

export interface DeliveryOutcome {
  /** SNS digest parts accepted. */
  readonly published: number;
  /** Whether every channel accepted the monitor notice (true when there was none). */
  readonly monitorDelivered: boolean;
}

/** Some channel did not accept everything; what every channel accepted is marked, the rest stays owed. */
export class ChannelsNotDeliveredError extends AggwatchError {
  override readonly name = 'ChannelsNotDeliveredError';
  readonly code: string;
  constructor(readonly failures: readonly { readonly channel: string; readonly error: unknown }[]) {
    super(
      `Not every channel accepted the notices, which stay owed: ${failures.map((f) => `${f.channel}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ')}`,
      { cause: failures[0]?.error },
    );
    // The first channel's own code, so the monitor error names what went wrong (say EventsNotDelivered).
    const first = failures[0]?.error as { code?: unknown; name?: unknown } | undefined;
    this.code = typeof first?.code === 'string' ? first.code : typeof first?.name === 'string' ? first.name : 'ChannelsNotDelivered';
  }
}

/** Which notices one channel did not accept (by identity: the digest's objects are passed through). */
type Refused = Set<object>;

export async function deliverDigest(deps: DeliveryDeps, input: DeliveryInput): Promise<DeliveryOutcome> {
  const { digest } = input;
  const { integrations, logger, settings } = deps;
  const refused: Refused = new Set();
  const failures: { channel: string; error: unknown }[] = [];
  const fail = (channel: string, error: unknown) => {
    logger.error('A channel did not accept every notice', { channel, error: error as Error });
    failures.push({ channel, error });
  };

  const published = await publishDigest(deps, digest, refused).catch((e: unknown) => {
    fail('sns', (e as { cause?: unknown }).cause ?? e);
    return (e as { published?: number }).published ?? 0;
  });

  if (integrations) {
    const events = buildEvents({
      digest,
      ...(input.errorCodeChanges ? { errorCodeChanges: input.errorCodeChanges } : {}),
      ...(input.previous ? { previous: input.previous } : {}),
      ...(input.monitorNotifiedAt !== undefined ? { monitorNotifiedAt: input.monitorNotifiedAt } : {}),
      ...(settings.eventBusName !== undefined ? { eventBusName: settings.eventBusName } : {}),
    });
    for (const batch of batchEvents(events)) {
      try {
        const report = await integrations.events.publish(batch);
        logger.info('Events accepted', { events: report.delivered.length, calls: report.calls, noticeIds: batch.map((e) => e.noticeId) });
      } catch (e) {
        const undelivered = e instanceof EventsNotDeliveredError ? e.report.undelivered.map((u) => u.item) : batch;
        for (const entry of undelivered) refused.add(noticeObject(entry.about));
        fail('eventbridge', e);
      }
    }

    if (integrations.findings && input.findingsContext) {
      const findings = buildFindings({ digest, ...(input.errorCodeChanges ? { errorCodeChanges: input.errorCodeChanges } : {}), context: input.findingsContext });
      for (const batch of batchFindings(findings)) {
        try {
          const report = await integrations.findings.publish(batch);
          logger.info('Findings imported', { findings: report.delivered.length, calls: report.calls });
        } catch (e) {
          const undelivered = e instanceof FindingsNotDeliveredError ? e.report.undelivered.map((u) => u.item) : batch;
          for (const entry of undelivered) refused.add(noticeObject(entry.about));
          fail('securityhub', e);
        }
      }
    } else if (integrations.findings) {
      // No account to import into: owed, loudly (the handler gives the context on every invocation).
      for (const n of digest.sources) refused.add(n);
      for (const c of input.errorCodeChanges ?? []) refused.add(c);
      fail('securityhub', new Error('no account, region and partition to import the findings into'));
    }

    const chat = integrations.chat ? renderChatNotification(digest) : undefined;
    if (integrations.chat && chat) {
      try {
        const messageId = await integrations.chat.publish(chat.message);
        logger.info('Chat notification published', { messageId, id: chat.notification.id });
      } catch (e) {
        for (const n of chat.notices) refused.add(n);
        if (chat.monitor) refused.add(chat.monitor);
        fail('chat', e);
      }
    }
  }

  await markDelivered(deps, digest, input.errorCodeChanges ?? [], refused);
  // One channel's failure is reported as its own error (its code and message become the monitor error); several
  // are reported together.
  if (failures.length === 1) throw failures[0]?.error;
  if (failures.length > 1) throw new ChannelsNotDeliveredError(failures);
  return { published, monitorDelivered: digest.monitor === undefined || !refused.has(digest.monitor) };
}

/** The digest's own object a notice wraps: what `refused` is keyed by. */
function noticeObject(about: Notice): object {
  return about.kind === 'source' ? about.notice : about.kind === 'error-code' ? about.change : about.notice;
}

/**
 * The SNS digest part by part, each part in every format; a part's notices are refused unless SNS accepted all
 * of its publications. A Publish failure stops the digest (the later parts are owed too).
 */
async function publishDigest(deps: DeliveryDeps, digest: Digest, refused: Refused): Promise<number> {
  const { store, notifier, logger, settings } = deps;
  const parts = renderDigest(digest, {
    tableName: store.tableName,
    historyKeys: HISTORY_KEY_LAYOUT,
    ...(settings.smsNotices ? { smsNotices: settings.smsNotices } : {}),
    ...(deps.reports ? { report: deps.reports.link } : {}),
  });
  let published = 0;
  for (const [i, part] of parts.entries()) {
    try {
      for (const publication of part.publications) {
        const messageId = await notifier.publish(publication);
        logger.info('Notice published', { messageId, format: publication.format, part: part.part, parts: part.parts, kinds: publication.attributes.kinds });
      }
    } catch (e) {
      for (const rest of parts.slice(i)) {
        for (const n of rest.notices) refused.add(n);
        if (rest.monitor) refused.add(rest.monitor);
      }
      throw Object.assign(new Error('SNS did not accept the digest', { cause: e }), { published });
    }
    published++;
  }
  return published;
}

/** Writes the markers of what every channel accepted: notices (afterNotified) and error-code changes. */
async function markDelivered(deps: DeliveryDeps, digest: Digest, changes: readonly ErrorCodeChange[], refused: Refused): Promise<void> {
  const updates: [SourceState, SourceState | undefined][] = [];
  for (const n of digest.sources as readonly SourceNotice[]) if (!refused.has(n)) updates.push([n.state, afterNotified(n, digest.at)]);
  // An error-code change the notices do not already cover (noticesOf drops those): the code now delivered.
  const covered = new Set(digest.sources.map((n) => sourceKey(n.state)));
  for (const c of changes) {
    if (!refused.has(c) && !covered.has(sourceKey(c.state))) updates.push([c.state, { ...c.state, notifiedErrorCode: c.state.errorCode ?? '' }]);
  }
  if (updates.length === 0) return;
  await deps.store.record({
    writes: updates.flatMap(([, next]) => (next ? [next] : [])),
    deletes: updates.flatMap(([prev, next]) => (next ? [] : [prev])),
  });
}

/** The states before this run of the sources whose status or error code changed: the events' `previous`. */
export function changedBefore(rec: Reconciliation, previous: ReadonlyMap<string, SourceState>): Map<string, SourceState> {
  const before = new Map<string, SourceState>();
  for (const w of rec.writes) {
    const p = previous.get(sourceKey(w));
    if (p && (p.status !== w.status || p.errorCode !== w.errorCode)) before.set(sourceKey(w), p);
  }
  return before;
}

/** The monitor notice's marker as read before the run (its events' noticeId depends on it). */
export const monitorMarker = (meta: AggregatorMeta | undefined): { monitorNotifiedAt?: string } =>
  meta?.monitorErrorNotifiedAt !== undefined ? { monitorNotifiedAt: meta.monitorErrorNotifiedAt } : {};
