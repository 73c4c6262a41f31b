/**
 * `npm run bench`: the monitor on its engine (a Step Functions execution per run) against the floor the AWS Config
 * API sets.
 *
 * Each scenario: a fresh local mode (fake Config with a latency per call, dynalite behind the recording proxy, fake
 * SNS) over a seeded simulated organization (about 1.3% of sources not SUCCEEDED), the bare paging loop over one
 * aggregator in its own process (all sources: the full-read floor; FAILED+OUTDATED: the fast-path floor), then
 * three runs, each an execution of the run's state machine on the local Step Functions endpoint (engine.ts) whose
 * every Task is the deployable worker bundle in a fresh Node.js process with Lambda's heap limits: a first run at T,
 * steady state at T+15 min (fast path), a later full sweep at T+6 h. Plus both bundles' sizes and module
 * initialisation (worker and dispatcher). Scenarios:
 * - one aggregator of each of --sizes (default 1,000, 10,000, 100,000) at each --latency-ms (default 50);
 * - --many (default 10x10000): that many aggregators of that many sources, read in parallel
 *   (aggregatorConcurrency = the number of aggregators), against one aggregator's bare read; `--many 0` skips it;
 * - --large (opt-in, about 25 minutes): one aggregator of 370,000 sources (10,000 accounts x 37 regions).
 *
 *   npm run bench -- [--sizes 1000,10000,100000] [--latency-ms 50] [--many 10x10000] [--large [--large-size 370000]]
 *                    [--out docs/benchmarks.md] [--quick] [--init-samples 7] [--bare-repeats N] [--seed 1]
 *                    [--json .bench/results.json] [--node-args=--max-old-space-size=200] [--render .bench/results.json]
 *
 * --quick: 1,000 and 10,000 sources and 3x1000 at 0 ms, for a fast check (sizes and latencies given explicitly win).
 *
 *   npm run bench -- --quota R [--sources 20000] [--aggregators 4] [--latency-ms 50]   (quota.ts: that read only)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS, dispatcherSettingsToEnvironment } from '../../core/settings';
import { startLocalMode } from '../local/local-mode';
import { DEMO_REGIONS } from '../local/simulated-organization';
import { buildHelpers, synthesizeStack, type FunctionArtifact, type HelperBundles } from './artifacts';
import { benchDefinition } from './definition';
import { median } from './measure';
import { machine } from './report/machine';
import { renderReport } from './report/render';
import type { BenchResults, BundleMeasure, ScenarioName, ScenarioResult } from './report/results';
import { quotaArgs, runQuotaMode } from './quota';
import { runScenario, type ScenarioContext } from './scenario';
import { ChildRunner, peakRssKiB } from './spawn';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string' },
    'latency-ms': { type: 'string' },
    many: { type: 'string' },
    large: { type: 'boolean', default: false },
    'large-size': { type: 'string', default: '370000' },
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
/** Accounts x regions: N/10 x 10 for the usual sizes, N/37 x 37 for the large one (an aggregator over every Region). */
const regionsFor = (size: number) => (size % 37 === 0 && size >= 37_000 ? 37 : 10);
const checkSize = (size: number, name: string) => {
  if (size < 10 || size % regionsFor(size) !== 0) throw new Error(`--${name}: ${size} is not a multiple of 10 (accounts x 10 regions) or of 37 (x 37 regions)`);
  return size;
};
const sizes = numbers(args.sizes ?? (args.quick ? '1000,10000' : '1000,10000,100000'), 'sizes').map((s) => checkSize(s, 'sizes'));
const latencies = numbers(args['latency-ms'] ?? (args.quick ? '0' : '50'), 'latency-ms');
const manyText = args.many ?? (args.quick ? '3x1000' : '10x10000');
const many = manyText === '0' ? undefined : /^(\d+)x(\d+)$/.exec(manyText.replace(/_/g, ''));
if (manyText !== '0' && !many) throw new Error(`--many: "${manyText}" is not <aggregators>x<sources>, such as 10x10000 (0: none)`);
const manyAggregators = many ? Number(many[1]) : 0;
const manySize = many ? checkSize(Number(many[2]), 'many') : 0;
if (many && (manyAggregators < 2 || manyAggregators > 50)) throw new Error(`--many: ${manyAggregators} aggregators; allowed 2..50 (AWS allows 50 aggregators per account and Region)`);
const largeSize = checkSize(numbers(args['large-size'] ?? '370000', 'large-size')[0] ?? 370_000, 'large-size');
const initSamples = Number(args['init-samples']);
const outFile = resolve(args.out);
/** Extra Node.js flags for the worker's processes, after Lambda's heap limits (e.g. --max-old-space-size=200). */
const nodeArgs = (args['node-args'] ?? '').split(' ').filter((a) => a.length > 0);
const command = ['npm run bench', ...(process.argv.slice(2).length ? ['--', ...process.argv.slice(2)] : [])].join(' ');

/** The --quota mode's organization: accounts x these ten regions. */
const QUOTA_REGIONS = [...DEMO_REGIONS.slice(0, 9), 'ap-east-1'] as const;
const benchStarted = Date.now();
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

if (args.render) {
  // Re-renders a report from saved results (--json), measuring nothing.
  const saved = JSON.parse(readFileSync(resolve(args.render), 'utf8')) as BenchResults;
  writeFileSync(outFile, renderReport(saved));
  log(`report rendered from ${args.render} to ${outFile}`);
  process.exit(0);
}

