/**
 * The local Step Functions endpoint against the real @aws-sdk/client-sfn: the toy workflow in the engine's shape
 * run by aws-local-stepfunctions, its Tasks bound to a scripted function; the API's rules (idempotent start,
 * names, listing, history, stop) and the service's Lambda error names and payload limit.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeStepFunctions } from '../../tools/local/fake-stepfunctions';
import { invokeOutcomeOf } from '../../tools/local/sfn-execution';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { localAwsEnvironment } from '../../tools/local/local-mode';
import { ToyFunction, toyDefinition, type ToyScript } from './toy-workflow';

const INPUT = JSON.stringify({ at: '2026-11-24T12:00:00Z', carried: [] });
let server: FakeStepFunctions;
let client: SFNClient;

beforeEach(async () => {
  server = await new FakeStepFunctions().start();
  client = new SFNClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: server.endpoint, maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

/** Registers the toy machine (Retry waits 0 ms) with `fn` as its function; returns the machine's ARN. */
function toyMachine(fn: ToyFunction, name = 'Run'): string {
  server.invoke = fn.invoke;
  return server.registerStateMachine({ name, definition: toyDefinition(), retryIntervalMs: 0 });
}

async function run(stateMachineArn: string, name = 'run-20261124T120000Z', input = INPUT) {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name, input }));
  await server.execution(executionArn ?? '').done;
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

/** A gate a hook can wait on, opened by the test. */
function gate(): { wait: Promise<undefined>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<undefined>((resolve) => (open = () => resolve(undefined)));
  return { wait, open };
}

async function history(executionArn: string, maxResults = 7): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const topLevel = (arn: string) => server.execution(arn).transitions.filter((t) => t.event === 'entered' && t.mapIndex === undefined).map((t) => t.state);

