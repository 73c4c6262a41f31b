/**
 * What rendering produces: the digest's parts, each with the publications that carry it (one per format), their
 * filterable attributes, and the byte count SNS applies to them. The attributes' encoding (Amazon SNS Developer
 * Guide, message attributes: a String.Array is a JSON array string, a Number a decimal string) is defined here once,
 * for the size check and for the notifier that sends them.
 */
import type { MonitorNotice, NoticeKind, SourceNotice } from '../notices';
import { ATTRIBUTE, type DeliveryFormat, type Severity } from './formats';
import { utf8 } from './limits';
import type { ReportLink } from '../report/location';

export interface MessageAttributes {
  readonly format: DeliveryFormat;
  readonly aggregator: string;
  /** The kinds of notice this publication tells of. */
  readonly kinds: NoticeKind[];
  readonly severity: Severity;
  /** The conditions of its source notices (FAILED, OUTDATED, STALE, ...). */
  readonly statuses: string[];
  /** Its source notices. */
  readonly count: number;
}

/** One SNS Publish, with the String message structure. */
export interface Publication {
  readonly format: DeliveryFormat;
  /** email and json (SMS subscribers are sent no subject). */
  readonly subject?: string;
  readonly message: string;
  readonly attributes: MessageAttributes;
}

/**
 * One self-contained part of a digest: its notices count as sent once SNS accepted every one of its publications.
 * Part 1 also carries the digest's SMS, which tells of the whole digest.
 */
export interface DigestPart {
  readonly part: number;
  readonly parts: number;
  readonly publications: readonly Publication[];
  /** The source notices this part carries, listed or summarised: mark them notified once SNS accepted it all. */
  readonly notices: readonly SourceNotice[];
  readonly monitor?: MonitorNotice;
}

/** Where the e-mail tells readers a source's history lives: the store's key layout, passed in (the core does not know it). */
export interface HistoryKeyLayout {
  /** The partition key of one source's history. */
  readonly pk: (aggregator: string, sourceId: string) => string;
  /** The sort key's shape, with placeholders, for people. */
  readonly sk: string;
}

export interface RenderOptions {
  /** The history table's name, shown next to the DynamoDB key. */
  readonly tableName?: string;
  /** The history table's keys; without them the e-mail shows the CLI commands only. */
  readonly historyKeys?: HistoryKeyLayout;
  /** The notice kinds told by SMS (the smsNotices setting); default DEFAULTS.smsNotices. */
  readonly smsNotices?: readonly NoticeKind[];
  /** The bucket the status report is written to (reportBucket); the e-mail then names it. */
  readonly report?: ReportLink;
}

export type AttributeDataType = 'String' | 'String.Array' | 'Number';

/** One message attribute as SNS takes and counts it: its name, data type and string value. */
export interface EncodedAttribute {
  readonly name: string;
  readonly dataType: AttributeDataType;
  readonly value: string;
}

export function encodeAttributes(a: MessageAttributes): EncodedAttribute[] {
  return [
    { name: ATTRIBUTE.format, dataType: 'String', value: a.format },
    { name: ATTRIBUTE.aggregator, dataType: 'String', value: a.aggregator },
    { name: ATTRIBUTE.kinds, dataType: 'String.Array', value: JSON.stringify(a.kinds) },
    { name: ATTRIBUTE.severity, dataType: 'String', value: a.severity },
    { name: ATTRIBUTE.statuses, dataType: 'String.Array', value: JSON.stringify(a.statuses) },
    { name: ATTRIBUTE.count, dataType: 'Number', value: String(a.count) },
  ];
}

/** What SNS counts against its limit: the message and each attribute's name, type and value (subject added for margin). */
export function publishedBytes(p: Pick<Publication, 'subject' | 'message' | 'attributes'>): number {
  let bytes = utf8(p.message) + utf8(p.subject ?? '');
  for (const attr of encodeAttributes(p.attributes)) bytes += utf8(attr.name) + utf8(attr.dataType) + utf8(attr.value);
  return bytes;
}