const startMachine = machine();
const work = mkdtempSync(join(tmpdir(), 'aggwatch-bench-'));
if (args.quota) {
  const quotaRunner = new Map<string, ChildRunner>();
  const runChild = (h: HelperBundles, spec: Parameters<ChildRunner['run']>[0], env: Record<string, string>) => {
    const r = quotaRunner.get(h.child) ?? new ChildRunner(work, h.child);
    quotaRunner.set(h.child, r);
    return r.run(spec, env, []);
  };
  await runQuotaMode(quotaArgs({ ...args, quota: args.quota }, latencies[0] ?? 50, Number(args.seed), QUOTA_REGIONS), { json: args.json ?? '', out: outFile }, work, runChild, log);
}
try {
  log(`sizes ${sizes.join(', ')}; many ${many ? `${manyAggregators}x${manySize}` : 'none'}; large ${args.large ? largeSize : 'no'}; latency ${latencies.join(', ')} ms; work dir ${work}`);
  log('synthesizing the stack (the deployable bundles) and building the helper bundles');
  const stack = synthesizeStack(join(work, 'cdk.out'), { aggregators: 'org-aggregator', emails: 'ops@example.com' });
  const worker = stack.worker;
  const helpers = await buildHelpers(join(work, 'helpers'));
  const runner = new ChildRunner(work, helpers.child);
  const dispatcher = stack.dispatcher;
  const definition = benchDefinition(stack.template);
  log(`worker ${worker.module} (${worker.bytes} bytes, ${worker.runtime}, ${worker.memoryMb} MB, ${worker.timeoutSeconds} s); dispatcher ${dispatcher.bytes} bytes; state machine: ${definition.source}`);

  const workerInit = await measureInit(runner, helpers, worker, 'worker');
  const dispatcherInit = await measureInit(runner, helpers, dispatcher, 'dispatcher');

  const ctx: ScenarioContext = { worker, helpers, runner, definition, nodeArgs, seed: Number(args.seed), log, ...(args['bare-repeats'] ? { bareRepeats: Number(args['bare-repeats']) } : {}) };
  const scenarios: ScenarioResult[] = [];
  const plan: { name: ScenarioName; aggregators: number; size: number; latencyMs: number }[] = [];
  for (const latencyMs of latencies) for (const size of sizes) plan.push({ name: 'one', aggregators: 1, size, latencyMs });
  const mainLatency = latencies.includes(50) ? 50 : (latencies[0] ?? 50);
  if (many) plan.push({ name: 'many', aggregators: manyAggregators, size: manySize, latencyMs: mainLatency });
  if (args.large) plan.push({ name: 'large', aggregators: 1, size: largeSize, latencyMs: mainLatency });
  const resultsSoFar = (): BenchResults => ({
    machine: { ...startMachine, load: { start: startMachine.load.start, end: loadavg()[0] ?? 0 } },
    command,
    durationMs: Date.now() - benchStarted,
    nodeArgs,
    definition: definition.source,
    worker: bundleMeasure(worker, workerInit),
    dispatcher: bundleMeasure(dispatcher, dispatcherInit),
    scenarios,
  });
  for (const p of plan) {
    scenarios.push(await runScenario(ctx, { ...p, regions: regionsFor(p.size), aggregatorConcurrency: p.aggregators > 1 ? p.aggregators : DEFAULTS.aggregatorConcurrency, reconcileConcurrency: DEFAULTS.reconcileConcurrency }));
    // What is measured so far, in case a later scenario does not finish (render it with --render).
    if (args.json) saveJson(`${args.json}.partial`, resultsSoFar());
  }

  const results: BenchResults = resultsSoFar();
  if (args.json) {
    saveJson(args.json, results);
    rmSync(resolve(`${args.json}.partial`), { force: true });
  }
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, renderReport(results));
  log(`report written to ${outFile} in ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function saveJson(file: string, results: BenchResults): void {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(results, null, 2));
}

function bundleMeasure(fn: FunctionArtifact, init: BundleMeasure['init']): BundleMeasure {
  return { bytes: fn.bytes, files: fn.files, runtime: fn.runtime, memoryMb: fn.memoryMb, heapFlags: fn.heapFlags, timeoutSeconds: fn.timeoutSeconds, init };
}

/** Module initialisation of a bundle: `initSamples` fresh processes importing it with the function's environment. */
async function measureInit(runner: ChildRunner, helpers: HelperBundles, fn: FunctionArtifact, which: 'worker' | 'dispatcher'): Promise<BundleMeasure['init']> {
  const local = await startLocalMode({ settings: { aggregators: ['org-aggregator'] } });
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_FUNCTION_NAME: `config-aggregator-watch-${which}`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      LAMBDA_TASK_ROOT: fn.assetDir,
      TZ: ':UTC',
      ...fn.literalEnv,
      ...local.env,
      ...(which === 'dispatcher'
        ? dispatcherSettingsToEnvironment({ stateMachineArn: `arn:aws:states:${local.org.region}:${local.org.accountId}:stateMachine:Run`, tableName: local.tableName, historyRetentionDays: local.settings.historyRetentionDays })
        : {}),
    };
    const samplesMs: number[] = [];
    const rssKiB: number[] = [];
    const heapMb: number[] = [];
    for (let i = 0; i < initSamples; i++) {
      const r = await runner.run({ mode: 'init', module: fn.module, resultFile: '' }, env, fn.heapFlags);
      if (!r.ok) throw new Error(`the ${which} bundle failed to initialise: ${r.error?.message}`);
      samplesMs.push(r.initMs);
      rssKiB.push(peakRssKiB(r));
      heapMb.push(r.peakMemory.heapUsed / 2 ** 20);
    }
    log(`${which} module init: median ${median(samplesMs).toFixed(1)} ms of ${samplesMs.length}`);
    return { samplesMs, medianMs: median(samplesMs), rssMb: median(rssKiB) / 1024, heapMb: median(heapMb) };
  } finally {
    await local.close();
  }
}
