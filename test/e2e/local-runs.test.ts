/**
 * The local mode's engine (tools/local/local-runs.ts): a scheduled tick runs the dispatcher's handler, which starts
 * an execution of the state machine the CDK app synthesizes on the local Step Functions endpoint, whose every Task
 * invokes the worker's handler in process. One local mode for the file: the handlers read their environment once
 * per process, at import, as at a Lambda cold start.
 */
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARDS } from '../../adapters/store/table-schema';
import { isSkippedRun } from '../../core/model';
import { executionName, WORKFLOW } from '../../core/workflow';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { startLocalMode, type LocalMode } from '../../tools/local/local-mode';
import { taskCounts, taskSummary, type LocalRuns, type LocalTick, type TaskCall } from '../../tools/local/local-runs';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';
import type { InvokeOutcome } from '../../tools/local/sfn-execution';

const AGGREGATOR = 'org-aggregator';
const T0 = '2026-11-24T12:00:00.000Z';
const T1 = '2026-11-24T12:15:00.000Z';
const T2 = '2026-11-24T13:00:00.000Z';
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
const S = WORKFLOW.states;

let local: LocalMode;
let runs: LocalRuns;
let restore: () => void;
/** What beforeTask does next (per test); undefined invokes the worker. */
let hook: (task: TaskCall) => Promise<InvokeOutcome | undefined> | InvokeOutcome | undefined = () => undefined;
const tasks: TaskCall[] = [];

beforeAll(async () => {
  const org = new SimulatedOrganization({ now: T0, seed: 5 });
  org.populate(AGGREGATOR, { accounts: 80, regions: REGIONS, seed: 5 });
  local = await startLocalMode({ org, settings: { aggregators: [AGGREGATOR] }, throttleAbovePerSecond: 200, tokenTtlMs: 600_000 });
  restore = local.applyEnv();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  runs = await local.startRuns({
    readRoundBudgetMs: 0,
    beforeTask: (task) => {
      tasks.push(task);
      return hook(task);
    },
  });
});

afterAll(async () => {
  await local?.close();
  restore?.();
});

const topLevel = (tick: LocalTick) => tick.execution?.transitions.filter((t) => t.event === 'entered' && t.mapIndex === undefined).map((t) => t.state) ?? [];

