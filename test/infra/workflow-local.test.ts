/**
 * The stack's own state machine definition, taken from the synthesized template by the local tooling
 * (tools/local/state-machine-definition.ts) and run on the local Step Functions endpoint against the scripted
 * function of test/e2e/toy-workflow.ts: the paths and the Retry/Catch written in lib/monitor/workflow.ts behave as
 * the design says (retry intervals shortened locally; the attempt counts are the definition's).
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW } from '../../core/workflow';
import { TASK_RETRY } from '../../lib/monitor/workflow';
import { FakeStepFunctions } from '../../tools/local/fake-stepfunctions';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { stateMachineDefinition } from '../../tools/local/state-machine-definition';
import { ToyFunction } from '../e2e/toy-workflow';
import { logicalId, synthStack } from './support';

const s = synthStack({ aggregators: 'org-aggregator' });
const machine = stateMachineDefinition(s.template.toJSON());
const functionArn = machine.functions[logicalId(s.subject.monitor.function)] ?? '';

let server: FakeStepFunctions;
let client: SFNClient;
let registered = 0;

beforeAll(async () => {
  server = await new FakeStepFunctions().start();
  client = new SFNClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: server.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

async function run(fn: ToyFunction) {
  server.invoke = fn.invoke;
  const stateMachineArn = server.registerStateMachine({ name: `Run${(registered += 1)}`, definition: machine.definition, retryIntervalMs: 0 });
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ at: '2026-12-01T12:00:00Z', carried: [] }) }));
  await server.execution(executionArn ?? '').done;
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

describe("the stack's state machine, run locally", () => {
  it('names only the function, and succeeds through every step: read rounds, each unit until done, notify, finalize', async () => {
    // Arrange
    const fn = new ToyFunction({ functionArn, rounds: 2, passes: 2 });
    // Act
    const out = await run(fn);
    // Assert
    expect(Object.keys(machine.functions)).toEqual([logicalId(s.subject.monitor.function)]);
    expect(out.status).toBe('SUCCEEDED');
    expect(fn.steps('read')).toHaveLength(2);
    expect(fn.steps('reconcile')).toHaveLength(6);
    expect(fn.steps('reconcile').filter((p) => p.progress === null)).toHaveLength(3);
    expect(fn.steps('notify').map((p) => p.aggregator).sort()).toEqual(['agg-a', 'agg-b']);
    expect(fn.steps('finalize')).toHaveLength(1);
  });

  it('retries an error the function throws (States.TaskFailed) and a killed invocation (Lambda.Unknown)', async () => {
    // Arrange
    const fn = new ToyFunction({ functionArn })
      .on('read', (_p, nth) => (nth === 1 ? { ok: false, errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' } : undefined))
      .on('notify', (_p, nth) => (nth === 1 ? { crashed: true, reason: 'SIGKILL' } : undefined));
    // Act
    const out = await run(fn);
    // Assert
    // (the script counts every call: the retried round is the second, and the last)
    expect(out.status).toBe('SUCCEEDED');
    expect(fn.steps('read')).toHaveLength(2);
    expect(fn.steps('notify')).toHaveLength(3);
    const retried = server.execution(out.executionArn ?? '').transitions.filter((t) => t.event === 'retried').map((t) => t.state);
    expect(retried.sort()).toEqual([WORKFLOW.states.notifyAggregator, WORKFLOW.states.read]);
  });

  it('ends in UnrecordedNotices, carrying what was notified, once Finalize spent its attempts', async () => {
    // Arrange
    const fn = new ToyFunction({ functionArn }).on('finalize', () => ({ ok: false, errorType: 'ProvisionedThroughputExceededException', errorMessage: 'DynamoDB refused' }));
    // Act
    const out = await run(fn);
    // Assert
    expect(fn.steps('finalize')).toHaveLength(1 + TASK_RETRY.finalize.maxAttempts);
    expect(out).toMatchObject({ status: 'FAILED', error: WORKFLOW.errors.unrecorded });
    expect((JSON.parse(out.cause ?? '[]') as unknown[]).length).toBe(2);
  });

  it('ends in AggregatorsFailed naming them when Finalize reports some', async () => {
    // Arrange
    const fn = new ToyFunction({ functionArn, failed: ['agg-b'] });
    // Act
    const out = await run(fn);
    // Assert
    expect(out).toMatchObject({ status: 'FAILED', error: WORKFLOW.errors.aggregatorsFailed, cause: JSON.stringify(['agg-b']) });
  });
});
