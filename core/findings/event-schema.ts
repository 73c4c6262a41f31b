/**
 * The EventBridge contract of the monitor: its `source`, its `detail-type`s and the JSON Schema of `detail`.
 * One definition (zod) serves three purposes: the type the builder returns, the validation the tests run on every
 * generated event, and the JSON Schema published in docs/schemas/source-event.schema.json (generated with
 * z.toJSONSchema; a test fails when the file and this definition drift apart).
 *
 * Names are stable: rules match on them. A change that removes or renames a field raises `schemaVersion`'s major.
 */
import { z } from 'zod';

import {
  DETAIL_SCHEMA_VERSION,
  DETAIL_TEXT_MAX,
  DETAIL_TYPES,
  EVENT_SOURCE,
  MONITOR_NOTICE_KINDS,
  SOURCE_NOTICE_KINDS,
  type DetailType,
} from './event-contract';

const time = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().max(max);

/** The seven fields of one AggregatedSourceStatus (DescribeConfigurationAggregatorSourcesStatus), as read. */
export const sourceStatusSchema = z
  .strictObject({
    sourceId: text(256).describe('SourceId: an account id, or an organization id for an ORGANIZATION source.'),
    sourceType: text(64).describe('SourceType: ACCOUNT or ORGANIZATION (an unknown value is kept verbatim).'),
    awsRegion: text(64).describe('AwsRegion: the region the source is authorized to collect from.'),
    lastUpdateStatus: text(64).describe('LastUpdateStatus: FAILED, SUCCEEDED or OUTDATED (others kept verbatim).'),
    lastUpdateTime: time.optional().describe('LastUpdateTime, ISO 8601; absent when Config sent none.'),
    lastErrorCode: text(256).optional().describe('LastErrorCode, raw (AWS publishes no list of values).'),
    lastErrorMessage: text(DETAIL_TEXT_MAX).optional().describe('LastErrorMessage, cut to 2,048 characters.'),
  })
  .describe('The source as DescribeConfigurationAggregatorSourcesStatus reported it in this run.');

const previousSchema = z
  .strictObject({
    lastUpdateStatus: text(64).optional().describe('The status the monitor remembered before this run.'),
    lastErrorCode: text(256)
      .optional()
      .describe('The error code the monitor remembered before this run (error-code-changed: the one last delivered).'),
    notifiedCondition: text(64).optional().describe('The alert condition last delivered for this source.'),
    notifiedAt: time.optional().describe('When that alert was delivered.'),
  })
  .describe('What the monitor knew of the source before this run (empty for a source it had not seen).');

export const sourceEventDetailSchema = z
  .strictObject({
    schemaVersion: z.literal(DETAIL_SCHEMA_VERSION),
    noticeKind: z
      .enum(SOURCE_NOTICE_KINDS)
      .describe(
        'failure: entered an alert condition; reminder: still in it; error-code-changed: same condition, new ' +
          'error code; recovery: left it; removed: left the aggregator while in it.',
      ),
    noticeId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .describe('Stable across re-deliveries of the same notice: deduplicate on it (delivery is at-least-once).'),
    aggregator: text(256).describe('The configuration aggregator name.'),
    runAt: time.describe("The run's logical time (the schedule's time; a retried run keeps it)."),
    condition: text(64).describe('FAILED, OUTDATED or STALE: the condition now, or, for recovery/removed, the one that ended.'),
    since: time.describe('When the source entered its current status or error code.'),
    source: sourceStatusSchema,
    previous: previousSchema,
    removedAt: time.optional().describe('removed: when the monitor saw the source leave the aggregator.'),
    remediation: text(2_048).optional().describe('What to do, when the monitor knows the error code (or condition).'),
  })
  .describe('A change of one aggregator source.');

export const monitorEventDetailSchema = z
  .strictObject({
    schemaVersion: z.literal(DETAIL_SCHEMA_VERSION),
    noticeKind: z.enum(MONITOR_NOTICE_KINDS).describe('monitor-error: the aggregator could not be read; monitor-recovery: it can again.'),
    noticeId: z.string().regex(/^[0-9a-f]{32}$/),
    aggregator: text(256),
    runAt: time,
    reminder: z.boolean().describe('monitor-error: a reminder of an error already notified.'),
    error: z
      .strictObject({
        code: text(256).describe('The error code (an AWS exception name, or one of the monitor).'),
        message: text(DETAIL_TEXT_MAX),
        since: time.describe('When the aggregator first failed with this code.'),
      })
      .describe('The error, or for monitor-recovery the error that ended.'),
    remediation: text(2_048).optional(),
  })
  .describe('The monitor itself could not watch an aggregator, or can again.');

export const eventDetailSchema = z
  .union([sourceEventDetailSchema, monitorEventDetailSchema])
  .meta({
    title: 'config-aggregator-watch event detail',
    description: `The \`detail\` of every event with source "${EVENT_SOURCE}".`,
  });

export type SourceStatusDetail = z.infer<typeof sourceStatusSchema>;
export type SourceEventDetail = z.infer<typeof sourceEventDetailSchema>;
export type MonitorEventDetail = z.infer<typeof monitorEventDetailSchema>;
export type EventDetail = z.infer<typeof eventDetailSchema>;

/** The whole event as EventBridge delivers it to a target (User Guide, Event structure reference). */
export const eventEnvelopeSchema = z
  .object({
    version: z.string(),
    id: z.string(),
    'detail-type': z.enum(Object.values(DETAIL_TYPES) as [DetailType, ...DetailType[]]),
    source: z.literal(EVENT_SOURCE),
    account: z.string().regex(/^\d{12}$/),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail: eventDetailSchema,
  })
  .meta({ title: 'config-aggregator-watch event', description: 'An event of config-aggregator-watch, as EventBridge delivers it.' });

/** The published JSON Schema of `detail` (draft 2020-12). */
export function eventDetailJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(eventDetailSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/**
 * The `Content` of an EventBridge schema registry entry for the whole event (AWS::EventSchemas::Schema with
 * Type JSONSchemaDraft4: the registry takes OpenApi3 or JSONSchemaDraft4 documents).
 */
export function eventRegistrySchemaContent(): string {
  return JSON.stringify(z.toJSONSchema(eventEnvelopeSchema, { target: 'draft-4' }));
}
