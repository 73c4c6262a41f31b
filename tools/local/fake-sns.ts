/**
 * A local Amazon SNS endpoint for Publish, speaking the protocol @aws-sdk/client-sns uses: the AWS Query protocol,
 * with subscriptions that receive what SNS would deliver to them.
 *
 * - POST /, `Content-Type: application/x-www-form-urlencoded`, body `Action=Publish&Version=2010-03-31&TopicArn=...`;
 *   message attributes as `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` (or
 *   `.Value.BinaryValue`, base64).
 * - Answers `text/xml`: `<PublishResponse><PublishResult><MessageId>` and `<ResponseMetadata><RequestId>`; an error
 *   is `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>...</Code><Message>...</Message></Error>`.
 * - Checks what SNS checks and a bug would trip: the topic exists (NotFound), MessageStructure=json has a `default`
 *   entry, the subject is ASCII, under 100 characters and on one line, the message with its attributes fits in
 *   256 KiB, at most 10 attributes with valid data types (String.Array a JSON array, Number a number).
 * - Subscriptions (`subscribe()`, from the test: no wire action) receive each accepted message their filter policy
 *   accepts (sns-filter-policy.ts), as the protocol gets it: with MessageStructure=json the protocol's entry or
 *   `default`; an SMS prefixed with the topic's display name in capitals and "> " (Developer Guide, publishing SMS
 *   messages to a topic). A JSON-structured message matches no filter policy: SNS sends no message attributes with
 *   it ("Message attributes are sent only when the message structure is String, not JSON", Developer Guide,
 *   message attributes), and no page documents filter policies applying to it.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { FakeAwsServer, type Call, type FakeServerOptions, type Reply } from './fake-server';
import { ServiceError, credentialScope, newRequestId, type RawResponse } from './wire';
import { FilterPolicyError, compileFilterPolicy, policyAccepts, type CompiledPolicy } from './sns-filter-policy';

export const SNS_VERSION = '2010-03-31';
export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
export const SNS_MAX_BYTES = 262_144;

/** SNS's own errors, ready for `inject()`. Throttled is 429 (Query error code "Throttled"). */
export const SNS_FAULTS = {
  throttling: { error: { code: 'Throttled', message: 'Rate exceeded', status: 429 } },
  internalError: { error: { code: 'InternalError', message: 'An internal service error occurred.', status: 500 } },
  /** The topic was deleted under the monitor. */
  gone: { error: { code: 'NotFound', message: 'Topic does not exist', status: 404 } },
  authorizationError: {
    error: { code: 'AuthorizationError', message: 'User is not authorized to perform: SNS:Publish on resource', status: 403 },
  },
  kmsDisabled: { error: { code: 'KMSDisabled', message: 'The KMS key is disabled.', status: 400 } },
} as const;

export type AttributeValue = string | number | string[] | Buffer;

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  /** The Message parameter as sent. */
  readonly message: string;
  /** With MessageStructure=json: the message per protocol (`default`, `email`, `sms`, ...). */
  readonly structured?: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, { readonly dataType: string; readonly value: AttributeValue }>>;
  /** Epoch milliseconds. */
  readonly at: number;
  /** The publisher's application id (RecordedRequest.client), if its client sent one. */
  readonly client?: string;
}

/** What one subscription received of one message. */
export interface Delivery {
  readonly messageId: string;
  readonly subject?: string;
  /** The text the endpoint gets: for SQS, HTTP(S) and Lambda, the `Message` of SNS's JSON envelope. */
  readonly message: string;
  /** The message attributes, as the envelope carries them (none for a JSON-structured message). */
  readonly attributes: PublishedMessage['attributes'];
}

export interface SubscribeOptions {
  /** A JSON text or an object; checked at once (FilterPolicyError for what is malformed or not implemented). */
  readonly filterPolicy?: string | object;
  readonly filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

export interface FakeSubscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly filterPolicy?: CompiledPolicy;
  readonly received: Delivery[];
}

/** The protocols SNS subscribes (Subscribe API reference). */
const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'];

export interface FakeSnsOptions extends FakeServerOptions {
  /** Called with each accepted message (printing it, say). */
  readonly onPublish?: (message: PublishedMessage) => void;
}

export class FakeSns extends FakeAwsServer {
  readonly published: PublishedMessage[] = [];
  /** Topics that exist, with their display name; Publish to any other is NotFound. */
  readonly topics = new Map<string, { readonly displayName?: string }>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  onPublish: ((message: PublishedMessage) => void) | undefined;

  constructor(
    readonly accountId = '123456789012',
    readonly region = 'us-east-1',
    options: FakeSnsOptions = {},
  ) {
    super('sns', options);
    this.onPublish = options.onPublish;
  }

