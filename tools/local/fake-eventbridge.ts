/**
 * A local Amazon EventBridge endpoint for PutEvents, speaking the protocol @aws-sdk/client-eventbridge uses:
 * AWS JSON 1.1.
 *
 * - POST /, `X-Amz-Target: AWSEvents.PutEvents`, `Content-Type: application/x-amz-json-1.1`, SigV4-signed (any key:
 *   the signature is not checked, the credential scope is recorded); `Time` as epoch seconds.
 * - Answers `{ FailedEntryCount, Entries: [{ EventId } | { ErrorCode, ErrorMessage }] }`, one result per entry in
 *   request order; an error of the whole request is HTTP 4xx/5xx with `{"__type", "message"}` and
 *   `x-amzn-ErrorType`.
 * - Checks what EventBridge documents (API Reference, PutEvents and PutEventsRequestEntry; User Guide, entry
 *   size): 1 to 10 entries; the entries' total size, counted as AWS counts it, under 256 KB; each entry needs
 *   Source, DetailType and Detail (an entry without them fails with InvalidArgument, a request where none has
 *   them fails as a whole); Detail a JSON object (else MalformedDetail); DetailType at most 128 characters; a
 *   Source beginning with "aws." is not the caller's (NotAuthorizedForSourceException); the bus exists.
 *   The whole request's error codes for a size or count violation are not documented: ValidationException here.
 *
 * Faults: the shared hooks of FakeAwsServer (throttling, outage, hang, reset, kill after acceptance with
 * `{ served: { destroy: true } }`), and per-entry failures (`injectEntryFailure`) answered in FailedEntryCount
 * while the other entries of the request are accepted.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { FakeAwsServer, type Call, type FakeServerOptions, type Reply } from './fake-server';
import { credentialScope, jsonObjectBody, newRequestId, type RawResponse, ServiceError } from './wire';

export const EVENTS_TARGET = 'AWSEvents.PutEvents';
export const EVENTS_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** PutEvents: at most 10 entries; their total size less than 256 KB (AWS's count: Time 14 bytes, UTF-8 of the rest). */
export const EVENTS_MAX_ENTRIES = 10;
export const EVENTS_MAX_REQUEST_BYTES = 256 * 1024;
export const DETAIL_TYPE_MAX_CHARS = 128;

/** EventBridge's own errors, ready for `inject()`. */
export const EVENTBRIDGE_FAULTS = {
  throttling: { error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 } },
  internalError: { error: { code: 'InternalException', message: 'An internal error occurred.', status: 500 } },
  unavailable: { error: { code: 'ServiceUnavailable', message: 'Service is unavailable.', status: 503 } },
  accessDenied: {
    error: { code: 'AccessDeniedException', message: 'User is not authorized to perform: events:PutEvents on resource', status: 400 },
  },
  /** The request is accepted, then the connection drops: the caller cannot know its events went through. */
  killAfterAcceptance: { served: { destroy: true } },
} as const;

