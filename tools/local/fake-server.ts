/**
 * What the local AWS endpoints share: an HTTP server on 127.0.0.1 (random port), a record of every request,
 * optional per-call latency, and a fault-injection hook. Each service (fake Config, fake SNS, the DynamoDB
 * recording proxy) only decodes its wire protocol, executes the operation and encodes the answer.
 *
 * Faults are decided per request by hooks (`inject`), first hook with an answer wins:
 * - `{ error: { code, message, status } }`  the service's own error, in its protocol (JSON `__type`, Query XML)
 * - `{ status, body, headers }`              a raw answer (garbage, an HTML 502 from a proxy, ...)
 * - `{ hangMs }`                             hold the request, then serve it (Infinity: never answer)
 * - `{ hangMs, then }`                       hold the request, then apply another fault
 * - `{ hangMs, until }`                      hold the request until a promise settles (a gate the test opens)
 * - `{ destroy: true }`                      drop the connection without an answer (socket reset)
 * - `{ transform }`                          serve the real answer, altered (duplicates, missing fields, ...)
 * - `{ served: fault }`                      serve the request, then answer with another fault (the client
 *                                              cannot know that its write landed or its message was accepted)
 * - `{ transform, request }`                 serve an altered request (the proxy forwards the altered JSON), e.g.
 *                                              a BatchWriteItem that writes only some items and returns the rest
 *                                              as UnprocessedItems
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asServiceError, readBody, send, sleep, transformJson, errorCodeOf, ServiceError, type RawResponse } from './wire';

export interface ErrorFault {
  readonly error: { readonly code: string; readonly message?: string; readonly status?: number };
}
export interface RawFault {
  readonly status: number;
  readonly body?: string | object;
  readonly headers?: Readonly<Record<string, string>>;
}
export interface HangFault {
  /** Milliseconds to hold the request before answering; Infinity: never (the socket is destroyed on close()). */
  readonly hangMs: number;
  /** Ends the wait early, as if `hangMs` had elapsed, once this settles: a gate the test opens. */
  readonly until?: PromiseLike<unknown>;
  /** What to do once the wait is over; default: serve the request normally. */
  readonly then?: Exclude<Fault, HangFault>;
}
export interface DestroyFault {
  readonly destroy: true;
}
export interface TransformFault {
  /** Receives the operation's output (decoded JSON for the proxy) and returns what to send instead. */
  readonly transform: (output: unknown) => unknown;
  /** Receives the decoded request and returns what to serve instead (JSON protocols: the proxy forwards it). */
  readonly request?: (input: unknown) => unknown;
}
/**
 * The request is served (the write lands, the message is accepted) and then answered with `served` instead: the
 * client cannot tell that it succeeded (a response lost to a reset connection, a 500 after the commit).
 */
export interface ServedFault {
  readonly served: ErrorFault | RawFault | HangFault | DestroyFault;
}
export type Fault = ErrorFault | RawFault | HangFault | DestroyFault | TransformFault | ServedFault;

export interface FaultRequest {
  readonly service: string;
  readonly operation: string;
  readonly input: unknown;
  /** 1-based number of this request on the server (every operation). */
  readonly seq: number;
  /** 1-based number of this request among the same operation's requests. */
  readonly operationSeq: number;
  /** The client's application id (the SDK's `AWS_SDK_UA_APP_ID`, sent as `app/<id>` in its user agent), if any. */
  readonly client?: string;
}
export type FaultHook = (request: FaultRequest) => Fault | undefined;

export type FaultKind = 'error' | 'raw' | 'hang' | 'destroy' | 'transform' | 'served';

export interface RecordedRequest {
  readonly seq: number;
  readonly service: string;
  readonly operation: string;
  /** The decoded input (JSON object, or the form fields for a Query protocol service). */
  readonly input: unknown;
  /** The resources the call acts on, as IAM would evaluate them (ARNs). */
  readonly resources: readonly string[];
  /** Epoch milliseconds at which the request arrived. */
  readonly receivedAt: number;
  /** The client's application id (`app/<id>` in the user agent), if it sent one. */
  readonly client?: string;
  /** Filled in when the answer is sent: HTTP status (0: connection dropped or never answered). */
  status: number;
  /** The error code sent, if any. */
  errorCode?: string;
  fault?: FaultKind;
  durationMs: number;
}

