/**
 * The lab itself (support/lab.ts, support/workflow.ts), on a toy deployable (support/toy/): a tick is the
 * dispatcher's invocation, the execution it starts and every Task's invocation of the worker, each in a process;
 * requests are attributed to the process that sent them; kill points fire in their scope; a killed Task is
 * Lambda.Unknown to Step Functions, whose Retry invokes the worker again in a new process.
 */
import { describe, expect, it } from 'vitest';
import { WORKFLOW } from '../../core/workflow';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';
import { Lab, T0, type Execution } from './support/lab';
import { toyArtifact } from './support/toy/toy-artifact';

const S = WORKFLOW.states;

async function withToyLab<T>(scenario: (lab: Lab) => Promise<T>): Promise<T> {
  const org = new SimulatedOrganization({ now: T0, seed: 1 });
  const lab = await Lab.start({ org, aggregators: [], artifact: toyArtifact({ region: org.region, accountId: org.accountId }) });
  try {
    return await scenario(lab);
  } finally {
    await lab.close();
  }
}

const states = (run: Execution) => run.invocations.map((i) => i.state);
const puts = (run: Execution, state: string) =>
  run.invocations.filter((i) => i.state === state).map((i) => i.dynamodb.map((r) => (r.input as { Item?: { sk: { S: string } } }).Item?.sk.S ?? r.operation));

describe.concurrent('a tick in the lab', () => {
  it('runs the dispatcher, then every Task in its own process, each request attributed to the invocation that made it', async () => {
    await withToyLab(async (lab) => {
      // Act
      const run = await lab.tick(T0);
      // Assert: the dispatcher started the execution named after the tick; the Tasks ran in the definition's order.
      expect([run.status, run.name, run.dispatches.map((d) => d.states.map((r) => r.operation))]).toEqual(['SUCCEEDED', 'run-20261124T120000Z', [['StartExecution']]]);
      expect(states(run)).toEqual([S.begin, S.read, S.read, S.reconcileUnit, S.reconcileUnit, S.notifyAggregator, S.notifyAggregator, S.finalize]);
      expect(run.invocations.map((i) => i.step)).toEqual(['begin', 'read', 'read', 'reconcile', 'reconcile', 'notify', 'notify', 'finalize']);
      // The two units ran at once, in two processes, and each saw exactly its own writes.
      const units = run.invocations.filter((i) => i.step === 'reconcile');
      expect(new Set(units.map((u) => u.environment)).size).toBe(2);
      expect((units[1]?.from ?? 0) < (units[0]?.to ?? 0)).toBe(true);
      expect(puts(run, S.reconcileUnit).map((p) => [...p].sort())).toEqual(
        expect.arrayContaining([
          ['unit#a#1', 'unit#a#2'],
          ['unit#b#1', 'unit#b#2'],
        ]),
      );
      // One cold start per process; the first process stayed warm for the next Task.
      expect(run.invocations[0]?.cold).toBe(true);
      expect(run.invocations[1]).toMatchObject({ cold: false, environment: run.invocations[0]?.environment });
      // Every request of the tick belongs to exactly one process's invocation.
      const attributed = [...run.dispatches, ...run.invocations].reduce((n, i) => n + i.dynamodb.length + i.sns.length + i.states.length, 0);
      expect(attributed).toBe(run.dynamodb.length + run.sns.length + run.states.length);
      expect(run.invocations.flatMap((i) => i.published.map((m) => [i.step, m.subject]))).toEqual(
        expect.arrayContaining([
          ['notify', 'toy a'],
          ['notify', 'toy b'],
        ]),
      );
      expect(run.recorded).toEqual(['a', 'b']);
    });
  });

  it('kills the invocation of a step at its nth request: Lambda.Unknown, retried by the definition in a new process', async () => {
    await withToyLab(async (lab) => {
      // Act: the second ReadRound's UpdateItem is served, and the process dies before it reads the answer.
      const run = await lab.tick(T0, { kill: { step: 'read', occurrence: 2, server: 'dynamodb', operation: 'UpdateItem', nth: 1, when: 'after' } });
      // Assert
      expect(run.status).toBe('SUCCEEDED');
      const reads = run.invocations.filter((i) => i.step === 'read');
      expect(reads.map((r) => [r.killed, r.cold, r.code])).toEqual([
        [false, false, 0],
        [true, false, null],
        [false, true, 0],
      ]);
      expect(run.transitions.filter((t) => t.event === 'retried').map((t) => t.state)).toEqual([S.read]);
      // The killed round's write landed: the retried round counted it (rounds 3), and the read ended.
      expect(reads[2]?.outcome.result).toMatchObject({ done: true, rounds: 3 });
      const failed = lab.stepFunctions.executions()[0]?.history.filter((e) => e.type === 'LambdaFunctionFailed');
      expect(failed?.map((e) => (e.lambdaFunctionFailedEventDetails as { error: string }).error)).toEqual(['Lambda.Unknown']);
    });
  });

  it('kills, across the execution, the process that sent the nth request, before it is served', async () => {
    await withToyLab(async (lab) => {
      // Act: the worker's 3rd DynamoDB request of the execution is the second ReadRound's UpdateItem.
      const run = await lab.tick(T0, { kill: { server: 'dynamodb', nth: 3, when: 'before' } });
      // Assert: that request never landed, so the retried round is the second, not the third.
      expect(run.status).toBe('SUCCEEDED');
      const killed = run.invocations.filter((i) => i.killed);
      expect(killed.map((k) => [k.step, k.dynamodb.map((r) => [r.operation, r.status])])).toEqual([['read', [['UpdateItem', 0]]]]);
      expect(run.invocations.filter((i) => i.step === 'read').map((r) => (r.outcome.result as { rounds?: number } | undefined)?.rounds)).toEqual([1, undefined, 2]);
      const retried = run.invocations[run.invocations.indexOf(killed[0] as never) + 1];
      expect([retried?.step, retried?.cold]).toEqual(['read', true]);
    });
  });

  it('fails the execution when every attempt of a Task dies, and runs a worker alone outside any tick', async () => {
    await withToyLab(async (lab) => {
      // Act: Finalize's process dies at its write in all three attempts the toy's Retry allows.
      let kills = 0;
      const remove = lab.local.dynamodbProxy.inject((r) => {
        const sk = (r.input as { Item?: { sk?: { S?: string } } }).Item?.sk?.S ?? '';
        if (!sk.startsWith('final#')) return undefined;
        kills++;
        return { destroy: true };
      });
      const run = await lab.tick(T0, { env: { AWS_MAX_ATTEMPTS: '1' } });
      remove();
      const alone = await lab.invokeWorker({ step: 'nonsense' });
      // Assert
      const finalize = run.invocations.filter((i) => i.step === 'finalize');
      // MaxAttempts 3: the first attempt and three retries.
      expect([run.status, kills, finalize.map((i) => i.outcome.ok)]).toEqual(['FAILED', 4, [false, false, false, false]]);
      expect(run.error).toBe(finalize[3]?.outcome.error?.name);
      expect([alone.code, alone.cold, alone.outcome.error?.name]).toEqual([1, true, 'UnknownStep']);
    });
  });
});
