/**
 * What rendering produces: the outbound messages, their filterable attributes, and the byte count SNS applies to
 * them. The attributes' encoding (Amazon SNS Developer Guide, message attributes: a String.Array is a JSON array
 * string, a Number a decimal string) is defined here once, for the size check and for the notifier that sends them.
 */
import type { MonitorNotice, NoticeKind, SourceNotice } from '../notices';
import { utf8 } from './limits';

export interface MessageAttributes {
  readonly aggregator: string;
  readonly kind: NoticeKind[];
  readonly statuses: string[];
  readonly count: number;
}

export interface OutboundMessage {
  readonly subject: string;
  /** JSON.stringify({ default, email, sms }), for MessageStructure 'json'. */
  readonly message: string;
  readonly attributes: MessageAttributes;
  /** The source notices this message carries, listed or summarised: mark them notified once SNS accepts it. */
  readonly notices: readonly SourceNotice[];
  readonly monitor?: MonitorNotice;
  readonly part: number;
  readonly parts: number;
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
    { name: 'aggregator', dataType: 'String', value: a.aggregator },
    { name: 'kind', dataType: 'String.Array', value: JSON.stringify(a.kind) },
    { name: 'statuses', dataType: 'String.Array', value: JSON.stringify(a.statuses) },
    { name: 'count', dataType: 'Number', value: String(a.count) },
  ];
}

/** What SNS counts against its limit: the message and each attribute's name, type and value (subject added for margin). */
export function publishedBytes(m: Pick<OutboundMessage, 'subject' | 'message' | 'attributes'>): number {
  let bytes = utf8(m.message) + utf8(m.subject);
  for (const attr of encodeAttributes(m.attributes)) bytes += utf8(attr.name) + utf8(attr.dataType) + utf8(attr.value);
  return bytes;
}