describe('local mode: a tick is an execution of the app state machine', () => {
  let first: LocalTick;
  let skipped: LocalTick | undefined;

  it('runs the first tick: dispatcher, then Begin, several read rounds, a unit per shard, Notify, Finalize', async () => {
    // Arrange: the schedule fires again while the first run reads (its second read round).
    hook = async (task) => {
      const rounds = tasks.filter((t) => t.executionArn === task.executionArn && t.stateName === S.read).length;
      if (task.stateName === S.read && rounds === 2 && !skipped) skipped = await runs.tick(T1);
      return undefined;
    };
    const sources = local.org.sources(AGGREGATOR).length;

    // Act
    first = await runs.run(T0);

    // Assert: the dispatcher started the tick's execution, which succeeded through every state in order.
    expect(first.dispatch).toMatchObject({ outcome: 'started', runAt: T0, execution: executionName(T0), carried: 0 });
    const execution = first.execution;
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.options.stateMachineArn).toBe(local.stateMachineArn);
    const states = topLevel(first);
    expect(states.slice(0, 3)).toEqual([S.begin, S.readMore, S.read]);
    expect(states.slice(-5)).toEqual([S.reconcile, S.notify, S.finalize, S.anyFailed, S.succeeded]);
    // Read rounds of no time: each reads what a round always reads, and the next continues from the cursor.
    const counts = execution ? taskCounts(execution) : {};
    const pages = Math.ceil(sources / 100);
    expect(counts[S.read]).toBeGreaterThan(1);
    expect(counts[S.read]).toBeLessThanOrEqual(pages);
    expect(counts).toEqual({ [S.begin]: 1, [S.read]: counts[S.read], [S.reconcileUnit]: SHARDS, [S.notifyAggregator]: 1, [S.finalize]: 1 });
    expect(execution ? taskSummary(execution) : '').toBe(`Begin, ReadRound x${counts[S.read]}, ReconcileUnit x${SHARDS}, NotifyAggregator, Finalize`);
    // Each Task invoked the worker's function with its step.
    const step: Record<string, string> = { [S.begin]: 'begin', [S.read]: 'read', [S.reconcileUnit]: 'reconcile', [S.notifyAggregator]: 'notify', [S.finalize]: 'finalize' };
    for (const call of execution?.invocations ?? []) {
      expect(call.functionArn).toBe(runs.worker.arn);
      expect((call.payload as { step: string }).step).toBe(step[call.state]);
    }
    // The run's outcome, as the worker recorded it.
    const [summary] = await local.store.runs({ from: T0, to: T0 });
    expect(summary).toMatchObject({ aggregator: AGGREGATOR, mode: 'full', sweepReason: 'first-run', outcome: 'ok', sourcesRead: sources, pagesRead: pages });
    expect((await local.store.loadAll(AGGREGATOR)).size).toBe(sources);
    expect(local.sns.published.some((m) => m.subject?.includes(AGGREGATOR))).toBe(true);
    // Concurrent reconcile units ran in execution environments of their own.
    expect(runs.workerEnvironments).toBeGreaterThan(1);
  });

  it('skips a tick fired while the previous execution runs, and records it', async () => {
    // Arrange: fired during the first test's run.

    // Act
    const records = await local.store.runRecords({ from: T1, to: T1 });

    // Assert
    expect(skipped?.dispatch).toEqual({ outcome: 'skipped', runAt: T1, execution: executionName(T1), running: executionName(T0) });
    expect(skipped?.execution).toBeUndefined();
    expect(runs.executions()).toHaveLength(1);
    expect(records.filter(isSkippedRun)).toEqual([expect.objectContaining({ runAt: T1, outcome: 'skipped', execution: executionName(T1) })]);
  });

  it('retries a crashed Task as the synthesized definition says, and the run still completes', async () => {
    // Arrange: the first ReconcileUnit invocation of the next tick crashes (Lambda.Unknown).
    let crashed = 0;
    hook = (task) => (task.stateName === S.reconcileUnit && crashed++ === 0 ? { crashed: true, reason: 'killed by the test' } : undefined);
    local.org.advanceTo(T2);
    const [failing] = local.org.inStatus(AGGREGATOR, 'SUCCEEDED');
    if (!failing) throw new Error('the organization has no SUCCEEDED source');
    local.org.fail(AGGREGATOR, failing, 'unauthorized');

    // Act
    const tick = await runs.run(T2);

    // Assert
    const execution = tick.execution;
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.transitions.filter((t) => t.event === 'retried').map((t) => t.state)).toEqual([S.reconcileUnit]);
    expect(execution?.history.filter((e) => e.type === 'LambdaFunctionFailed')).toEqual([
      expect.objectContaining({ lambdaFunctionFailedEventDetails: expect.objectContaining({ error: 'Lambda.Unknown' }) }),
    ]);
    expect(execution ? taskCounts(execution)[S.reconcileUnit] : 0).toBe(2);
    const [summary] = await local.store.runs({ from: T2, to: T2 });
    expect(summary).toMatchObject({ mode: 'fast', outcome: 'ok', historyWritten: 1 });
    const state = (await local.store.getStates(AGGREGATOR, [failing])).values().next().value;
    expect(state?.status).toBe('FAILED');
  });

  it('answers the SDK for the executions it ran (the dispatcher carried nothing from a succeeded one)', async () => {
    // Arrange
    const client = new SFNClient({ region: local.org.region, credentials: LOCAL_CREDENTIALS, endpoint: local.stepFunctions.endpoint });

    // Act
    const described = await client.send(new DescribeExecutionCommand({ executionArn: first.execution?.options.executionArn }));
    client.destroy();

    // Assert
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.input ?? '{}')).toEqual({ at: T0, carried: [] });
  });
});

describe('local mode options', () => {
  it("gives Config's throttling and NextToken lifetime to the fake Config", () => {
    // Arrange, Act: beforeAll started the local mode with both.

    // Assert
    expect(local.config.throttleAbovePerSecond).toBe(200);
    expect(local.config.tokenTtlMs).toBe(600_000);
  });

  it('refuses a bad limit, naming it', async () => {
    // Arrange, Act
    const started = startLocalMode({ throttleAbovePerSecond: 0 });

    // Assert
    await expect(started).rejects.toThrow('throttleAbovePerSecond 0 must be a positive number');
  });

  it('refuses a bad read round budget, naming it, and an environment not applied', async () => {
    // Arrange: a second local mode, whose environment is not this process's.
    const other = await startLocalMode();

    // Act
    const negative = other.startRuns({ readRoundBudgetMs: -1 });
    const unapplied = startLocalMode().then(async (third) => {
      try {
        return await third.startRuns();
      } finally {
        await third.close();
      }
    });

    // Assert
    await expect(negative).rejects.toThrow('readRoundBudgetMs -1 must be a number of ms >= 0');
    await expect(unapplied).rejects.toThrow("The local mode's environment is not applied");
    await other.close();
  });

  it('refuses a second engine on the same local mode', async () => {
    // Arrange, Act
    const again = () => local.startRuns();

    // Assert
    expect(again).toThrow('startRuns() was called already');
  });
});
