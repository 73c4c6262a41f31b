/**
 * The dispatcher's entry point (lambda/dispatcher.ts) as Lambda runs it: its settings from the environment, Step
 * Functions answered by aws-sdk-client-mock, the skipped tick written to dynalite, the metric read from the embedded
 * metric format it prints.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  type ListExecutionsCommandOutput,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HistoryStore } from '../../adapters/store/history-store';
import type { DispatchResult } from '../../lambda/dispatch';
import { TELEMETRY } from '../../core/telemetry';
import { WORKFLOW, type NotifyResult } from '../../core/workflow';
import { lambdaContext, scheduledEvent } from '../../tools/local/invocation';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';

const ACCOUNT = '123456789012';
const STATE_MACHINE = `arn:aws:states:${LOCAL_REGION}:${ACCOUNT}:stateMachine:AggWatchRuns`;
const TABLE = 'dispatcher';
const TICK = '2026-11-24T06:45:00.000Z';
const NAME = 'run-20261124T064500Z';
const target = { accountId: ACCOUNT, region: LOCAL_REGION, functionName: 'aggwatch-dispatcher' };
const executionArn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${ACCOUNT}:execution:AggWatchRuns:${name}`;
const listed = (name: string, status: 'RUNNING' | 'SUCCEEDED' | 'FAILED', startDate: string) => ({
  name,
  status,
  startDate: new Date(startDate),
  executionArn: executionArn(name),
  stateMachineArn: STATE_MACHINE,
});

type Handler = (event: unknown, context: Context) => Promise<DispatchResult>;

const sfn = mockClient(SFNClient);
let local: LocalDynamoDB;
let store: HistoryStore;

/** The dispatcher module, loaded afresh with `env` as its environment (its settings are read at load). */
async function loadHandler(env: Record<string, string | undefined>): Promise<Handler> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return ((await import('../../lambda/dispatcher')) as { handler: Handler }).handler;
}

/** Invokes with the tick's scheduled event; returns the result (or error) and the lines printed (logs and metrics). */
async function invoke(handler: Handler, time = TICK): Promise<{ result: DispatchResult | Error; lines: Record<string, unknown>[] }> {
  const printed: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  };
  // Logger writes INFO to stdout and WARN/ERROR to stderr; Metrics its EMF lines to stdout.
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    const result = await handler(scheduledEvent(time, target), lambdaContext(target)).catch((e: unknown) => e as Error);
    return { result, lines: printed.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const skippedRuns = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => '_aws' in l && TELEMETRY.metrics.skippedRuns in l).map((l) => l[TELEMETRY.metrics.skippedRuns]);

const ENV = (table = TABLE) => ({
  STATE_MACHINE_ARN: STATE_MACHINE,
  TABLE_NAME: table,
  HISTORY_RETENTION_DAYS: '30',
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
  POWERTOOLS_LOG_LEVEL: 'INFO',
});

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await local.createTable(TABLE);
  store = new HistoryStore(local.documentClient, { tableName: TABLE, historyRetentionDays: 30 });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await local.close();
});
beforeEach(() => {
  sfn.reset();
});

/** ListExecutions answered as Step Functions would: RUNNING ones by the filter, every one newest first without. */
function executions(all: ReturnType<typeof listed>[], runningPages?: ReturnType<typeof listed>[][]): void {
  const newestFirst = [...all].sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  const pages = runningPages ?? [newestFirst.filter((e) => e.status === 'RUNNING')];
  sfn.on(ListExecutionsCommand).callsFake((input: { statusFilter?: string; nextToken?: string; maxResults?: number }) => {
    if (input.statusFilter === undefined) return { executions: newestFirst.slice(0, input.maxResults) } satisfies Partial<ListExecutionsCommandOutput>;
    const page = input.nextToken === undefined ? 0 : Number(input.nextToken);
    return { executions: pages[page], ...(page + 1 < pages.length ? { nextToken: String(page + 1) } : {}) };
  });
}

