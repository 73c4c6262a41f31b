/** The Step Functions adapter against the SDK client, its commands answered by aws-sdk-client-mock. */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Executions, RECENT_PAGE } from '../../adapters/executions';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:AggWatchRuns';
const executionArn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:AggWatchRuns:${name}`;
const item = (name: string, status: 'RUNNING' | 'SUCCEEDED' | 'FAILED', startDate: string) => ({
  name,
  status,
  startDate: new Date(startDate),
  executionArn: executionArn(name),
  stateMachineArn: STATE_MACHINE,
});

const sfn = mockClient(SFNClient);
const executions = new Executions(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE);

describe('Executions', () => {
  beforeEach(() => {
    sfn.reset();
  });

  it('lists every running execution, following nextToken over every page', async () => {
    // Prepare: three pages, the last without a token (the paginator reuses its input object: tokens copied as sent)
    const pages = [
      { executions: [item('a', 'RUNNING', '2026-11-24T06:30:00Z')], nextToken: 'page-2' },
      { executions: [], nextToken: 'page-3' },
      { executions: [item('b', 'RUNNING', '2026-11-24T06:15:00Z')] },
    ];
    const sent: unknown[] = [];
    sfn.on(ListExecutionsCommand, { stateMachineArn: STATE_MACHINE, statusFilter: 'RUNNING', maxResults: 1000 }).callsFake((input: { nextToken?: string }) => {
      sent.push(input.nextToken);
      return pages[sent.length - 1];
    });
    // Act
    const running = await executions.running();
    // Assess
    expect(running).toEqual([
      { name: 'a', status: 'RUNNING', startDate: '2026-11-24T06:30:00.000Z', executionArn: executionArn('a') },
      { name: 'b', status: 'RUNNING', startDate: '2026-11-24T06:15:00.000Z', executionArn: executionArn('b') },
    ]);
    expect(sent).toEqual([undefined, 'page-2', 'page-3']);
  });

  it('reads only the first page of the newest executions, without a status filter', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({ executions: [item('new', 'SUCCEEDED', '2026-11-24T06:30:00Z')], nextToken: 'more' });
    // Act
    const recent = await executions.recent();
    // Assess
    expect(recent.map((e) => e.name)).toEqual(['new']);
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: STATE_MACHINE, maxResults: RECENT_PAGE });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input.statusFilter).toBeUndefined();
  });

  it('fails clearly on a listed execution without a field the API reference requires', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: 'a', status: 'RUNNING', executionArn: executionArn('a'), stateMachineArn: STATE_MACHINE, startDate: undefined as unknown as Date }] });
    // Act
    const listing = executions.running();
    // Assess
    await expect(listing).rejects.toThrow('Step Functions answered without the required field startDate');
  });

  it("describes an execution: its status, error, cause and input", async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('a') }).resolves({
      executionArn: executionArn('a'),
      stateMachineArn: STATE_MACHINE,
      status: 'FAILED',
      startDate: new Date('2026-11-24T06:30:00Z'),
      error: 'UnrecordedNotices',
      cause: '[]',
      input: '{"at":"2026-11-24T06:30:00.000Z","carried":[]}',
    });
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('b') }).resolves({
      executionArn: executionArn('b'),
      stateMachineArn: STATE_MACHINE,
      status: 'ABORTED',
      startDate: new Date('2026-11-24T06:15:00Z'),
    });
    // Act
    const [a, b] = await Promise.all([executions.describe(executionArn('a')), executions.describe(executionArn('b'))]);
    // Assess
    expect(a).toEqual({ status: 'FAILED', error: 'UnrecordedNotices', cause: '[]', input: '{"at":"2026-11-24T06:30:00.000Z","carried":[]}' });
    expect(b).toEqual({ status: 'ABORTED' });
  });

  it('starts an execution with its name and input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('run-1'), startDate: new Date('2026-11-24T06:45:01Z') });
    // Act
    const outcome = await executions.start('run-1', '{"at":"x","carried":[]}');
    // Assess
    expect(outcome).toEqual({ started: true, executionArn: executionArn('run-1'), startDate: '2026-11-24T06:45:01.000Z' });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE, name: 'run-1', input: '{"at":"x","carried":[]}' });
  });

  it('answers ExecutionAlreadyExists as not started, and throws every other error', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists: run-1', $metadata: {} }))
      .rejectsOnce(new ExecutionLimitExceeded({ message: 'too many', $metadata: {} }));
    // Act
    const first = await executions.start('run-1', '{}');
    const second = executions.start('run-1', '{}');
    // Assess
    expect(first).toEqual({ started: false, message: 'Execution Already Exists: run-1' });
    await expect(second).rejects.toThrow(ExecutionLimitExceeded);
  });
});
