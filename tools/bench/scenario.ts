/**
 * One scenario of the benchmark (run.ts): an organization of `aggregators` x `size` sources in a fresh local mode,
 * the bare paging loop over one aggregator, then the first run, steady state and a later full sweep, each an
 * execution on the local Step Functions endpoint (engine.ts), measured at the endpoints: Config calls per
 * aggregator at the fake Config, DynamoDB writes by kind of item at the proxy (measure.ts), publishes at the fake SNS.
 */
import { ATTENTION_FILTER } from '../../core/model';
import type { LocalMode } from '../local/local-mode';
import { startLocalMode } from '../local/local-mode';
import { DEMO_REGIONS, SimulatedOrganization } from '../local/simulated-organization';
import type { FunctionArtifact, HelperBundles } from './artifacts';
import type { BenchDefinition } from './definition';
import { byStep, EngineBench, phases, readPhaseMs } from './engine';
import { median, WriteTap } from './measure';
import type { BareMeasure, RunKind, RunMeasure, ScenarioName, ScenarioResult } from './report/results';
import { peakRssKiB, type ChildRunner } from './spawn';

const T0 = '2026-03-02T00:00:00.000Z';
const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
export const RUNS: readonly { kind: RunKind; at: string }[] = [
  { kind: 'first', at: at(0) },
  { kind: 'steady', at: at(15 * 60_000) },
  { kind: 'sweep', at: at(6 * HOUR) },
];
/** Ten regions, the opt-in one among them; for 37, every Region an aggregator can collect (synthetic names past the list). */
function regionList(count: number): string[] {
  if (count === 10) return [...DEMO_REGIONS.slice(0, 9), 'ap-east-1'];
  return Array.from({ length: count }, (_, i) => DEMO_REGIONS[i] ?? `synthetic-${i + 1}`);
}

export interface ScenarioContext {
  readonly worker: FunctionArtifact;
  readonly helpers: HelperBundles;
  readonly runner: ChildRunner;
  readonly definition: BenchDefinition;
  readonly nodeArgs: readonly string[];
  readonly seed: number;
  readonly bareRepeats?: number;
  readonly log: (line: string) => void;
}

export interface ScenarioPlan {
  readonly name: ScenarioName;
  readonly aggregators: number;
  readonly size: number;
  readonly regions: number;
  readonly latencyMs: number;
  readonly aggregatorConcurrency: number;
  readonly reconcileConcurrency: number;
}