/** Per-entry failures as PutEvents reports them (PutEventsResultEntry.ErrorCode). */
export const ENTRY_FAULTS = {
  throttled: { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
  internal: { ErrorCode: 'InternalFailure', ErrorMessage: 'The request processing has failed because of an unknown error, exception or failure.' },
  malformed: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
} as const;

export interface EntryFailure {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

/** Decides, for each entry of a request, whether it fails; `seq` counts PutEvents requests from 1. */
export type EntryFaultHook = (entry: Readonly<Record<string, unknown>>, index: number, seq: number) => EntryFailure | undefined;

/** An event as EventBridge delivers it to a rule's target. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  /** The bus it was put on (name). */
  readonly bus: string;
}

export interface FakeEventBridgeOptions extends FakeServerOptions {
  readonly onEvent?: (event: DeliveredEvent) => void;
}

export class FakeEventBridge extends FakeAwsServer {
  readonly events: DeliveredEvent[] = [];
  /** Buses that exist, by name; `default` always does. */
  readonly buses = new Set<string>(['default']);
  onEvent: ((event: DeliveredEvent) => void) | undefined;
  private readonly entryHooks: EntryFaultHook[] = [];
  private putRequests = 0;

  constructor(
    readonly accountId = '123456789012',
    readonly region = 'us-east-1',
    options: FakeEventBridgeOptions = {},
  ) {
    super('events', options);
    this.onEvent = options.onEvent;
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  createBus(name: string): string {
    this.buses.add(name);
    return this.busArn(name);
  }

  /** Adds a per-entry fault hook; returns a function that removes it. */
  injectEntryFailure(hook: EntryFaultHook): () => void {
    this.entryHooks.push(hook);
    return () => {
      const i = this.entryHooks.indexOf(hook);
      if (i >= 0) this.entryHooks.splice(i, 1);
    };
  }

  override clearFaults(): void {
    super.clearFaults();
    this.entryHooks.length = 0;
  }

  protected decode(req: IncomingMessage, body: Buffer): Call {
    if (req.method !== 'POST') throw new ServiceError('UnknownOperationException', `${req.method} is not supported`, 404);
    if (!credentialScope(req)) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== EVENTS_TARGET) throw new ServiceError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType !== EVENTS_CONTENT_TYPE) throw new ServiceError('SerializationException', `Unexpected Content-Type ${contentType || '(none)'}`);
    const input = jsonObjectBody(body);
    const entries = Array.isArray(input.Entries) ? (input.Entries as unknown[]) : [];
    const buses = new Set(entries.map((e) => busName((e as Record<string, unknown> | null)?.EventBusName)));
    return { operation: 'PutEvents', input, resources: [...buses].map((b) => (b.startsWith('arn:') ? b : this.busArn(b))) };
  }

  protected execute(call: Call): Reply {
    const input = call.input as Record<string, unknown>;
    const entries = input.Entries;
    if (entries === undefined || entries === null) throw validation("Value null at 'entries' failed to satisfy constraint: Member must not be null");
    if (!Array.isArray(entries)) throw new ServiceError('SerializationException', 'Entries must be a list');
    if (entries.length < 1) throw validation("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (entries.length > EVENTS_MAX_ENTRIES) {
      throw validation(`Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${EVENTS_MAX_ENTRIES}`);
    }
    const records = entries.map((e, i) => entryOf(e, i));
    const total = records.reduce((sum, r) => sum + r.size, 0);
    if (total >= EVENTS_MAX_REQUEST_BYTES) throw validation(`Total size of the entries in the request is over the limit (${total} bytes).`);
    if (records.every((r) => r.missing.length > 0)) throw validation('Parameter(s) Source, DetailType and Detail must be specified in at least one entry.');
    for (const r of records) {
      const bus = busName(r.raw.EventBusName);
      const name = bus.startsWith('arn:') ? (bus.split('event-bus/')[1] ?? bus) : bus;
      if (!this.buses.has(name)) throw new ServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    }

    const seq = ++this.putRequests;
    const results = records.map((r, index) => {
      const failure = r.failure ?? this.entryHooks.map((h) => h(r.raw, index, seq)).find((f) => f !== undefined);
      if (failure) return { ErrorCode: failure.ErrorCode, ErrorMessage: failure.ErrorMessage };
      const event: DeliveredEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': String(r.raw.DetailType),
        source: String(r.raw.Source),
        account: this.accountId,
        time: r.time,
        region: this.region,
        resources: (r.raw.Resources as string[] | undefined) ?? [],
        detail: r.detail ?? {},
        bus: busName(r.raw.EventBusName),
      };
      this.events.push(event);
      this.onEvent?.(event);
      return { EventId: event.id };
    });
    return { output: { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results } };
  }

  protected encodeOutput(_call: Call, output: unknown): RawResponse {
    return { status: 200, headers: headers(), body: JSON.stringify(output) };
  }

  protected encodeError(error: ServiceError): RawResponse {
    return { status: error.status, headers: { ...headers(), 'x-amzn-errortype': error.code }, body: JSON.stringify({ __type: error.code, message: error.message }) };
  }
}

