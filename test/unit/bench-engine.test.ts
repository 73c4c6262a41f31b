/**
 * The benchmark's arithmetic on an engine run (tools/bench/engine.ts, report/verdicts.ts): Tasks grouped by step
 * kind, the run's phases, the read phase, the engine's steady-state bound, and the verdicts that use them.
 */
import { describe, expect, it } from 'vitest';
import { byStep, phases, readPhaseMs, type TaskMeasure } from '../../tools/bench/engine';
import type { BenchResults, RunMeasure, ScenarioResult } from '../../tools/bench/report/results';
import { evaluateTargets, steadyEngineBound } from '../../tools/bench/report/verdicts';

const task = (step: TaskMeasure['step'], spawnedAt: number, startedAt: number, endedAt: number, rssMb: number, outcome: TaskMeasure['outcome'] = 'ok'): TaskMeasure => ({
  step,
  state: step,
  spawnedAt,
  startedAt,
  endedAt,
  runMs: endedAt - startedAt,
  initMs: startedAt - spawnedAt,
  rssMb,
  liveHeapMb: rssMb / 4,
  outcome,
});

const TASKS: TaskMeasure[] = [
  task('begin', 0, 300, 400, 90),
  task('read', 400, 700, 5_700, 110),
  task('read', 5_800, 6_100, 9_100, 120),
  task('reconcile', 9_200, 9_500, 12_500, 150),
  task('reconcile', 9_200, 9_600, 14_600, 140, 'crashed'),
  task('notify', 14_700, 15_000, 15_200, 100),
  task('finalize', 15_300, 15_600, 15_700, 95),
];

describe('engine runs, by kind of Task', () => {
  it('groups the Tasks by step: count, largest peak RSS and live heap, total and longest time, slowest start, failures', () => {
    // Act
    const steps = byStep(TASKS);

    // Assert
    expect(Object.keys(steps)).toEqual(['begin', 'read', 'reconcile', 'notify', 'finalize']);
    expect(steps.read).toEqual({ count: 2, maxRssMb: 120, maxLiveHeapMb: 30, totalMs: 8_000, maxMs: 5_000, maxStartupMs: 300, failed: 0 });
    expect(steps.reconcile).toMatchObject({ count: 2, maxRssMb: 150, totalMs: 8_000, maxMs: 5_000, maxStartupMs: 400, failed: 1 });
  });

  it("spans each phase from its first process's spawn to its last invocation's end, and the read from the first round's start", () => {
    // Act
    const p = phases(TASKS);
    const read = readPhaseMs(TASKS);

    // Assert
    expect(p).toEqual({ begin: 400, read: 8_700, reconcile: 5_400, notify: 500, finalize: 400 });
    expect(read).toBe(9_100 - 700);
    expect(readPhaseMs([])).toBe(0);
  });
});

const writes = (byKind: Record<string, number>) => ({ requests: 1, items: Object.values(byKind).reduce((a, b) => a + b, 0), byOperation: {}, byKind });

function measure(kind: RunMeasure['kind'], over: Partial<RunMeasure> = {}): RunMeasure {
  return {
    kind,
    at: '2026-03-02T00:00:00.000Z',
    outcome: 'ok',
    status: 'SUCCEEDED',
    modes: [kind === 'steady' ? 'fast' : 'full (schedule)'],
    sourcesRead: 10_000,
    historyWritten: 0,
    stateWritten: 0,
    wallMs: 20_000,
    readMs: 6_000,
    phases: {},
    readRounds: 1,
    tasks: 20,
    transitions: 60,
    historyEvents: 200,
    steps: byStep(TASKS),
    configCalls: kind === 'steady' ? 2 : 100,
    maxCallsPerAggregator: kind === 'steady' ? 2 : 100,
    minCalls: kind === 'steady' ? 2 : 100,
    dynamodbRequests: 10,
    writes: writes({ RUNS: 1, MARK: 3, RUN: 18, STG: 16, JNL: 16, JNLH: 32, VIEW: 76 }),
    snsPublishes: 0,
    maxRssMb: 150,
    liveHeapMb: 40,
    ...over,
  };
}

function scenario(name: ScenarioResult['name'], runs: RunMeasure[], over: Partial<ScenarioResult> = {}): ScenarioResult {
  const bare = { samplesMs: [5_000], medianMs: 5_000, calls: 100, sources: 10_000, rssMb: 80, serverMsPerCall: 2 };
  return { name, aggregators: 1, size: 10_000, latencyMs: 50, aggregatorConcurrency: 5, reconcileConcurrency: 10, counts: {}, nonSucceeded: 126, populateMs: 1, bareFull: bare, bareFast: { ...bare, medianMs: 200 }, runs, durationMs: 1, ...over };
}

function results(scenarios: ScenarioResult[]): BenchResults {
  const bundle = { bytes: 900_000, files: [], runtime: 'nodejs24.x', memoryMb: 512, heapFlags: [], timeoutSeconds: 900, init: { samplesMs: [100], medianMs: 100, rssMb: 50, heapMb: 8 } };
  return {
    machine: { cpu: 'x', cores: 2, memoryGiB: 1, node: 'v24', os: 'linux', date: '', commit: 'abc', load: { start: 0 } },
    command: 'npm run bench',
    durationMs: 1,
    nodeArgs: [],
    definition: 'template',
    worker: bundle,
    dispatcher: bundle,
    scenarios,
  };
}

const verdictOf = (r: BenchResults, starts: string) => evaluateTargets(r).find((t) => t.target.startsWith(starts))?.verdict;

describe('engine verdicts', () => {
  it("bounds a steady-state run's engine items by the design: marker, cursor and chunks, per-shard items, the sources not SUCCEEDED", () => {
    // Arrange
    const s = scenario('one', []);

    // Act
    const bound = steadyEngineBound(s, measure('steady'));

    // Assert: 3 + (1 + 64 + 1 x 17) + 126
    expect(bound).toBe(211);
  });

  it('meets the steady-state writes target with the run summary only, and misses it when the monitor writes state', () => {
    // Arrange
    const quiet = results([scenario('one', [measure('steady')])]);
    const noisy = results([scenario('one', [measure('steady', { writes: writes({ RUNS: 1, CUR: 3, MARK: 3 }) })])]);

    // Act / Assert
    expect(verdictOf(quiet, 'Steady state, nothing changed: the monitor')).toBe('met');
    expect(verdictOf(noisy, 'Steady state, nothing changed: the monitor')).toBe('missed');
  });

  it("judges parallel aggregators by the later sweep's read against one aggregator's bare read", () => {
    // Arrange: bare 5 s; the sweep read 5.5 s (1.1x) met, 7 s (1.4x) missed
    const many = (readMs: number) => results([scenario('many', [measure('first', { readMs: 20_000 }), measure('sweep', { readMs })], { aggregators: 10 })]);

    // Act / Assert
    expect(verdictOf(many(5_500), '10 aggregators')).toBe('met');
    expect(verdictOf(many(7_000), '10 aggregators')).toBe('missed');
  });

  it('judges peak RSS over every kind of Task and every run', () => {
    // Arrange
    const over = results([scenario('one', [measure('sweep', { steps: byStep([task('reconcile', 0, 1, 2, 300)]) })])]);

    // Act / Assert
    expect(verdictOf(results([scenario('one', [measure('sweep')])]), 'Peak RSS')).toBe('met');
    expect(verdictOf(over, 'Peak RSS')).toBe('missed');
  });
});
