/**
 * `npm run bench`: how close the monitor comes to the floor the AWS Config API sets, at 1,000 to 100,000 sources.
 *
 * For each latency and organization size: a fresh local mode (fake Config with that latency per call, dynalite
 * behind the recording proxy, fake SNS) over a seeded simulated organization (about 1.3% of sources not SUCCEEDED),
 * then, each in its own Node.js process so that the peak RSS is the run's own:
 * - the bare loop: only paging through DescribeConfigurationAggregatorSourcesStatus with the handler's client,
 *   all sources (the full-sweep floor) and FAILED+OUTDATED only (the fast-path floor);
 * - the deployed bundle (synthesized from the stack) invoked as the schedule would: a first run at T, a
 *   steady-state run at T+15 min (fast path), a later full sweep at T+6 h (FULL_SWEEP_HOURS elapsed, no change).
 * Plus the bundle's size and module initialisation time. The report (markdown) says which targets are met.
 *
 *   npm run bench -- [--sizes 1000,10000,100000] [--latency-ms 50] [--out docs/benchmarks.md] [--quick]
 *                    [--init-samples 7] [--bare-repeats N] [--seed 1] [--json .bench/results.json]
 *                    [--node-args=--max-old-space-size=200] [--render .bench/results.json]
 *   npm run bench -- --quota R [--sources 20000] [--aggregators 4] [--latency-ms 50]   (quota.ts: that read only)
 *
 * Defaults: 1,000, 10,000 and 100,000 sources at 50 ms per call (about 6 minutes on 2 cores). --latency-ms takes a
 * list (0,50,150 for the full report: about 20 minutes). --quick: 1,000 and 10,000 sources at 0 ms (explicit wins).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ATTENTION_FILTER } from '../../core/model';
import type { RunReport } from '../../lambda/run';
import { scheduledEvent } from '../local/invocation';
import { startLocalMode, type LocalMode } from '../local/local-mode';
import { DEMO_REGIONS, SimulatedOrganization } from '../local/simulated-organization';
import { buildHelpers, synthesizeFunction, type FunctionArtifact, type HelperBundles } from './artifacts';
import type { ChildResult, ChildSpec } from './child';
import { median, WriteTap, type WriteCounts } from './measure';
import { machine } from './report/machine';
import { renderReport } from './report/render';
import type { BenchResults, RunKind, RunMeasure, ScenarioResult } from './report/results';
import { quotaArgs, runQuotaMode } from './quota';

const AGGREGATOR = 'org-aggregator';
/** Ten regions, the opt-in one among them: N sources are N/10 accounts x 10 regions. */
const REGIONS = [...DEMO_REGIONS.slice(0, 9), 'ap-east-1'] as const;
const T0 = '2026-03-02T00:00:00.000Z';
const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
/** `--trace-gc`'s line for a full collection: `Mark-Compact 282.4 (317.4) -> 73.6 (169.9) MB, ...`. */
const MARK_COMPACT = /Mark-Compact[^>]*->\s*([\d.]+)\s*\(/;

const RUNS: readonly { kind: RunKind; at: string }[] = [
  { kind: 'first', at: at(0) },
  { kind: 'steady', at: at(15 * 60_000) },
  { kind: 'sweep', at: at(6 * HOUR) },
];

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string' },
    'latency-ms': { type: 'string' },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    quick: { type: 'boolean', default: false },
    'init-samples': { type: 'string', default: '7' },
    'bare-repeats': { type: 'string' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string', default: '.bench/results.json' },
    'node-args': { type: 'string', default: '' },
    render: { type: 'string' },
    quota: { type: 'string' },
    sources: { type: 'string' },
    aggregators: { type: 'string' },
  },
});

