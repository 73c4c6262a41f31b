/**
 * A local AWS Step Functions endpoint speaking the protocol @aws-sdk/client-sfn uses: AWS JSON 1.0.
 *
 * - POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`, `Content-Type: application/x-amz-json-1.0`, SigV4-signed
 *   (any key: the signature is not checked, the credential scope is recorded); timestamps are epoch seconds; an
 *   error is HTTP 400 with `{"__type", "message"}` and `x-amzn-ErrorType`.
 * - Standard workflows registered by the harness (`registerStateMachine`: a definition and an ARN); each execution
 *   runs the definition in this process (sfn-execution.ts: aws-local-stepfunctions, Tasks bound to `invoke`).
 * - Operations, as the API Reference documents them:
 *   StartExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html): the name
 *   (default a UUID) is 1-80 characters without whitespace, brackets `< > { } [ ]`, wildcards `? *`, the characters
 *   `" # % \ ^ | ~ \` $ & , ; : /` or control characters (InvalidName); the input a JSON text (InvalidExecutionInput)
 *   of at most 256 KiB; for a Standard workflow a name already used gives back the running execution when its input
 *   is identical, and ExecutionAlreadyExists when the input differs or the execution is closed; an unknown state
 *   machine: StateMachineDoesNotExist; a malformed ARN: InvalidArn.
 *   DescribeExecution (API_DescribeExecution.html): status, input, output (SUCCEEDED), error and cause, start and
 *   stop dates; ExecutionDoesNotExist.
 *   ListExecutions (API_ListExecutions.html): newest first, statusFilter, maxResults 0..1000 (0: the default, 100),
 *   nextToken (an unknown token or one reused with other arguments: InvalidToken).
 *   GetExecutionHistory (API_GetExecutionHistory.html): the events recorded (sfn-execution.ts), maxResults,
 *   reverseOrder, nextToken, includeExecutionData.
 *   StopExecution (API_StopExecution.html): ABORTED with the given error (<= 256) and cause (<= 32,768); stopping a
 *   closed execution is not documented: it is answered with its stop date and changes nothing.
 *   Anything else: UnknownOperationException.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { RunOptions } from 'aws-local-stepfunctions';
import { prepareDefinition, visit, type PreparedDefinition } from './asl-definition';
import { FakeAwsServer, type Call, type FakeServerOptions, type Reply } from './fake-server';
import { LocalExecution, PAYLOAD_LIMIT_BYTES, type ExecutionStatus, type HistoryEvent, type InvokeFunction } from './sfn-execution';
import { credentialScope, jsonObjectBody, newRequestId, type RawResponse, ServiceError } from './wire';

export const SFN_TARGET_PREFIX = 'AWSStepFunctions.';
export const SFN_CONTENT_TYPE = 'application/x-amz-json-1.0';
export const SFN_OPERATIONS = ['StartExecution', 'DescribeExecution', 'ListExecutions', 'GetExecutionHistory', 'StopExecution'] as const;
export const LIST_DEFAULT = 100;
export const LIST_MAX = 1000;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
/** Characters a name must not contain (StartExecution, `name`); control characters are checked apart. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;
const isControl = (name: string) => [...name].some((c) => (c.codePointAt(0) ?? 0) <= 0x1f || ((c.codePointAt(0) ?? 0) >= 0x7f && (c.codePointAt(0) ?? 0) <= 0x9f));
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[^:]{1,80}$/;

export interface StateMachineRegistration {
  /** The state machine's name; the ARN is made from it unless `arn` is given. */
  readonly name?: string;
  readonly arn?: string;
  /** The ASL definition (a JSON object, or its text as in a template's DefinitionString). */
  readonly definition: unknown;
  readonly roleArn?: string;
  /** Every Retry of this machine waits this many ms instead of its IntervalSeconds/BackoffRate (aws-local-stepfunctions' retryIntervalOverrides). */
  readonly retryIntervalMs?: number;
  /** Every Wait state waits this many ms instead (waitTimeOverrides). */
  readonly waitMs?: number;
  /** Per-state overrides, taking precedence over the two above. */
  readonly overrides?: Pick<NonNullable<RunOptions['overrides']>, 'retryIntervalOverrides' | 'waitTimeOverrides'>;
}