describe('local Step Functions: the toy workflow', () => {
  it('runs every state in order: the read loop, both Maps with their concurrency, Finalize, Succeed', async () => {
    // Arrange
    const fn = new ToyFunction({ rounds: 2, passes: 2 });
    const arn = toyMachine(fn);

    // Act
    const out = await run(arn);

    // Assert
    expect(out.status).toBe('SUCCEEDED');
    expect(out.stopDate).toBeInstanceOf(Date);
    const executionArn = out.executionArn ?? '';
    expect(topLevel(executionArn)).toEqual(['Begin', 'ReadMore?', 'ReadRound', 'ReadMore?', 'ReadRound', 'ReadMore?', 'Reconcile', 'Notify', 'Finalize', 'AnyFailed?', 'Succeeded']);
    expect(fn.calls.map((c) => c.step).filter((s, i, all) => all.indexOf(s) === i)).toEqual(['begin', 'read', 'reconcile', 'notify', 'finalize']);
    expect(fn.steps('reconcile')).toHaveLength(6);
    expect(fn.steps('reconcile').map((p) => [p.unit, p.progress?.passes ?? 0]).sort()).toEqual([
      ['agg-a#0', 0], ['agg-a#0', 1], ['agg-a#1', 0], ['agg-a#1', 1], ['agg-b#0', 0], ['agg-b#0', 1],
    ]);
    expect(fn.peak.get('reconcile')).toBe(2);
    expect(fn.steps('finalize')[0]?.notified).toEqual([{ aggregator: 'agg-a', code: 'sent' }, { aggregator: 'agg-b', code: 'sent' }]);
    expect(JSON.parse(out.output ?? '{}')).toMatchObject({ final: { failed: [] }, notified: [{ aggregator: 'agg-a' }, { aggregator: 'agg-b' }] });
    expect(server.execution(executionArn).invocations).toHaveLength(1 + 2 + 6 + 2 + 1);

    const events = await history(executionArn);
    expect(events).toHaveLength(server.execution(executionArn).history.length);
    expect(events[0]).toMatchObject({ id: 1, type: 'ExecutionStarted', executionStartedEventDetails: { input: INPUT } });
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
    expect(events.filter((e) => e.type === 'LambdaFunctionScheduled')).toHaveLength(12);
    expect(events.filter((e) => e.type === 'MapIterationStarted')).toHaveLength(5);
    const begin = events.findIndex((e) => e.type === 'TaskStateEntered');
    expect(events.slice(begin, begin + 5).map((e) => e.type)).toEqual(['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited']);
    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1, includeExecutionData: false }));
    expect(reversed.events?.[0]).toMatchObject({ type: 'ExecutionSucceeded', executionSucceededEventDetails: {} });
    expect(reversed.events?.[0]?.executionSucceededEventDetails?.output).toBeUndefined();
  });

  it('retries a crashed Task per the definition (Lambda.Unknown) and fails the execution once the attempts are spent', async () => {
    // Arrange: the first read round's invocation (of 3: the script counts every call) and one unit's first pass
    // crash; Begin of a second run always does.
    const fn = new ToyFunction({ rounds: 3 })
      .on('read', (_p, nth) => (nth === 1 ? { crashed: true } : undefined))
      .on('reconcile', (p, nth) => (nth === 1 && p.unit === 'agg-a#0' ? { crashed: true, reason: 'SIGKILL' } : undefined));
    const arn = toyMachine(fn);

    // Act
    const out = await run(arn);

    // Assert
    expect(out.status).toBe('SUCCEEDED');
    const t = server.execution(out.executionArn ?? '').transitions;
    expect(t.filter((x) => x.state === 'ReadRound' && x.event !== 'entered' && x.event !== 'exited').map((x) => [x.event, x.error])).toEqual([
      ['failed', 'Lambda.Unknown'],
      ['retried', undefined],
    ]);
    expect(t.filter((x) => x.state === 'ReconcileUnit' && x.event === 'retried')).toHaveLength(1);
    expect(fn.steps('read')).toHaveLength(3);
    const failedEvents = (await history(out.executionArn ?? '')).filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failedEvents.map((e) => e.lambdaFunctionFailedEventDetails?.error)).toEqual(['Lambda.Unknown', 'Lambda.Unknown']);

    // Arrange
    const always = new ToyFunction().on('begin', () => ({ crashed: true }));
    const second = toyMachine(always, 'AlwaysCrashes');

    // Act
    const failed = await run(second);

    // Assert: 1 attempt + MaxAttempts 3 retries, then the error the service reports.
    expect(always.steps('begin')).toHaveLength(4);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Lambda.Unknown' });
  });

  it('names a function error by its errorType: Finalize caught into Unrecorded, cause States.JsonToString', async () => {
    // Arrange: not a Lambda.* error, so Finalize's Retry does not apply; its Catch does.
    const fn = new ToyFunction().on('finalize', () => ({ ok: false, errorType: 'StoreUnavailable', errorMessage: 'DynamoDB is down' }));
    const arn = toyMachine(fn);

    // Act
    const out = await run(arn);

    // Assert
    expect(fn.steps('finalize')).toHaveLength(1);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('UnrecordedNotices');
    expect(JSON.parse(out.cause ?? '')).toEqual([{ aggregator: 'agg-a', code: 'sent' }, { aggregator: 'agg-b', code: 'sent' }]);
    const events = await history(out.executionArn ?? '');
    const entered = events.find((e) => e.type === 'FailStateEntered');
    expect(entered?.stateEnteredEventDetails?.name).toBe('Unrecorded');
    const caught = JSON.parse(entered?.stateEnteredEventDetails?.input ?? '{}') as { finalizeError: { Error: string; Cause: string } };
    expect(caught.finalizeError.Error).toBe('StoreUnavailable');
    expect(JSON.parse(caught.finalizeError.Cause)).toEqual({ errorType: 'StoreUnavailable', errorMessage: 'DynamoDB is down', trace: [] });
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'UnrecordedNotices', cause: out.cause } });
  });

  it('maps a Lambda-like process\'s outcome to what a Task sees (invokeOutcomeOf)', () => {
    // Act / Assert
    expect(invokeOutcomeOf({ ok: true, result: { done: true } })).toEqual({ ok: true, result: { done: true } });
    expect(invokeOutcomeOf({ ok: false, error: { name: 'ConditionalCheckFailedException', message: 'no', stack: 'E: no\n    at x' } })).toEqual({
      ok: false,
      errorType: 'ConditionalCheckFailedException',
      errorMessage: 'no',
      trace: ['E: no', '    at x'],
    });
    expect(invokeOutcomeOf(undefined, 'SIGKILL')).toEqual({ crashed: true, reason: 'SIGKILL' });
  });

  it('ends in AggregatorsFailed with the failed aggregators as the cause when Finalize reports some', async () => {
    // Arrange
    const arn = toyMachine(new ToyFunction({ failed: ['agg-b'] } satisfies ToyScript));

    // Act
    const out = await run(arn);

    // Assert
    expect(out).toMatchObject({ status: 'FAILED', error: 'AggregatorsFailed', cause: '["agg-b"]' });
    expect(out.output).toBeUndefined();
  });
});