export interface Call {
  readonly operation: string;
  readonly input: unknown;
  readonly resources: readonly string[];
  /** The client's application id (`app/<id>` in the user agent), if it sent one. */
  readonly client?: string;
}

/** An operation's result: an output for the service to encode, or an answer already on the wire (proxy). */
export type Reply = { readonly output: unknown } | { readonly raw: RawResponse };

export interface FakeServerOptions {
  /** Added to every call before it is served, in ms; or per call. */
  readonly latencyMs?: number | ((call: Call) => number);
  /** Keep each request's decoded input in `requests` (default true; a large benchmark may not want the memory). */
  readonly recordInput?: boolean;
}

export abstract class FakeAwsServer {
  readonly requests: RecordedRequest[] = [];
  latencyMs: number | ((call: Call) => number);
  recordInput: boolean;
  private readonly hooks: FaultHook[] = [];
  private readonly perOperation = new Map<string, number>();
  private readonly hanging = new Set<() => void>();
  private server: Server | undefined;
  private url = '';

  protected constructor(
    readonly service: string,
    options: FakeServerOptions = {},
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.recordInput = options.recordInput ?? true;
  }

  /** http://127.0.0.1:<port>, once started. */
  get endpoint(): string {
    if (!this.url) throw new Error(`${this.service}: not started`);
    return this.url;
  }

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch(() => res.destroy());
    });
    // The SDK keeps connections alive; so does the server, a little longer than the SDK's idle sockets.
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const release of this.hanging) release();
    this.hanging.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds a fault hook; returns a function that removes it. */
  inject(hook: FaultHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Applies `fault` to the next `times` requests that match (default: any operation, once). */
  injectNext(fault: Fault, options: { operation?: string; times?: number } = {}): () => void {
    let left = options.times ?? 1;
    const remove = this.inject((r) => {
      if (left <= 0 || (options.operation !== undefined && r.operation !== options.operation)) return undefined;
      left--;
      if (left === 0) queueMicrotask(remove);
      return fault;
    });
    return remove;
  }

  clearFaults(): void {
    this.hooks.length = 0;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Recorded requests, optionally of one operation only. */
  calls(operation?: string): RecordedRequest[] {
    return operation === undefined ? [...this.requests] : this.requests.filter((r) => r.operation === operation);
  }

  // ---- the service's part -----------------------------------------------------------------------------

  /** Reads the operation and its input off the wire; throws ServiceError for a request the service rejects. */
  protected abstract decode(req: IncomingMessage, body: Buffer): Call;
  /** Executes a decoded call; throws ServiceError for the operation's own errors. */
  protected abstract execute(call: Call, req: IncomingMessage, body: Buffer): Promise<Reply> | Reply;
  protected abstract encodeOutput(call: Call, output: unknown): RawResponse;
  protected abstract encodeError(error: ServiceError, call: Call | undefined): RawResponse;

  // ---- request pipeline ------------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    let body = await readBody(req);
    let call: Call;
    try {
      call = this.decode(req, body);
    } catch (e) {
      const error = asServiceError(e);
      this.requests.push({
        seq: this.requests.length + 1,
        service: this.service,
        operation: '(undecodable)',
        input: body.toString('utf8').slice(0, 2_000),
        resources: [],
        receivedAt,
        status: error.status,
        errorCode: error.code,
        durationMs: Date.now() - receivedAt,
      });
      send(res, this.encodeError(error, undefined));
      return;
    }

    const seq = this.requests.length + 1;
    const client = clientAppId(req);
    if (client !== undefined) call = { ...call, client };
    const operationSeq = (this.perOperation.get(call.operation) ?? 0) + 1;
    this.perOperation.set(call.operation, operationSeq);
    const record: RecordedRequest = {
      seq,
      service: this.service,
      operation: call.operation,
      input: this.recordInput ? call.input : undefined,
      resources: call.resources,
      receivedAt,
      ...(client === undefined ? {} : { client }),
      status: 0,
      durationMs: 0,
    };
    this.requests.push(record);
    let served = false;
    const finish = (answer: RawResponse | undefined, errorCode?: string) => {
      if (served) record.fault = 'served';
      record.status = answer?.status ?? 0;
      if (errorCode !== undefined) record.errorCode = errorCode;
      record.durationMs = Date.now() - receivedAt;
      if (answer) send(res, answer);
    };

    let fault: Fault | undefined;
    for (const hook of [...this.hooks]) {
      fault = hook({ service: this.service, operation: call.operation, input: call.input, seq, operationSeq, ...(client === undefined ? {} : { client }) });
      if (fault) break;
    }

    const latency = typeof this.latencyMs === 'function' ? this.latencyMs(call) : this.latencyMs;
    if (latency > 0) await sleep(latency);

    if (fault && 'served' in fault) {
      served = true;
      await Promise.resolve(this.execute(call, req, body)).catch(() => undefined);
      fault = fault.served;
    }
    if (fault && 'hangMs' in fault) {
      record.fault = 'hang';
      const completed = await this.hang(fault.hangMs, res, fault.until);
      if (!completed) {
        finish(undefined);
        res.destroy();
        return;
      }
      fault = fault.then;
    }
    if (fault && 'destroy' in fault) {
      record.fault = 'destroy';
      finish(undefined);
      req.socket.destroy();
      return;
    }
    if (fault && 'error' in fault) {
      record.fault = 'error';
      const error = new ServiceError(fault.error.code, fault.error.message ?? fault.error.code, fault.error.status ?? 400);
      finish(this.encodeError(error, call), error.code);
      return;
    }
    if (fault && 'status' in fault) {
      record.fault = 'raw';
      const text = typeof fault.body === 'string' || fault.body === undefined ? (fault.body ?? '') : JSON.stringify(fault.body);
      finish({ status: fault.status, headers: { ...(fault.headers ?? {}) }, body: text }, errorCodeOf(text));
      return;
    }

    if (fault && 'transform' in fault && fault.request) {
      record.fault = 'transform';
      const input = fault.request(call.input);
      call = { ...call, input };
      body = Buffer.from(JSON.stringify(input), 'utf8');
    }
    try {
      const reply = await this.execute(call, req, body);
      if ('raw' in reply) {
        let raw = reply.raw;
        if (fault && 'transform' in fault && raw.status < 300) {
          record.fault = 'transform';
          raw = transformJson(raw, fault.transform);
        }
        finish(raw, raw.status >= 300 ? errorCodeOf(raw.body.toString()) : undefined);
        return;
      }
      let output = reply.output;
      if (fault && 'transform' in fault) {
        record.fault = 'transform';
        output = fault.transform(output);
      }
      finish(this.encodeOutput(call, output));
    } catch (e) {
      const error = asServiceError(e);
      finish(this.encodeError(error, call), error.code);
    }
  }

  /** Resolves true once `ms` elapsed (or `until` settled), false if the client went away or the server closed first. */
  private hang(ms: number, res: ServerResponse, until?: PromiseLike<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (completed: boolean) => {
        if (timer) clearTimeout(timer);
        this.hanging.delete(release);
        res.off('close', gone);
        resolve(completed);
      };
      const release = () => done(false);
      const gone = () => done(false);
      this.hanging.add(release);
      res.on('close', gone);
      if (Number.isFinite(ms)) timer = setTimeout(() => done(true), ms);
      until?.then(
        () => done(true),
        () => done(true),
      );
    });
  }
}

/**
 * The application id the SDK appends to its user agent as `app/<id>` (AWS_SDK_UA_APP_ID, or the client's
 * `userAgentAppId`): the harness gives each Lambda-like process its own, so that every request is attributed to
 * the process that sent it.
 */
function clientAppId(req: IncomingMessage): string | undefined {
  for (const header of ['x-amz-user-agent', 'user-agent']) {
    const match = /(?:^| )app\/([^\s/]+)/.exec(String(req.headers[header] ?? ''));
    if (match?.[1]) return match[1];
  }
  return undefined;
}
