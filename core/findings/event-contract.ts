/**
 * The EventBridge contract's names and limits, without the zod definition of `detail` (event-schema.ts): what the
 * function needs to build events. The zod schemas stay out of the function's bundle (the full zod build is about
 * 440 KiB of it); the tests and the schema writer validate and publish with them.
 *
 * Names are stable: rules match on them. A change that removes or renames a field raises `schemaVersion`'s major.
 */
/**
 * The `source` of every event. EventBridge: "All events that come from AWS services begin with "aws."
 * Customer-generated events can have any value here, as long as it doesn't begin with "aws."" (EventBridge User
 * Guide, Event structure reference, `source`).
 */
export const EVENT_SOURCE = 'config-aggregator-watch';

/** The `detail-type`s, at most 128 characters each (PutEventsRequestEntry.DetailType). */
export const DETAIL_TYPES = {
  sourceAlert: 'Config Aggregator Source Alert',
  sourceRecovered: 'Config Aggregator Source Recovered',
  sourceRemoved: 'Config Aggregator Source Removed',
  monitorError: 'Config Aggregator Monitor Error',
  monitorRecovered: 'Config Aggregator Monitor Recovered',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export const DETAIL_SCHEMA_VERSION = '1.0';

/** Kinds of a source event, and the detail-type each is published under. */
export const SOURCE_NOTICE_KINDS = ['failure', 'reminder', 'error-code-changed', 'recovery', 'removed'] as const;
export type SourceEventKind = (typeof SOURCE_NOTICE_KINDS)[number];
export const MONITOR_NOTICE_KINDS = ['monitor-error', 'monitor-recovery'] as const;
export type MonitorEventKind = (typeof MONITOR_NOTICE_KINDS)[number];

/** Longest free text carried in a detail: Config's error messages have no published limit. */
export const DETAIL_TEXT_MAX = 2_048;