describe('local Step Functions: StartExecution, ListExecutions, StopExecution', () => {
  it('is idempotent for the same name and input while running; ExecutionAlreadyExists otherwise', async () => {
    // Arrange
    const held = gate();
    const fn = new ToyFunction().on('begin', () => held.wait);
    const stateMachineArn = toyMachine(fn);
    const name = 'run-20261124T120000Z';
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: INPUT }));

    // Act
    const again = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: INPUT }));
    const other = client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ at: 'other', carried: [] }) }));

    // Assert
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(other).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(server.executions()).toHaveLength(1);

    // Act: once closed, the same name and input no longer start anything.
    held.open();
    await server.execution(first.executionArn ?? '').done;
    const closed = client.send(new StartExecutionCommand({ stateMachineArn, name, input: INPUT }));

    // Assert
    await expect(closed).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(fn.steps('begin')).toHaveLength(1);
  });

  it('is reached by a client configured only by the environment (AWS_ENDPOINT_URL_SFN, as localAwsEnvironment sets it)', async () => {
    // Arrange
    const stateMachineArn = toyMachine(new ToyFunction());
    const env = localAwsEnvironment({ config: 'http://127.0.0.1:9', dynamodb: 'http://127.0.0.1:9', sns: 'http://127.0.0.1:9', stepFunctions: server.endpoint }, 'us-east-1');
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const fromEnv = new SFNClient({});
    try {
      // Act
      const out = await fromEnv.send(new ListExecutionsCommand({ stateMachineArn }));

      // Assert
      expect(out.executions).toEqual([]);
      expect(server.calls('ListExecutions')).toHaveLength(1);
    } finally {
      fromEnv.destroy();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('refuses invalid names, unknown state machines and input over 256 KiB', async () => {
    // Arrange
    const stateMachineArn = toyMachine(new ToyFunction());
    const start = (input: Partial<ConstructorParameters<typeof StartExecutionCommand>[0]>) =>
      client.send(new StartExecutionCommand({ stateMachineArn, input: INPUT, ...input }));

    // Act / Assert
    await expect(start({ name: 'run-2026-11-24T12:00:00Z' })).rejects.toBeInstanceOf(InvalidName);
    await expect(start({ name: 'has space' })).rejects.toBeInstanceOf(InvalidName);
    await expect(start({ name: 'x'.repeat(81) })).rejects.toBeInstanceOf(InvalidName);
    await expect(start({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Nope' })).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(start({ input: JSON.stringify({ big: 'x'.repeat(256 * 1024) }) })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(start({ input: '{not json' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    expect(server.executions()).toHaveLength(0);
  });

  it('lists RUNNING executions newest first, page by page', async () => {
    // Arrange: one closed execution, then five held in Begin.
    const held = gate();
    const fn = new ToyFunction().on('begin', (p) => (p.at === 'closed' ? undefined : held.wait));
    const stateMachineArn = toyMachine(fn);
    await run(stateMachineArn, 'closed', JSON.stringify({ at: 'closed', carried: [] }));
    const names = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const name of names) await client.send(new StartExecutionCommand({ stateMachineArn, name, input: INPUT }));

    // Act
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 2, nextToken }));
      pages.push((page.executions ?? []).map((e) => `${e.name}:${e.status}`));
      nextToken = page.nextToken;
    } while (nextToken);
    const first = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 2 }));
    const misused = client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 2, nextToken: first.nextToken }));
    await expect(misused).rejects.toBeInstanceOf(InvalidToken);
    const all = await client.send(new ListExecutionsCommand({ stateMachineArn }));

    // Assert
    expect(pages).toEqual([['r5:RUNNING', 'r4:RUNNING'], ['r3:RUNNING', 'r2:RUNNING'], ['r1:RUNNING']]);
    expect(all.executions?.map((e) => e.name)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'closed']);
    expect(all.executions?.at(-1)).toMatchObject({ status: 'SUCCEEDED', stopDate: expect.any(Date) });
    held.open();
    await server.settled();
  });

  it('stops a running execution: ABORTED with its error and cause, nothing invoked afterwards', async () => {
    // Arrange
    const held = gate();
    const fn = new ToyFunction().on('begin', () => held.wait);
    const stateMachineArn = toyMachine(fn);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'stopped', input: INPUT }));

    // Act
    const stopped = await client.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by hand' }));
    held.open();
    await server.execution(executionArn ?? '').done;

    // Assert
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const out = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(out).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by hand' });
    expect(fn.calls.map((c) => c.step)).toEqual(['begin']);
    expect((await history(executionArn ?? '')).at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Operator' } });
  });
});

describe('local Step Functions: the 256 KiB state payload quota', () => {
  const big = (kib: number) => 'x'.repeat(kib * 1024);

  it('fails the execution with States.DataLimitExceeded for a Task result over the quota, which Catch cannot catch', async () => {
    // Arrange: Finalize has Catch [States.ALL] -> Unrecorded; the service's DataLimitExceeded escapes it.
    const fn = new ToyFunction().on('finalize', () => ({ ok: true, result: { failed: [], blob: big(257) } }));
    const arn = toyMachine(fn);

    // Act
    const out = await run(arn);

    // Assert
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('States.DataLimitExceeded');
    expect(out.cause).toContain("'Finalize'");
    expect(topLevel(out.executionArn ?? '')).not.toContain('Unrecorded');
  });

  it('fails the execution when a state output grows over the quota (a Map collecting results), before the next Task runs', async () => {
    // Arrange: each notify result is 100 KiB, under the quota; the Notify Map's output holds three of them.
    const fn = new ToyFunction({ aggregators: ['a', 'b', 'c'] }).on('notify', (p) => ({ ok: true, result: { aggregator: p.aggregator, blob: big(100) } }));
    const arn = toyMachine(fn);

    // Act
    const out = await run(arn);

    // Assert
    expect(out).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(out.cause).toContain("'Notify'");
    expect(fn.steps('notify')).toHaveLength(3);
    expect(fn.steps('finalize')).toHaveLength(0);
  });
});