describe('the dispatcher', () => {
  it("starts the tick's execution, named by the scheduled time, when nothing runs and the previous one succeeded", async () => {
    // Prepare
    const handler = await loadHandler(ENV());
    executions([listed('run-20261124T063000Z', 'SUCCEEDED', '2026-11-24T06:30:01Z')]);
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn(NAME), startDate: new Date() });
    // Act
    const { result, lines } = await invoke(handler);
    // Assess
    expect(result).toEqual({ outcome: 'started', runAt: TICK, execution: NAME, executionArn: executionArn(NAME), carried: 0 });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE, name: NAME, input: `{"at":"${TICK}","carried":[]}` });
    expect(sfn).not.toHaveReceivedCommand(DescribeExecutionCommand);
    expect(skippedRuns(lines)).toEqual([0]);
  });

  it('starts nothing on a re-delivery while its own execution runs, found on a later page of the listing', async () => {
    // Prepare: the running executions over two pages, this tick's own on the second
    const handler = await loadHandler(ENV());
    const own = listed(NAME, 'RUNNING', '2026-11-24T06:45:01Z');
    executions([own], [[], [own]]);
    // Act
    const { result, lines } = await invoke(handler);
    // Assess
    expect(result).toEqual({ outcome: 'already-running', runAt: TICK, execution: NAME, executionArn: executionArn(NAME) });
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 2);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(skippedRuns(lines)).toEqual([0]);
  });

  it('skips the tick while an earlier run is running: recorded next to the run summaries, SkippedRuns 1', async () => {
    // Prepare
    const handler = await loadHandler(ENV());
    const since = '2026-11-24T06:30:01.000Z';
    executions([listed('run-20261124T063000Z', 'RUNNING', since)]);
    // Act
    const before = Date.now();
    const { result, lines } = await invoke(handler);
    const after = Date.now();
    // Assess
    expect(result).toEqual({ outcome: 'skipped', runAt: TICK, execution: NAME, running: 'run-20261124T063000Z' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(skippedRuns(lines)).toEqual([1]);
    const [skipped, ...others] = await store.runRecords({ from: '2026-11-24T06:00:00.000Z', to: '2026-11-24T07:00:00.000Z' });
    expect(others).toEqual([]);
    expect(skipped).toEqual({
      runAt: TICK,
      outcome: 'skipped',
      execution: NAME,
      runningExecution: 'run-20261124T063000Z',
      runningSince: since,
      runningForMs: expect.any(Number),
    });
    const age = (skipped as { runningForMs: number }).runningForMs;
    expect(age).toBeGreaterThanOrEqual(before - Date.parse(since));
    expect(age).toBeLessThanOrEqual(after - Date.parse(since));
    expect(await store.runs({ from: '2026-11-24T06:00:00.000Z', to: '2026-11-24T07:00:00.000Z' })).toEqual([]);
  });

  it('carries the obligations of a previous execution that failed with UnrecordedNotices into the input', async () => {
    // Prepare
    const handler = await loadHandler(ENV());
    const previous = listed('run-20261124T063000Z', 'FAILED', '2026-11-24T06:30:01Z');
    executions([listed('run-20261124T061500Z', 'SUCCEEDED', '2026-11-24T06:15:01Z'), previous]);
    const obligation = { aggregator: 'org', monitorError: { code: 'AccessDenied', message: 'no', since: '2026-11-24T06:30:00.000Z' }, monitorErrorNotifiedAt: '2026-11-24T06:31:00.000Z' };
    const notified: NotifyResult[] = [{ aggregator: 'org', published: 1, obligation }, { aggregator: 'lab', published: 0, obligation: null }];
    sfn.on(DescribeExecutionCommand, { executionArn: previous.executionArn }).resolves({
      ...previous,
      error: WORKFLOW.errors.unrecorded,
      cause: JSON.stringify(notified),
      input: '{"at":"2026-11-24T06:30:00.000Z","carried":[]}',
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn(NAME), startDate: new Date() });
    // Act
    const { result } = await invoke(handler);
    // Assess
    expect(result).toMatchObject({ outcome: 'started', carried: 1 });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!;
    expect(JSON.parse(input)).toEqual({ at: TICK, carried: [obligation] });
  });

  it('starts without obligations when the cause cannot be read, and logs why', async () => {
    // Prepare
    const handler = await loadHandler(ENV());
    const previous = listed('run-20261124T063000Z', 'FAILED', '2026-11-24T06:30:01Z');
    executions([previous]);
    sfn.on(DescribeExecutionCommand).resolves({ ...previous, error: WORKFLOW.errors.unrecorded, cause: 'States.JsonToString failed', input: '{"at":"2026-11-24T06:30:00.000Z","carried":[]}' });
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn(NAME), startDate: new Date() });
    // Act
    const { result, lines } = await invoke(handler);
    // Assess
    expect(result).toMatchObject({ outcome: 'started', carried: 0 });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { input: `{"at":"${TICK}","carried":[]}` });
    const warning = lines.find((l) => l.level === 'WARN');
    expect(warning).toMatchObject({ previous: 'run-20261124T063000Z', problems: [expect.stringContaining("the previous execution's cause is unreadable")] });
  });

  it('succeeds when the tick already ran (ExecutionAlreadyExists)', async () => {
    // Prepare: the tick's own execution closed, the listing not showing it yet (eventually consistent)
    const handler = await loadHandler(ENV());
    executions([listed('run-20261124T063000Z', 'SUCCEEDED', '2026-11-24T06:30:01Z')]);
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn(NAME)}'`, $metadata: {} }));
    // Act
    const { result, lines } = await invoke(handler);
    // Assess
    expect(result).toEqual({ outcome: 'already-exists', runAt: TICK, execution: NAME });
    expect(lines.some((l) => l.level === 'INFO' && String(l.message).includes('ExecutionAlreadyExists'))).toBe(true);
  });

  it('fails the invocation on any other error, so that Lambda retries the event', async () => {
    // Prepare
    const handler = await loadHandler(ENV());
    executions([]);
    sfn.on(StartExecutionCommand).rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    // Act
    const { result, lines } = await invoke(handler);
    // Assess
    expect(result).toBeInstanceOf(StateMachineDoesNotExist);
    expect(lines.some((l) => l.level === 'ERROR' && l.message === 'Dispatch failed')).toBe(true);
  });

  it('fails the invocation when the skipped tick cannot be recorded, the metric emitted all the same', async () => {
    // Prepare: a table that does not exist
    const handler = await loadHandler(ENV('no-such-table'));
    executions([listed('run-20261124T063000Z', 'RUNNING', '2026-11-24T06:30:01Z')]);
    // Act
    const { result, lines } = await invoke(handler);
    // Assess
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).name).toBe('ResourceNotFoundException');
    expect(skippedRuns(lines)).toEqual([1]);
  });

  it('refuses to start with a bad environment, naming each variable, its value and what is allowed', async () => {
    // Act
    const loading = loadHandler({ ...ENV(), STATE_MACHINE_ARN: 'AggWatchRuns', TABLE_NAME: undefined });
    // Assess
    await expect(loading).rejects.toThrow(
      'Invalid configuration:\n' +
        '- Invalid STATE_MACHINE_ARN: "AggWatchRuns". Allowed: a Step Functions state machine ARN such as arn:aws:states:us-east-1:123456789012:stateMachine:AggWatchRuns.\n' +
        '- Missing TABLE_NAME: the environment variable must be set (the stack sets it).',
    );
  });
});