const numbers = (text: string, name: string) =>
  text.split(',').map((s) => {
    const n = Number(s.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: "${s}" is not a whole number`);
    return n;
  });
const sizes = numbers(args.sizes ?? (args.quick ? '1000,10000' : '1000,10000,100000'), 'sizes');
const latencies = numbers(args['latency-ms'] ?? (args.quick ? '0' : '50'), 'latency-ms');
for (const size of sizes) {
  if (size < REGIONS.length || size % REGIONS.length !== 0) throw new Error(`--sizes: ${size} is not a multiple of ${REGIONS.length} (accounts x regions)`);
}
const seed = Number(args.seed);
const initSamples = Number(args['init-samples']);
const bareRepeats = (size: number) => (args['bare-repeats'] ? Number(args['bare-repeats']) : size <= 10_000 ? 3 : 1);
const outFile = resolve(args.out);
/** Extra Node.js flags for the handler's processes, after Lambda's heap limits (e.g. --max-old-space-size=200). */
const nodeArgs = (args['node-args'] ?? '').split(' ').filter((a) => a.length > 0);
const command = ['npm run bench', ...(process.argv.slice(2).length ? ['--', ...process.argv.slice(2)] : [])].join(' ');

const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const benchStarted = Date.now();
let childSeq = 0;

if (args.render) {
  // Re-renders a report from saved results (--json), measuring nothing.
  const saved = JSON.parse(readFileSync(resolve(args.render), 'utf8')) as BenchResults;
  writeFileSync(outFile, renderReport(saved));
  log(`report rendered from ${args.render} to ${outFile}`);
  process.exit(0);
}

const startMachine = machine();
const work = mkdtempSync(join(tmpdir(), 'aggwatch-bench-'));
if (args.quota) await runQuotaMode(quotaArgs({ ...args, quota: args.quota }, latencies[0] ?? 50, seed, REGIONS), { json: args.json ?? '', out: outFile }, work, (h, spec, env) => runChild(h, spec, env, []), log);
try {
  log(`sizes ${sizes.join(', ')}; latency ${latencies.join(', ')} ms; work dir ${work}`);
  log('synthesizing the stack (the deployable bundle) and building the helper bundles');
  const fn = synthesizeFunction(join(work, 'cdk.out'), { aggregators: AGGREGATOR, emails: 'ops@example.com' });
  const helpers = await buildHelpers(join(work, 'helpers'));
  log(`bundle ${fn.module} (${fn.bytes} bytes, ${fn.runtime}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s)`);

  const init = await measureInit(fn, helpers);
  log(`module init: median ${init.medianMs.toFixed(1)} ms of ${init.samplesMs.length}`);

  const scenarios: ScenarioResult[] = [];
  for (const latencyMs of latencies) {
    for (const size of sizes) scenarios.push(await scenario(fn, helpers, size, latencyMs));
  }

  const results: BenchResults = {
    machine: { ...startMachine, load: { start: startMachine.load.start, end: loadavg()[0] ?? 0 } },
    command,
    durationMs: Date.now() - benchStarted,
    nodeArgs,
    bundle: { bytes: fn.bytes, files: fn.files, runtime: fn.runtime, memoryMb: fn.memoryMb, heapFlags: fn.heapFlags, timeoutSeconds: fn.timeoutSeconds },
    init,
    scenarios,
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, renderReport(results));
  if (args.json) {
    const jsonFile = resolve(args.json);
    mkdirSync(dirname(jsonFile), { recursive: true });
    writeFileSync(jsonFile, JSON.stringify(results, null, 2));
  }
  log(`report written to ${outFile} in ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

// ---- steps ----------------------------------------------------------------------------------------------------

async function measureInit(fn: FunctionArtifact, helpers: HelperBundles): Promise<BenchResults['init']> {
  const local = await startLocalMode({ settings: { aggregators: [AGGREGATOR] } });
  try {
    const samplesMs: number[] = [];
    const rssKiB: number[] = [];
    const heapMb: number[] = [];
    for (let i = 0; i < initSamples; i++) {
      const r = await runChild(helpers, { mode: 'init', module: fn.module, resultFile: '' }, childEnv(fn, local), fn.heapFlags);
      if (!r.ok) throw new Error(`the bundle failed to initialise: ${r.error?.message}`);
      samplesMs.push(r.initMs);
      rssKiB.push(peakRssKiB(r));
      heapMb.push(r.peakMemory.heapUsed / 2 ** 20);
    }
    return { samplesMs, medianMs: median(samplesMs), rssMb: median(rssKiB) / 1024, heapMb: median(heapMb) };
  } finally {
    await local.close();
  }
}

async function scenario(fn: FunctionArtifact, helpers: HelperBundles, size: number, latencyMs: number): Promise<ScenarioResult> {
  const t = Date.now();
  const org = new SimulatedOrganization({ now: T0, seed });
  const accounts = size / REGIONS.length;
  // About 1.3% not SUCCEEDED: a few accounts never authorized the aggregator (FAILED everywhere), some lack the
  // opt-in region, a few recorders are off, 0.5% OUTDATED (populate's defaults, with more unauthorized accounts).
  org.populate(AGGREGATOR, { accounts, regions: REGIONS, seed, unauthorizedAccounts: Math.max(1, Math.round(accounts / 200)) });
  const counts = org.counts(AGGREGATOR);
  const nonSucceeded = size - (counts.SUCCEEDED ?? 0);
  const populateMs = Date.now() - t;
  log(`${size} sources at ${latencyMs} ms: ${nonSucceeded} not SUCCEEDED (${JSON.stringify(counts)}), populated in ${populateMs} ms`);

  const local = await startLocalMode({ org, settings: { aggregators: [AGGREGATOR] }, configLatencyMs: latencyMs });
  // Nothing kept per request beyond what the tap counts: a 100,000-source first run is 8,000 batches.
  local.dynamodbProxy.recordInput = false;
  local.config.recordInput = false;
  const tap = new WriteTap();
  local.dynamodbProxy.inject(tap.hook);
  const env = childEnv(fn, local);
  try {
    const bare = async (statuses?: readonly string[]) => {
      const samples: number[] = [];
      let calls = 0;
      let sources = 0;
      let rss = 0;
      let serverMs = 0;
      for (let i = 0; i < bareRepeats(size); i++) {
        const before = local.config.requests.length;
        const r = await runChild(helpers, { mode: 'bare', module: helpers.bareLoop, aggregator: AGGREGATOR, ...(statuses ? { statuses } : {}), resultFile: '' }, env, fn.heapFlags);
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
    };
    const bareFull = await bare();
    log(`  bare loop, all sources: ${fmtMs(bareFull.medianMs)} (${bareFull.calls} calls, ${bareFull.sources} sources, fake Config ${bareFull.serverMsPerCall.toFixed(1)} ms/call)`);
    const bareFast = await bare(ATTENTION_FILTER);
    log(`  bare loop, FAILED+OUTDATED: ${fmtMs(bareFast.medianMs)} (${bareFast.calls} calls, ${bareFast.sources} sources)`);

    const runs: RunMeasure[] = [];
    for (const run of RUNS) {
      const m = await invoke(fn, helpers, local, tap, env, run.kind, run.at, size);
      runs.push(m);
      log(
        `  ${run.kind}: ${m.outcome} ${m.mode ?? '?'}${m.sweepReason ? `/${m.sweepReason}` : ''} in ${fmtMs(m.wallMs)}; ` +
          `${m.configCalls} Config calls, ${m.writes.requests} write requests / ${m.writes.items} items, ` +
          `${m.snsPublishes} publishes, RSS ${m.maxRssMb.toFixed(0)} MB (heap used ${m.peakHeapUsedMb.toFixed(0)} / total ${m.peakHeapTotalMb.toFixed(0)} MB, live ${m.liveHeapMb.toFixed(0)} MB)` +
          (m.first ? `; read ${fmtMs(m.first.readMs)}, record ${fmtMs(m.first.recordMs)}, peak ${m.first.peakTable?.perSecond}/s (${m.first.peakTable?.key}), index ${m.first.peakIndex?.perSecond}/s` : ''),
      );
      if (m.outcome !== 'ok') log(`  ${run.kind} failed: ${m.error}`);
    }
    return { size, latencyMs, counts, nonSucceeded, populateMs, bareFull, bareFast, runs, durationMs: Date.now() - t };
  } finally {
    await local.close();
  }
}

async function invoke(
  fn: FunctionArtifact,
  helpers: HelperBundles,
  local: LocalMode,
  tap: WriteTap,
  env: Record<string, string>,
  kind: RunKind,
  time: string,
  size: number,
): Promise<RunMeasure> {
  local.org.advanceTo(time);
  const marks = { config: local.config.requests.length, dynamodb: local.dynamodbProxy.requests.length, sns: local.sns.published.length };
  tap.reset(kind === 'first');
  const r = await runChild(
    helpers,
    {
      mode: 'handler',
      module: fn.module,
      exportName: fn.exportName,
      event: scheduledEvent(time, { accountId: local.org.accountId, region: local.org.region }),
      timeoutMs: fn.timeoutSeconds * 1000,
      memoryMb: fn.memoryMb,
      resultFile: '',
    },
    env,
    [...fn.heapFlags, ...nodeArgs],
  );
  const config = local.config.requests.slice(marks.config);
  const sourceCalls = config.filter((c) => c.operation === 'DescribeConfigurationAggregatorSourcesStatus');
  const report = r.result as RunReport | undefined;
  const agg = report?.aggregators.find((a) => a.aggregator === AGGREGATOR);
  const writes: WriteCounts = tap.counts();
  const dynamodbRequests = local.dynamodbProxy.requests.length - marks.dynamodb;

  let first: RunMeasure['first'];
  if (kind === 'first') {
    const lastConfig = Math.max(...sourceCalls.map((c) => c.receivedAt + c.durationMs));
    const span = tap.span();
    const started = r.startedAt ?? Number.NaN;
    const ended = r.endedAt ?? Number.NaN;
    const itemsInTable = await countItems(local);
    const expectedItems = (agg?.sourcesRead ?? 0) + (agg?.historyWritten ?? 0) + 2; // states, history, meta, run
    first = {
      readMs: lastConfig - started,
      recordMs: ended - lastConfig,
      writeSpanMs: span.first !== undefined && span.last !== undefined ? span.last - span.first : 0,
      itemsInTable,
      expectedItems,
      peakTable: tap.peakTable(),
      peakIndex: tap.peakIndex(),
      keys: tap.keys(),
    };
    tap.reset(false);
  }
  return {
    kind,
    at: time,
    outcome: r.ok && agg?.outcome === 'ok' ? 'ok' : 'error',
    ...(r.ok ? {} : { error: `${r.error?.name}: ${r.error?.message}` }),
    ...(agg?.mode ? { mode: agg.mode } : {}),
    ...(agg?.sweepReason ? { sweepReason: agg.sweepReason } : {}),
    sourcesRead: agg?.sourcesRead ?? 0,
    historyWritten: agg?.historyWritten ?? 0,
    stateWritten: agg?.stateWritten ?? 0,
    wallMs: r.runMs ?? Number.NaN,
    initMs: r.initMs,
    configCalls: sourceCalls.length,
    configRequests: config.length,
    minCalls: kind === 'steady' ? Math.max(1, Math.ceil(countAttention(local) / 100)) : Math.max(1, Math.ceil(size / 100)),
    dynamodbRequests,
    writes,
    snsPublishes: local.sns.published.length - marks.sns,
    maxRssMb: peakRssKiB(r) / 1024,
    rusageMaxRssMb: r.maxRssKiB / 1024,
    peakHeapUsedMb: r.peakMemory.heapUsed / 2 ** 20,
    peakHeapTotalMb: r.peakMemory.heapTotal / 2 ** 20,
    liveHeapMb: r.liveHeapMb,
    ...(first ? { first } : {}),
  };
}

/**
 * The process's own peak RSS: VmHWM, the high-water mark of its address space since exec. Not getrusage's maxRSS,
 * which Linux carries over from the forked copy of this (parent) process, dynalite's table and all.
 */
function peakRssKiB(r: Outcome): number {
  return r.vmHwmKiB ?? r.maxRssKiB;
}

/** Sources FAILED or OUTDATED now: what the fast path's filtered read returns. */
function countAttention(local: LocalMode): number {
  const counts = local.org.counts(AGGREGATOR);
  return ATTENTION_FILTER.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
}

/** Every item in the table, counted by dynalite directly (not through the proxy). */
function countItems(local: LocalMode): Promise<number> {
  return local.dynamodb.countItems(local.tableName);
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

/** A child's outcome, with the largest heap left after a full collection (0: none happened), MB. */
type Outcome = ChildResult & { readonly liveHeapMb: number };

/**
 * Runs one step in a fresh Node.js process, without blocking this one (the local endpoints live here), with
 * `nodeFlags`: Lambda's heap limits for the function, and --node-args for the handler (V8 takes a flag's last value).
 */
async function runChild(
  helpers: HelperBundles,
  spec: ChildSpec,
  env: Record<string, string>,
  nodeFlags: readonly string[],
): Promise<Outcome> {
  const resultFile = join(work, `result-${++childSeq}.json`);
  const full = { ...spec, resultFile } as ChildSpec;
  let liveHeapMb = 0;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    // --trace-gc only reports collections (it changes none): the heap left after each full one is the live set.
    const flags = spec.mode === 'handler' ? ['--trace-gc', ...nodeFlags] : nodeFlags;
    const child = spawn(process.execPath, [...flags, helpers.child, JSON.stringify(full)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Keep the tail only: the handler logs a few JSON lines per run.
    // BENCH_CHILD_LOG=<dir>: every process's whole output, for a closer look (e.g. with --node-args=--trace-gc).
    const logDir = process.env.BENCH_CHILD_LOG;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      child.stdout.pipe(createWriteStream(join(logDir, `${childSeq}-${spec.mode}.out`)));
      child.stderr.pipe(createWriteStream(join(logDir, `${childSeq}-${spec.mode}.err`)));
    }
    let partial = '';
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      stdout = (stdout + text).slice(-8_000);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = MARK_COMPACT.exec(line);
        if (m?.[1]) liveHeapMb = Math.max(liveHeapMb, Number(m[1]));
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8_000)));
    child.on('error', fail);
    child.on('close', (exit) => done({ code: exit, stdout, stderr }));
  });
  if (!existsSync(resultFile)) {
    // Killed, or out of memory: an outcome like any other, with what the process said last.
    const last = stderr.trim().split('\n').slice(-3).join(' / ') || stdout.trim().split('\n').slice(-1).join('');
    return { ok: false, initMs: Number.NaN, maxRssKiB: 0, liveHeapMb, peakMemory: { heapUsed: 0, heapTotal: 0, external: 0, rss: 0 }, error: { name: 'ChildExited', message: `exit ${code}: ${last.slice(0, 300)}` } };
  }
  const result = { ...(JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult), liveHeapMb };
  rmSync(resultFile, { force: true });
  if (!result.ok && process.env.BENCH_DEBUG) process.stderr.write(`${stdout}\n${stderr}\n`);
  return result;
}

function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}