  /** Creates a topic (idempotent: a second call keeps its subscriptions) and returns its ARN. */
  createTopic(name: string, attributes: { readonly displayName?: string } = {}): string {
    const arn = `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
    this.topics.set(arn, { ...this.topics.get(arn), ...attributes });
    return arn;
  }

  /** Deletes a topic and, as SNS does, its subscriptions. */
  deleteTopic(arn: string): void {
    this.topics.delete(arn);
    for (const [subscriptionArn, s] of this.subscriptions) if (s.topicArn === arn) this.subscriptions.delete(subscriptionArn);
  }

  /** Subscribes an endpoint (confirmed at once) and returns the subscription's ARN. */
  subscribe(topicArn: string, protocol: string, endpoint: string, options: SubscribeOptions = {}): string {
    if (!this.topics.has(topicArn)) throw new ServiceError('NotFound', 'Topic does not exist', 404);
    if (!PROTOCOLS.includes(protocol)) throw invalid(`Protocol Reason: ${protocol} is not one of ${PROTOCOLS.join(', ')}`);
    if (options.filterPolicyScope === 'MessageBody') throw new FilterPolicyError('FilterPolicyScope MessageBody is not implemented by the fake SNS');
    const arn = `${topicArn}:${randomUUID()}`;
    const filterPolicy = options.filterPolicy === undefined ? undefined : compileFilterPolicy(options.filterPolicy);
    this.subscriptions.set(arn, { arn, topicArn, protocol, endpoint, ...(filterPolicy ? { filterPolicy } : {}), received: [] });
    return arn;
  }

  /** What a subscription received, in the order SNS accepted the messages. */
  received(subscriptionArn: string): readonly Delivery[] {
    const s = this.subscriptions.get(subscriptionArn);
    if (!s) throw new Error(`no subscription ${subscriptionArn}`);
    return s.received;
  }

  private deliver(m: PublishedMessage, raw: Record<string, { dataType: string; value: string }>): void {
    const displayName = this.topics.get(m.topicArn)?.displayName;
    for (const s of this.subscriptions.values()) {
      if (s.topicArn !== m.topicArn) continue;
      if (s.filterPolicy && (m.structured !== undefined || !policyAccepts(s.filterPolicy, raw))) continue;
      const text = m.structured ? (m.structured[s.protocol] ?? m.structured.default ?? '') : m.message;
      const message = s.protocol === 'sms' && displayName ? `${displayName.toUpperCase()}> ${text}` : text;
      s.received.push({
        messageId: m.messageId,
        ...(m.subject !== undefined ? { subject: m.subject } : {}),
        message,
        attributes: m.structured ? {} : m.attributes,
      });
    }
  }

  protected decode(req: IncomingMessage, body: Buffer): Call {
    if (req.method !== 'POST') throw new ServiceError('InvalidAction', `${req.method} is not supported`);
    if (!credentialScope(req)) throw new ServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType !== 'application/x-www-form-urlencoded') {
      throw new ServiceError('InvalidParameterValue', `Unexpected Content-Type ${contentType || '(none)'}`);
    }
    const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const action = form.Action ?? '';
    if (action !== 'Publish') throw new ServiceError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    if (form.Version !== SNS_VERSION) throw new ServiceError('InvalidParameterValue', `Unsupported Version ${form.Version ?? '(none)'}`);
    return { operation: action, input: form, resources: form.TopicArn ? [form.TopicArn] : [] };
  }

  protected execute(call: Call): Reply {
    const form = call.input as Record<string, string>;
    const topicArn = form.TopicArn;
    if (!topicArn) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
    if (!/^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(topicArn)) throw invalid('TopicArn Reason: An ARN must have 6 elements');
    if (!this.topics.has(topicArn)) throw new ServiceError('NotFound', 'Topic does not exist', 404);
    const message = form.Message;
    if (message === undefined || message === '') throw invalid('Empty message');

    const subject = form.Subject;
    if (subject !== undefined) {
      if (subject.length === 0 || subject.length >= 100) throw invalid('Subject Reason: must be less than 100 characters long');
      if (!/^[\x20-\x7e]*$/.test(subject)) throw invalid('Subject Reason: must contain only ASCII printable characters and no line breaks');
    }

    let structured: Record<string, string> | undefined;
    if (form.MessageStructure !== undefined) {
      if (form.MessageStructure !== 'json') throw invalid(`MessageStructure Reason: ${form.MessageStructure} is not valid`);
      try {
        structured = JSON.parse(message) as Record<string, string>;
      } catch {
        throw invalid('Message Structure - JSON message body failed to parse');
      }
      if (typeof structured !== 'object' || structured === null || typeof structured.default !== 'string') {
        throw invalid('Message Structure - No default entry in JSON message body');
      }
    }

    const attributes = decodeAttributes(form);
    let bytes = Buffer.byteLength(message, 'utf8');
    for (const [name, raw] of Object.entries(attributes.raw)) bytes += Buffer.byteLength(name) + Buffer.byteLength(raw.dataType) + Buffer.byteLength(raw.value);
    if (bytes > SNS_MAX_BYTES) throw invalid(`Message too long: ${bytes} bytes with attributes, the limit is ${SNS_MAX_BYTES}`);

    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn,
      ...(subject !== undefined ? { subject } : {}),
      ...(form.MessageStructure !== undefined ? { messageStructure: form.MessageStructure } : {}),
      message,
      ...(structured ? { structured } : {}),
      attributes: attributes.decoded,
      at: Date.now(),
      ...(call.client === undefined ? {} : { client: call.client }),
    };
    this.published.push(published);
    this.deliver(published, attributes.raw);
    this.onPublish?.(published);
    return { output: { MessageId: published.messageId } };
  }

  protected encodeOutput(call: Call, output: unknown): RawResponse {
    const fields = Object.entries((output ?? {}) as Record<string, unknown>)
      .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
      .join('');
    return {
      status: 200,
      headers: xmlHeaders(),
      body:
        `<${call.operation}Response xmlns="${SNS_XMLNS}"><${call.operation}Result>${fields}</${call.operation}Result>` +
        `<ResponseMetadata><RequestId>${newRequestId()}</RequestId></ResponseMetadata></${call.operation}Response>`,
    };
  }

  protected encodeError(error: ServiceError): RawResponse {
    return {
      status: error.status,
      headers: xmlHeaders(),
      body:
        `<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
        `<RequestId>${newRequestId()}</RequestId></ErrorResponse>`,
    };
  }
}