export interface FakeStepFunctionsOptions extends FakeServerOptions {
  readonly accountId?: string;
  readonly region?: string;
  /** Runs each Task's Lambda function; may also be set later (`invoke`). */
  readonly invoke?: InvokeFunction;
}

interface RegisteredMachine {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly prepared: PreparedDefinition;
  readonly overrides: NonNullable<RunOptions['overrides']>;
}

interface Started {
  readonly seq: number;
  readonly execution: LocalExecution;
}

export class FakeStepFunctions extends FakeAwsServer {
  readonly accountId: string;
  readonly region: string;
  invoke: InvokeFunction;
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly started = new Map<string, Started>();
  private readonly tokens = new Map<string, { query: string; after: number }>();
  private seq = 0;

  constructor(options: FakeStepFunctionsOptions = {}) {
    super('states', options);
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.invoke =
      options.invoke ??
      (async (arn) => {
        throw new Error(`no invoke bound: the harness must set FakeStepFunctions.invoke to run ${arn}`);
      });
  }

  /** Registers a Standard state machine; validates its definition (asl-validator); returns its ARN. */
  registerStateMachine(registration: StateMachineRegistration): string {
    const name = registration.name ?? registration.arn?.split(':').at(-1) ?? '';
    const arn = registration.arn ?? `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    if (!STATE_MACHINE_ARN.test(arn)) throw new Error(`State machine ARN ${JSON.stringify(arn)} is not arn:aws:states:<region>:<account>:stateMachine:<name> (name: 1-80 of A-Z a-z 0-9 - _)`);
    if (this.machines.has(arn)) throw new Error(`State machine ${arn} is already registered`);
    const raw = typeof registration.definition === 'string' ? parseDefinition(registration.definition) : registration.definition;
    const prepared = prepareDefinition(raw);
    const retryIntervalOverrides: Record<string, number | number[]> = {};
    const waitTimeOverrides: Record<string, number> = {};
    visit(prepared.definition, (state, def) => {
      if (registration.retryIntervalMs !== undefined && Array.isArray(def.Retry)) retryIntervalOverrides[state] = registration.retryIntervalMs;
      if (registration.waitMs !== undefined && def.Type === 'Wait') waitTimeOverrides[state] = registration.waitMs;
    });
    Object.assign(retryIntervalOverrides, registration.overrides?.retryIntervalOverrides);
    Object.assign(waitTimeOverrides, registration.overrides?.waitTimeOverrides);
    this.machines.set(arn, {
      arn,
      name: arn.split(':').at(-1) ?? name,
      roleArn: registration.roleArn ?? `arn:aws:iam::${this.accountId}:role/local-state-machine-role`,
      prepared,
      overrides: { retryIntervalOverrides, waitTimeOverrides },
    });
    return arn;
  }

  /** An execution, to assert on its states, invocations and history; throws for an unknown ARN. */
  execution(executionArn: string): LocalExecution {
    const found = this.started.get(executionArn);
    if (!found) throw new Error(`No execution ${executionArn} (started: ${[...this.started.keys()].join(', ') || 'none'})`);
    return found.execution;
  }

  /** Executions, oldest first, of one state machine or all. */
  executions(stateMachineArn?: string): LocalExecution[] {
    return [...this.started.values()].map((s) => s.execution).filter((e) => stateMachineArn === undefined || e.options.stateMachineArn === stateMachineArn);
  }

  /** Resolves once every execution started so far is closed. */
  async settled(): Promise<void> {
    await Promise.all(this.executions().map((e) => e.done));
  }

  /** Stops every running execution (as StopExecution would) and closes the server. */
  override async close(): Promise<void> {
    for (const e of this.executions()) e.stop('local.Closed', 'The local endpoint was closed');
    await super.close();
  }

  protected decode(req: IncomingMessage, body: Buffer): Call {
    if (req.method !== 'POST') throw new ServiceError('UnknownOperationException', `${req.method} is not supported`, 404);
    if (!credentialScope(req)) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(SFN_TARGET_PREFIX) ? target.slice(SFN_TARGET_PREFIX.length) : '';
    if (!(SFN_OPERATIONS as readonly string[]).includes(operation)) throw new ServiceError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType !== SFN_CONTENT_TYPE) throw new ServiceError('SerializationException', `Unexpected Content-Type ${contentType || '(none)'}`);
    const input = jsonObjectBody(body);
    const resource = operation === 'StartExecution' || operation === 'ListExecutions' ? input.stateMachineArn : input.executionArn;
    return { operation, input, resources: typeof resource === 'string' ? [resource] : [] };
  }

  protected execute(call: Call): Reply {
    const input = call.input as Record<string, unknown>;
    switch (call.operation) {
      case 'StartExecution':
        return { output: this.startExecution(input) };
      case 'DescribeExecution':
        return { output: describe(this.lookup(input.executionArn)) };
      case 'ListExecutions':
        return { output: this.listExecutions(input) };
      case 'GetExecutionHistory':
        return { output: this.history(input) };
      case 'StopExecution': {
        const execution = this.lookup(input.executionArn);
        const error = optionalString(input, 'error', 256);
        const cause = optionalString(input, 'cause', 32_768);
        execution.stop(error, cause);
        return { output: { stopDate: seconds(execution.stopDate ?? new Date()) } };
      }
      default:
        throw new ServiceError('UnknownOperationException', `Unknown operation ${call.operation}`);
    }
  }

  protected encodeOutput(_call: Call, output: unknown): RawResponse {
    return { status: 200, headers: headers(), body: JSON.stringify(output) };
  }

  protected encodeError(error: ServiceError): RawResponse {
    return { status: error.status, headers: { ...headers(), 'x-amzn-errortype': error.code }, body: JSON.stringify({ __type: error.code, message: error.message }) };
  }

  // ---- operations ------------------------------------------------------------------------------------------

  private startExecution(input: Record<string, unknown>): unknown {
    const machine = this.machine(input.stateMachineArn);
    const name = input.name === undefined || input.name === null ? randomUUID() : input.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name) || isControl(name)) {
      throw new ServiceError('InvalidName', `Invalid Name: '${String(name)}' (1-80 characters, no whitespace, brackets, wildcards, control characters or any of " # % \\ ^ | ~ \` $ & , ; : /)`);
    }
    const text = input.input === undefined || input.input === null ? '{}' : input.input;
    if (typeof text !== 'string') throw new ServiceError('SerializationException', 'input must be a string');
    if (Buffer.byteLength(text, 'utf8') > PAYLOAD_LIMIT_BYTES) {
      throw new ServiceError('ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${PAYLOAD_LIMIT_BYTES}`);
    }
    try {
      JSON.parse(text);
    } catch (e) {
      throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.started.get(executionArn)?.execution;
    if (existing) {
      // Standard workflows: same name and input while open -> the running execution; otherwise ExecutionAlreadyExists.
      if (existing.status === 'RUNNING' && existing.options.input === text) return { executionArn, startDate: seconds(existing.startDate) };
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution = new LocalExecution({
      executionArn,
      stateMachineArn: machine.arn,
      name,
      roleArn: machine.roleArn,
      input: text,
      prepared: machine.prepared,
      invoke: (arn, payload, context) => this.invoke(arn, payload, context),
      overrides: machine.overrides,
    });
    this.started.set(executionArn, { seq: ++this.seq, execution });
    return { executionArn, startDate: seconds(execution.startDate) };
  }

  private listExecutions(input: Record<string, unknown>): unknown {
    if (input.mapRunArn !== undefined) throw new ServiceError('ValidationException', 'mapRunArn: Distributed Map runs are not supported by the local endpoint');
    const machine = this.machine(input.stateMachineArn);
    const status = input.statusFilter;
    if (status !== undefined && !(STATUSES as readonly unknown[]).includes(status)) {
      throw validation(`Value '${String(status)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
    }
    const limit = pageSize(input.maxResults);
    const query = JSON.stringify(['list', machine.arn, status ?? null, limit]);
    const after = this.continuation(input.nextToken, query);
    const matching = [...this.started.values()]
      .filter((s) => s.execution.options.stateMachineArn === machine.arn && (status === undefined || s.execution.status === status) && s.seq < after)
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    return {
      executions: page.map(({ execution: e }) => ({
        executionArn: e.options.executionArn,
        stateMachineArn: e.options.stateMachineArn,
        name: e.options.name,
        status: e.status,
        startDate: seconds(e.startDate),
        ...(e.stopDate ? { stopDate: seconds(e.stopDate) } : {}),
      })),
      ...(matching.length > limit && last ? { nextToken: this.token(query, last.seq) } : {}),
    };
  }

  private history(input: Record<string, unknown>): unknown {
    const execution = this.lookup(input.executionArn);
    const limit = pageSize(input.maxResults);
    const reverse = input.reverseOrder === true;
    const withData = input.includeExecutionData !== false;
    const query = JSON.stringify(['history', execution.options.executionArn, reverse, withData, limit]);
    const offset = input.nextToken === undefined || input.nextToken === null ? 0 : this.continuation(input.nextToken, query);
    const events = reverse ? [...execution.history].reverse() : execution.history;
    const page = events.slice(offset, offset + limit);
    return {
      events: page.map((e) => wireEvent(e, withData)),
      ...(offset + limit < events.length ? { nextToken: this.token(query, offset + limit) } : {}),
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private machine(arn: unknown): RegisteredMachine {
    if (typeof arn !== 'string' || arn === '') throw validation("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null");
    if (!STATE_MACHINE_ARN.test(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private lookup(arn: unknown): LocalExecution {
    if (typeof arn !== 'string' || arn === '') throw validation("Value null at 'executionArn' failed to satisfy constraint: Member must not be null");
    if (!EXECUTION_ARN.test(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const found = this.started.get(arn);
    if (!found) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return found.execution;
  }

  private token(query: string, after: number): string {
    const token = randomBytes(32).toString('base64');
    this.tokens.set(token, { query, after });
    return token;
  }

  /** The position a nextToken continues from; Infinity for the first page. */
  private continuation(token: unknown, query: string): number {
    if (token === undefined || token === null) return Number.POSITIVE_INFINITY;
    const state = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!state || state.query !== query) throw new ServiceError('InvalidToken', `Invalid Token: '${String(token)}'`);
    return state.after;
  }
}

function describe(e: LocalExecution): unknown {
  return {
    executionArn: e.options.executionArn,
    stateMachineArn: e.options.stateMachineArn,
    name: e.options.name,
    status: e.status satisfies ExecutionStatus,
    startDate: seconds(e.startDate),
    ...(e.stopDate ? { stopDate: seconds(e.stopDate) } : {}),
    input: e.options.input,
    inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error ? { error: e.error } : {}),
    ...(e.cause ? { cause: e.cause } : {}),
    redriveCount: 0,
  };
}

/** A history event on the wire: epoch-seconds timestamp; without input/output when includeExecutionData is false. */
function wireEvent(e: HistoryEvent, withData: boolean): unknown {
  const out: Record<string, unknown> = { ...e, timestamp: seconds(e.timestamp) };
  if (!withData) {
    for (const [key, value] of Object.entries(out)) {
      if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
      const { input: _i, output: _o, inputDetails: _id, outputDetails: _od, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    }
  }
  return out;
}

function parseDefinition(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`The state machine definition is not JSON: ${(e as Error).message}`, { cause: e });
  }
}

function pageSize(value: unknown): number {
  if (value === undefined || value === null || value === 0) return LIST_DEFAULT;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ServiceError('SerializationException', 'maxResults must be an integer');
  if (value < 0 || value > LIST_MAX) throw validation(`Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${LIST_MAX}`);
  return value;
}

function optionalString(input: Record<string, unknown>, key: string, max: number): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ServiceError('SerializationException', `${key} must be a string`);
  if (value.length > max) throw validation(`Value at '${key}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  return value;
}

const seconds = (d: Date): number => d.getTime() / 1000;

function validation(detail: string): ServiceError {
  return new ServiceError('ValidationException', `1 validation error detected: ${detail}`);
}

function headers(): Record<string, string> {
  return { 'content-type': SFN_CONTENT_TYPE, 'x-amzn-requestid': newRequestId() };
}