interface EntryRecord {
  readonly raw: Record<string, unknown>;
  readonly size: number;
  readonly missing: string[];
  readonly failure?: EntryFailure;
  readonly detail?: Record<string, unknown>;
  readonly time: string;
}

/** One entry: its size as AWS counts it, and the failure EventBridge answers for it, if any. */
function entryOf(value: unknown, index: number): EntryRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ServiceError('SerializationException', `Entries[${index}] is not an object`);
  const raw = value as Record<string, unknown>;
  for (const key of ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader']) {
    if (raw[key] !== undefined && typeof raw[key] !== 'string') throw new ServiceError('SerializationException', `Entries[${index}].${key} must be a string`);
  }
  if (raw.Time !== undefined && typeof raw.Time !== 'number') throw new ServiceError('SerializationException', `Entries[${index}].Time must be epoch seconds`);
  if (raw.Resources !== undefined && (!Array.isArray(raw.Resources) || raw.Resources.some((r) => typeof r !== 'string'))) {
    throw new ServiceError('SerializationException', `Entries[${index}].Resources must be a list of strings`);
  }
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const size =
    (raw.Time !== undefined ? 14 : 0) +
    Buffer.byteLength(str('Source')) +
    Buffer.byteLength(str('DetailType')) +
    Buffer.byteLength(str('Detail')) +
    ((raw.Resources as string[] | undefined) ?? []).reduce((sum, r) => sum + Buffer.byteLength(r), 0);
  const missing = ['Source', 'DetailType', 'Detail'].filter((k) => str(k) === '');
  const time = typeof raw.Time === 'number' ? new Date(raw.Time * 1000).toISOString().replace('.000Z', 'Z') : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fail = (ErrorCode: string, ErrorMessage: string): EntryRecord => ({ raw, size, missing, failure: { ErrorCode, ErrorMessage }, time });
  if (missing.length > 0) return fail('InvalidArgument', `Parameter(s) ${missing.join(', ')} must be specified.`);
  if (str('DetailType').length > DETAIL_TYPE_MAX_CHARS) return fail('InvalidArgument', `DetailType is longer than ${DETAIL_TYPE_MAX_CHARS} characters.`);
  if (str('Source').startsWith('aws.')) return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
  let detail: unknown;
  try {
    detail = JSON.parse(str('Detail'));
  } catch {
    return fail('MalformedDetail', 'Detail is malformed.');
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return fail('MalformedDetail', 'Detail is malformed.');
  return { raw, size, missing, detail: detail as Record<string, unknown>, time };
}

const busName = (v: unknown) => (typeof v === 'string' && v !== '' ? v : 'default');

function validation(detail: string): ServiceError {
  return new ServiceError('ValidationException', detail.startsWith('Value') ? `1 validation error detected: ${detail}` : detail);
}

function headers(): Record<string, string> {
  return { 'content-type': EVENTS_CONTENT_TYPE, 'x-amzn-requestid': newRequestId() };
}

/**
 * Whether an event matches an EventBridge event pattern, for the subset the docs' sample rules use: a field's
 * list of exact values, nested objects, `{ "prefix": "..." }` and `{ "anything-but": [...] }` (User Guide, event
 * patterns). Lets a test run the documented sample rule against what the monitor sends.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (Array.isArray(rule)) return rule.some((r) => matchesValue(r, value));
    if (typeof rule === 'object' && rule !== null) return typeof value === 'object' && value !== null && matchesPattern(rule as Record<string, unknown>, value as Record<string, unknown>);
    return false;
  });
}

function matchesValue(rule: unknown, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => matchesValue(rule, v));
  if (typeof rule === 'object' && rule !== null) {
    const r = rule as Record<string, unknown>;
    if (typeof r.prefix === 'string') return typeof value === 'string' && value.startsWith(r.prefix);
    if (Array.isArray(r['anything-but'])) return value !== undefined && !(r['anything-but'] as unknown[]).includes(value);
    return false;
  }
  return rule === value;
}