export async function runScenario(ctx: ScenarioContext, plan: ScenarioPlan): Promise<ScenarioResult> {
  const { log } = ctx;
  const t = Date.now();
  const names = plan.aggregators === 1 ? ['org-aggregator'] : Array.from({ length: plan.aggregators }, (_, i) => `org-aggregator-${String(i + 1).padStart(2, '0')}`);
  const org = new SimulatedOrganization({ now: T0, seed: ctx.seed });
  const regions = regionList(plan.regions);
  const accounts = plan.size / regions.length;
  names.forEach((name, i) => {
    // About 1.3% not SUCCEEDED: a few accounts never authorized the aggregator, some lack the opt-in region, a few
    // recorders are off, 0.5% OUTDATED (populate's defaults). Each aggregator its own accounts.
    org.populate(name, { accounts, regions, seed: ctx.seed + i, firstAccountId: 100_000_000_000 + i * 1_000_000, unauthorizedAccounts: Math.max(1, Math.round(accounts / 200)) });
  });
  const first = names[0] as string;
  const counts = org.counts(first);
  const nonSucceeded = plan.size - (counts.SUCCEEDED ?? 0);
  const nonSucceededAll = names.reduce((sum, name) => sum + plan.size - (org.counts(name).SUCCEEDED ?? 0), 0);
  const populateMs = Date.now() - t;
  const label = `${plan.aggregators > 1 ? `${plan.aggregators} x ` : ''}${plan.size} sources at ${plan.latencyMs} ms`;
  log(`${label}: ${nonSucceeded} not SUCCEEDED in the first aggregator (${JSON.stringify(counts)}), populated in ${populateMs} ms`);

  const local = await startLocalMode({
    org,
    settings: { aggregators: names, aggregatorConcurrency: plan.aggregatorConcurrency, reconcileConcurrency: plan.reconcileConcurrency },
    configLatencyMs: plan.latencyMs,
  });
  local.dynamodbProxy.recordInput = false;
  local.config.recordInput = false;
  const tap = new WriteTap();
  local.dynamodbProxy.inject(tap.hook);
  const env = childEnv(ctx.worker, local);
  const engine = await EngineBench.start({
    worker: ctx.worker,
    definition: ctx.definition,
    runner: ctx.runner,
    env,
    nodeFlags: [...ctx.worker.heapFlags, ...ctx.nodeArgs],
    accountId: local.org.accountId,
    region: local.org.region,
  });
  try {
    const repeats = ctx.bareRepeats ?? (plan.size <= 10_000 ? 3 : 1);
    const bareFull = await bare(ctx, local, env, first, repeats, plan.latencyMs);
    log(`  bare loop, all sources: ${fmtMs(bareFull.medianMs)} (${bareFull.calls} calls, ${bareFull.sources} sources, fake Config ${bareFull.serverMsPerCall.toFixed(1)} ms/call)`);
    const bareFast = await bare(ctx, local, env, first, repeats, plan.latencyMs, ATTENTION_FILTER);
    log(`  bare loop, FAILED+OUTDATED: ${fmtMs(bareFast.medianMs)} (${bareFast.calls} calls, ${bareFast.sources} sources)`);

    const runs: RunMeasure[] = [];
    for (const r of RUNS) {
      const m = await measureRun(engine, local, tap, names, r.kind, r.at, plan.size);
      runs.push(m);
      const steps = Object.entries(m.steps).map(([s, v]) => `${s} ${v.count}x max ${v.maxRssMb.toFixed(0)} MB, ${fmtMs(m.phases[s as keyof typeof m.phases] ?? 0)}`).join(', ');
      log(
        `  ${r.kind}: ${m.status} ${[...new Set(m.modes)].join('/')} in ${fmtMs(m.wallMs)} (read ${fmtMs(m.readMs)}, ${m.readRounds} rounds); ${m.configCalls} Config calls (max ${m.maxCallsPerAggregator}/aggregator, min ${m.minCalls}); ` +
          `${m.writes.requests} write requests / ${m.writes.items} items ${JSON.stringify(m.writes.byKind)}; ${m.snsPublishes} publishes; ${m.tasks} Tasks: ${steps}`,
      );
      if (m.outcome !== 'ok') log(`  ${r.kind} failed: ${m.error}`);
    }
    return { ...plan, counts, nonSucceeded, nonSucceededAll, populateMs, bareFull, bareFast, runs, durationMs: Date.now() - t };
  } finally {
    await engine.close();
    await local.close();
  }
}

async function bare(ctx: ScenarioContext, local: LocalMode, env: Record<string, string>, aggregator: string, repeats: number, latencyMs: number, statuses?: readonly string[]): Promise<BareMeasure> {
  const samples: number[] = [];
  let calls = 0;
  let sources = 0;
  let rss = 0;
  let serverMs = 0;
  for (let i = 0; i < repeats; i++) {
    const before = local.config.requests.length;
    const r = await ctx.runner.run({ mode: 'bare', module: ctx.helpers.bareLoop, aggregator, ...(statuses ? { statuses } : {}), resultFile: '' }, env, ctx.worker.heapFlags);
    if (!r.ok || r.runMs === undefined) throw new Error(`the bare loop failed: ${r.error?.message}`);
    samples.push(r.runMs);
    const result = r.result as { calls: number; sources: number };
    const requests = local.config.requests.slice(before);
    calls = requests.length;
    // What the fake endpoint itself spends per call beyond the simulated latency (it runs in this process).
    serverMs = requests.reduce((sum, q) => sum + q.durationMs, 0) / Math.max(1, calls) - latencyMs;
    sources = result.sources;
    rss = Math.max(rss, peakRssKiB(r) / 1024);
  }
  return { samplesMs: samples, medianMs: median(samples), calls, sources, rssMb: rss, serverMsPerCall: Math.max(0, serverMs) };
}