function decodeAttributes(form: Record<string, string>): {
  decoded: Record<string, { dataType: string; value: AttributeValue }>;
  raw: Record<string, { dataType: string; value: string }>;
} {
  const decoded: Record<string, { dataType: string; value: AttributeValue }> = {};
  const raw: Record<string, { dataType: string; value: string }> = {};
  for (let n = 1; form[`MessageAttributes.entry.${n}.Name`] !== undefined; n++) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = form[`${prefix}.Name`] ?? '';
    const dataType = form[`${prefix}.Value.DataType`];
    const stringValue = form[`${prefix}.Value.StringValue`];
    const binaryValue = form[`${prefix}.Value.BinaryValue`];
    if (n > 10) throw invalid('Message attributes: number of message attributes exceeds 10');
    if (!/^[\w.-]{1,256}$/.test(name) || name.startsWith('AWS.') || name.startsWith('Amazon.')) {
      throw invalid(`Message attribute name '${name}' is invalid`);
    }
    if (!dataType) throw invalid(`The message attribute '${name}' must contain non-empty message attribute type`);
    const base = dataType.split('.')[0];
    if (base === 'Binary') {
      if (binaryValue === undefined) throw invalid(`The message attribute '${name}' with type 'Binary' must use field 'Binary'`);
      decoded[name] = { dataType, value: Buffer.from(binaryValue, 'base64') };
      raw[name] = { dataType, value: binaryValue };
      continue;
    }
    if (stringValue === undefined) throw invalid(`The message attribute '${name}' must contain non-empty message attribute value`);
    raw[name] = { dataType, value: stringValue };
    if (base === 'Number') {
      const value = Number(stringValue);
      if (stringValue.trim() === '' || !Number.isFinite(value)) throw invalid(`Could not cast message attribute '${name}' value to number`);
      decoded[name] = { dataType, value };
    } else if (dataType === 'String.Array') {
      let value: unknown;
      try {
        value = JSON.parse(stringValue);
      } catch {
        value = undefined;
      }
      if (!Array.isArray(value)) throw invalid(`The message attribute '${name}' with type 'String.Array' must be a JSON array`);
      decoded[name] = { dataType, value: value.map(String) };
    } else if (base === 'String') {
      decoded[name] = { dataType, value: stringValue };
    } else {
      throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
  }
  return { decoded, raw };
}

/**
 * SMS segments a text takes: GSM-7 (basic set; the extension table's characters count twice) 160 per segment, or
 * 153 each when split; otherwise UCS-2, 70, or 67 each when split (Developer Guide, mobile text messaging).
 */
export function smsSegments(text: string): number {
  const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  const extension = '^{}\\[~]|€\f';
  const chars = [...text];
  if (chars.every((c) => basic.includes(c) || extension.includes(c))) {
    const septets = chars.reduce((n, c) => n + (extension.includes(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  const units = text.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function invalid(reason: string): ServiceError {
  return new ServiceError('InvalidParameter', `Invalid parameter: ${reason}`);
}

function xmlHeaders(): Record<string, string> {
  return { 'content-type': 'text/xml', 'x-amzn-requestid': newRequestId() };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