async function measureRun(engine: EngineBench, local: LocalMode, tap: WriteTap, names: readonly string[], kind: RunKind, time: string, size: number): Promise<RunMeasure> {
  local.org.advanceTo(time);
  const marks = { config: local.config.requests.length, dynamodb: local.dynamodbProxy.requests.length, sns: local.sns.published.length };
  tap.reset(kind === 'first');
  const execution = await engine.execute(time);
  const sourceCalls = local.config.requests.slice(marks.config).filter((c) => c.operation === 'DescribeConfigurationAggregatorSourcesStatus');
  const perAggregator = new Map<string, number>();
  for (const c of sourceCalls) perAggregator.set(c.resources[0] ?? '', (perAggregator.get(c.resources[0] ?? '') ?? 0) + 1);
  const summaries = (await local.store.runs({ from: time, to: time })).filter((s) => s.runAt === time && names.includes(s.aggregator));
  const writes = tap.counts();
  const sum = (f: (s: (typeof summaries)[number]) => number) => summaries.reduce((a, s) => a + f(s), 0);
  const ok = execution.status === 'SUCCEEDED' && summaries.length === names.length && summaries.every((s) => s.outcome === 'ok');
  let first: RunMeasure['first'];
  if (kind === 'first') {
    const span = tap.span();
    first = {
      statesWritten: writes.byKind.CUR ?? 0,
      ...(tap.peakTable() ? { peakTable: tap.peakTable() } : {}),
      ...(tap.peakIndex() ? { peakIndex: tap.peakIndex() } : {}),
      keys: tap.keys(),
      writeSpanMs: span.first !== undefined && span.last !== undefined ? span.last - span.first : 0,
    };
    tap.reset(false);
  }
  const failedTask = execution.tasks.find((t) => t.outcome !== 'ok');
  return {
    kind,
    at: time,
    outcome: ok ? 'ok' : 'error',
    status: execution.status,
    ...(ok ? {} : { error: `${execution.error ?? ''} ${execution.cause ?? ''} ${failedTask?.error ?? ''} (${summaries.length} of ${names.length} run summaries)`.trim() }),
    modes: summaries.map((s) => `${s.mode}${s.sweepReason ? ` (${s.sweepReason})` : ''}`),
    sourcesRead: sum((s) => s.sourcesRead),
    historyWritten: sum((s) => s.historyWritten),
    stateWritten: sum((s) => s.stateWritten),
    wallMs: execution.wallMs,
    readMs: readPhaseMs(execution.tasks),
    phases: phases(execution.tasks),
    readRounds: execution.tasks.filter((t) => t.step === 'read').length,
    tasks: execution.tasks.length,
    transitions: execution.transitions,
    historyEvents: execution.historyEvents,
    steps: byStep(execution.tasks),
    configCalls: sourceCalls.length,
    maxCallsPerAggregator: Math.max(0, ...perAggregator.values()),
    minCalls: kind === 'steady' ? Math.max(1, Math.ceil(attention(local, names[0] as string) / 100)) : Math.max(1, Math.ceil(size / 100)),
    dynamodbRequests: local.dynamodbProxy.requests.length - marks.dynamodb,
    writes,
    snsPublishes: local.sns.published.length - marks.sns,
    maxRssMb: Math.max(0, ...execution.tasks.map((t) => t.rssMb)),
    liveHeapMb: Math.max(0, ...execution.tasks.map((t) => t.liveHeapMb)),
    ...(first ? { first } : {}),
  };
}

/** Sources FAILED or OUTDATED now: what the fast path's filtered read returns. */
function attention(local: LocalMode, aggregator: string): number {
  const counts = local.org.counts(aggregator);
  return ATTENTION_FILTER.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
}

/** The function's environment as Lambda would set it, pointed at the local endpoints. */
function childEnv(fn: FunctionArtifact, local: LocalMode): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: 'config-aggregator-watch-bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    LAMBDA_TASK_ROOT: fn.assetDir,
    TZ: ':UTC',
    ...fn.literalEnv,
    ...local.env,
  };
}

function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}
