/**
 * The benchmark's results, the issue's targets evaluated on them, and the markdown report (docs/benchmarks.md).
 * Every verdict in the report is computed here from the measurements; nothing is written by hand.
 */
import { execSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { RESERVE_MS, WRITE_MS_PER_SOURCE } from '../../lambda/run';
import { SHARDS, WRITE_ITEMS_PER_SECOND } from '../../adapters/store/table-schema';
import type { PeakRate, WriteCounts } from './measure';

export type RunKind = 'first' | 'steady' | 'sweep';

export interface RunMeasure {
  readonly kind: RunKind;
  readonly at: string;
  readonly outcome: 'ok' | 'error';
  readonly error?: string;
  readonly mode?: string;
  readonly sweepReason?: string;
  readonly sourcesRead: number;
  readonly historyWritten: number;
  readonly stateWritten: number;
  /** The invocation alone (in the child process), ms. */
  readonly wallMs: number;
  readonly initMs: number;
  /** DescribeConfigurationAggregatorSourcesStatus calls the fake Config received (retries included). */
  readonly configCalls: number;
  /** Every Config request. */
  readonly configRequests: number;
  /** The API's minimum: ceil(N/100) for a full read, ceil(FAILED+OUTDATED/100) for the fast path. */
  readonly minCalls: number;
  readonly dynamodbRequests: number;
  readonly writes: WriteCounts;
  readonly snsPublishes: number;
  /** Peak RSS of the run's process (VmHWM), MB. */
  readonly maxRssMb: number;
  /** getrusage maxRSS, MB: includes the parent's RSS at fork (Linux keeps it across exec), so not the run's own. */
  readonly rusageMaxRssMb: number;
  /** Highest V8 heap used and heap size seen while the run went on (sampled every 20 ms), MB. */
  readonly peakHeapUsedMb: number;
  readonly peakHeapTotalMb: number;
  /** Largest heap left after a full collection (--trace-gc): what the run kept alive, MB; 0 when none happened. */
  readonly liveHeapMb: number;
  readonly first?: {
    /** From the invocation's start to the last Config answer. */
    readonly readMs: number;
    /** From the last Config answer to the invocation's end: recording, notifying. */
    readonly recordMs: number;
    /** From the first write request to the last. */
    readonly writeSpanMs: number;
    readonly itemsInTable: number;
    readonly expectedItems: number;
    readonly peakTable?: PeakRate;
    readonly peakIndex?: PeakRate;
    readonly keys: { readonly table: number; readonly index: number };
  };
}

export interface BareMeasure {
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly calls: number;
  readonly sources: number;
  readonly rssMb: number;
  /** The fake Config's own time per call beyond the simulated latency (it shares a process with dynalite). */
  readonly serverMsPerCall: number;
}

export interface ScenarioResult {
  readonly size: number;
  readonly latencyMs: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly nonSucceeded: number;
  readonly populateMs: number;
  readonly bareFull: BareMeasure;
  readonly bareFast: BareMeasure;
  readonly runs: readonly RunMeasure[];
  readonly durationMs: number;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly date: string;
  readonly commit: string;
  /** 1-minute load average when the benchmark started and ended: other work on the machine skews the times. */
  readonly load: { readonly start: number; readonly end?: number };
}

export interface BenchResults {
  readonly machine: Machine;
  readonly command: string;
  readonly durationMs: number;
  /** Extra Node.js flags the handler's processes ran with, after the heap limits. */
  readonly nodeArgs: readonly string[];
  readonly bundle: {
    readonly bytes: number;
    readonly files: readonly { readonly name: string; readonly bytes: number }[];
    readonly runtime: string;
    readonly memoryMb: number;
    /** The heap limits Lambda's runtime sets for memoryMb; every process ran with them (absent in older results). */
    readonly heapFlags?: readonly string[];
    readonly timeoutSeconds: number;
  };
  readonly init: { readonly samplesMs: readonly number[]; readonly medianMs: number; readonly rssMb: number; readonly heapMb: number };
  readonly scenarios: readonly ScenarioResult[];
}

// ---- targets -----------------------------------------------------------------------------------------------------

export const TARGETS = {
  sweepRatio: 1.25,
  sweepRatioSize: 100_000,
  sweepRatioLatencyMs: 50,
  peakWritesPerKey: 1_000,
  rssMb: 256,
  bundleBytes: 1_000_000,
  initMs: 150,
  headroom: 2,
  headroomLatencyMs: 150,
  largeSize: 100_000,
} as const;

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
  /** How the verdict was reached when it is not a direct measurement. */
  readonly note?: string;
}

const run = (s: ScenarioResult, kind: RunKind) => s.runs.find((r) => r.kind === kind);
const ratio = (r: RunMeasure | undefined, bare: BareMeasure) => (r ? r.wallMs / bare.medianMs : Number.NaN);
const verdict = (ok: boolean): Verdict => (ok ? 'met' : 'missed');

export function evaluateTargets(results: BenchResults): TargetResult[] {
  const out: TargetResult[] = [];
  const scenarios = results.scenarios;
  const large = scenarios.filter((s) => s.size === TARGETS.largeSize);

  // Full sweep: calls = ceil(N/100), everywhere.
  const fullRuns = scenarios.flatMap((s) => s.runs.filter((r) => r.kind !== 'steady').map((r) => ({ s, r })));
  const badCalls = fullRuns.filter(({ r }) => r.configCalls !== r.minCalls || r.mode !== 'full');
  out.push({
    target: 'Full sweep: Config calls = ceil(N/100) (first runs and later full sweeps, every size and latency)',
    measured: fullRuns.length
      ? badCalls.length === 0
        ? `${fullRuns.length} of ${fullRuns.length} full runs at the minimum`
        : badCalls.map(({ s, r }) => `${n(s.size)} @ ${s.latencyMs} ms ${r.kind}: ${r.configCalls} calls (${r.mode}) vs ${r.minCalls}`).join('; ')
      : '-',
    verdict: fullRuns.length ? verdict(badCalls.length === 0) : 'not measured',
  });

  // Full sweep ratio at 100k, 50 ms.
  const ratioScenario = scenarios.find((s) => s.size === TARGETS.sweepRatioSize && s.latencyMs === TARGETS.sweepRatioLatencyMs);
  const sweepRatio = ratioScenario ? ratio(run(ratioScenario, 'sweep'), ratioScenario.bareFull) : Number.NaN;
  out.push({
    target: `Later full sweep within ${TARGETS.sweepRatio}x of the bare paging loop at ${n(TARGETS.sweepRatioSize)} sources, ${TARGETS.sweepRatioLatencyMs} ms per call`,
    measured: ratioScenario
      ? `${x(sweepRatio)} (${s1(run(ratioScenario, 'sweep')?.wallMs)} vs ${s1(ratioScenario.bareFull.medianMs)})`
      : '-',
    verdict: ratioScenario && run(ratioScenario, 'sweep')?.outcome === 'ok' ? verdict(sweepRatio <= TARGETS.sweepRatio) : 'not measured',
  });

  // Steady state.
  const steady = scenarios.flatMap((s) => {
    const r = run(s, 'steady');
    return r ? [{ s, r }] : [];
  });
  const badSteadyCalls = steady.filter(({ r }) => r.mode !== 'fast' || r.configCalls > r.minCalls + 1);
  out.push({
    target: 'Steady state, nothing changed: Config calls <= ceil(nonSucceeded/100) + 1 (fast path)',
    measured: steady.length
      ? badSteadyCalls.length === 0
        ? steady.map(({ s, r }) => `${n(s.size)}: ${r.configCalls} (min ${r.minCalls})`).filter(unique).join(', ')
        : badSteadyCalls.map(({ s, r }) => `${n(s.size)} @ ${s.latencyMs} ms: ${r.configCalls} calls (${r.mode}) vs min ${r.minCalls}`).join('; ')
      : '-',
    verdict: steady.length ? verdict(badSteadyCalls.length === 0) : 'not measured',
  });
  const badSteadyWrites = steady.filter(({ r }) => r.writes.items !== 1 || r.writes.requests !== 1 || (r.writes.byKind.RUNS ?? 0) !== 1);
  out.push({
    target: 'Steady state, nothing changed: DynamoDB writes = the run summary only',
    measured: steady.length
      ? badSteadyWrites.length === 0
        ? `${steady.length} of ${steady.length} steady runs: 1 PutItem (RUNS)`
        : badSteadyWrites.map(({ s, r }) => `${n(s.size)} @ ${s.latencyMs} ms: ${r.writes.requests} requests, ${r.writes.items} items ${JSON.stringify(r.writes.byKind)}`).join('; ')
      : '-',
    verdict: steady.length ? verdict(badSteadyWrites.length === 0) : 'not measured',
  });

  // First run at 100k.
  const firsts = large.flatMap((s) => {
    const r = run(s, 'first');
    return r ? [{ s, r }] : [];
  });
  const firstOk = firsts.filter(({ r }) => r.outcome === 'ok' && r.first && r.first.itemsInTable === r.first.expectedItems);
  out.push({
    target: `First run at ${n(TARGETS.largeSize)} sources completes, all items written`,
    measured: firsts.length
      ? firsts.map(({ s, r }) => `@ ${s.latencyMs} ms: ${r.outcome}, ${n(r.first?.itemsInTable ?? 0)} items in the table (expected ${n(r.first?.expectedItems ?? 0)}) in ${s1(r.wallMs)}`).join('; ')
      : '-',
    verdict: firsts.length ? verdict(firstOk.length === firsts.length) : 'not measured',
  });
  const peaks = firsts.map(({ r }) => Math.max(r.first?.peakTable?.perSecond ?? 0, r.first?.peakIndex?.perSecond ?? 0));
  out.push({
    target: `First run at ${n(TARGETS.largeSize)}: no partition key above ${n(TARGETS.peakWritesPerKey)} writes/s (table pk and transitions index pk)`,
    measured: firsts.length
      ? firsts.map(({ s, r }) => `@ ${s.latencyMs} ms: ${r.first?.peakTable?.perSecond ?? 0}/s table (${r.first?.peakTable?.key}), ${r.first?.peakIndex?.perSecond ?? 0}/s index (${r.first?.peakIndex?.key})`).join('; ')
      : '-',
    verdict: firsts.length ? verdict(Math.max(...peaks) <= TARGETS.peakWritesPerKey) : 'not measured',
    note: `writes paced at ${n(WRITE_ITEMS_PER_SECOND)} items/s whatever the database's speed; see "Write rate per partition key"`,
  });

  // Resources.
  const largeRss = large.flatMap((s) => s.runs.map((r) => r.maxRssMb));
  const largeLive = large.flatMap((s) => s.runs.map((r) => r.liveHeapMb));
  out.push({
    target: `Peak RSS below ${TARGETS.rssMb} MB at ${n(TARGETS.largeSize)} sources (every run)`,
    measured: largeRss.length
      ? large
          .map((s) => `@ ${s.latencyMs} ms: ${s.runs.map((r) => `${r.kind} ${r.maxRssMb.toFixed(0)} MB`).join(', ')}`)
          .join('; ') + `; live heap at most ${Math.max(...largeLive).toFixed(0)} MB`
      : '-',
    verdict: largeRss.length ? verdict(Math.max(...largeRss) < TARGETS.rssMb) : 'not measured',
  });
  out.push({
    target: 'Bundle under 1 MB minified',
    measured: `${kb(results.bundle.bytes)} (${results.bundle.files.map((f) => `${f.name} ${f.bytes} B`).join(', ')})`,
    verdict: verdict(results.bundle.bytes < TARGETS.bundleBytes),
  });
  out.push({
    target: `Module init under ${TARGETS.initMs} ms (median of ${results.init.samplesMs.length} fresh processes)`,
    measured: `${results.init.medianMs.toFixed(0)} ms`,
    verdict: verdict(results.init.medianMs < TARGETS.initMs),
  });

  // Headroom at 150 ms.
  const cap = capacity(results);
  out.push({
    target: `Timeout (${results.bundle.timeoutSeconds} s) >= ${TARGETS.headroom}x the ${n(TARGETS.largeSize)}-source full sweep at ${TARGETS.headroomLatencyMs} ms per call`,
    measured: cap ? `${s1(cap.sweep150Ms)} -> ${x(results.bundle.timeoutSeconds * 1000 / cap.sweep150Ms)} headroom` : '-',
    verdict: cap ? verdict(results.bundle.timeoutSeconds * 1000 >= TARGETS.headroom * cap.sweep150Ms) : 'not measured',
    ...(cap && !cap.measured ? { note: `estimated from the ${cap.basisLatencyMs} ms runs (+${TARGETS.headroomLatencyMs - cap.basisLatencyMs} ms on each of the ${n(cap.pages100k)} calls); run with --latency-ms ${TARGETS.headroomLatencyMs} to measure it` } : {}),
  });
  return out;
}

export interface Capacity {
  /** True when a 150 ms scenario was run; else an estimate from the slowest latency measured. */
  readonly measured: boolean;
  readonly basisLatencyMs: number;
  readonly pages100k: number;
  readonly sweep150Ms: number;
  /** Full-sweep time model at 150 ms: fixed + perPage x pages (least squares over the later full sweeps). */
  readonly fixedMs: number;
  readonly perPageMs: number;
  /** Of perPageMs, what the local fake Config spends itself (not the API's). */
  readonly fakeMsPerPage: number;
  readonly maxPagesByTime: number;
  readonly maxSourcesByTime: number;
  /** Live heap model from the largest size: base (after init) + perSource x N. */
  readonly liveBaseMb: number;
  readonly liveKbPerSource: number;
  /** What a run holds besides its heap (RSS of a steady-state run less its heap). */
  readonly otherMb: number;
  readonly maxSourcesByMemory: number;
  readonly largest: number;
}

/** The largest organization one run can cover, from the measured full sweeps and live heap. */
export function capacity(results: BenchResults): Capacity | undefined {
  const sweeps = results.scenarios.filter((s) => run(s, 'sweep')?.outcome === 'ok');
  if (sweeps.length === 0) return undefined;
  const at150 = sweeps.filter((s) => s.latencyMs === TARGETS.headroomLatencyMs);
  const basisLatencyMs = at150.length ? TARGETS.headroomLatencyMs : Math.max(...sweeps.map((s) => s.latencyMs));
  const basis = sweeps.filter((s) => s.latencyMs === basisLatencyMs).sort((a, b) => a.size - b.size);
  const points = basis.map((s) => [run(s, 'sweep')?.configCalls ?? 0, run(s, 'sweep')?.wallMs ?? 0] as const);
  const extra = TARGETS.headroomLatencyMs - basisLatencyMs;
  const line = fit(points);
  const perPageMs = line.slope + extra;
  const fixedMs = Math.max(0, line.intercept);
  const pages100k = Math.ceil(TARGETS.largeSize / 100);
  const exact = basis.find((s) => s.size === TARGETS.largeSize);
  const sweep150Ms = at150.length && exact ? (run(exact, 'sweep')?.wallMs ?? 0) : fixedMs + perPageMs * pages100k;
  // The reader stops once the time left is under RESERVE_MS plus the time to write 2 items per source read.
  const budget = results.bundle.timeoutSeconds * 1000 - RESERVE_MS - fixedMs;
  const maxPagesByTime = Math.max(0, Math.floor(budget / (perPageMs + 100 * WRITE_MS_PER_SOURCE)));
  const maxSourcesByTime = maxPagesByTime * 100;
  const largestBasis = basis.at(-1);
  const fakeMsPerPage = largestBasis?.bareFull.serverMsPerCall ?? 0;

  // Memory: the live heap of the largest organization measured (full collections happen there), over the heap a
  // fresh process has; V8 needs room for garbage beside the live set, taken here as much again (2x).
  const largest = [...results.scenarios].sort((a, b) => b.size - a.size)[0];
  const live = largest ? Math.max(...largest.runs.map((r) => r.liveHeapMb)) : 0;
  const liveBaseMb = results.init.heapMb;
  const liveKbPerSource = largest && live > liveBaseMb ? ((live - liveBaseMb) * 1024) / largest.size : 0;
  const steady = largest ? run(largest, 'steady') : undefined;
  const otherMb = steady ? Math.max(0, steady.maxRssMb - steady.peakHeapTotalMb) : results.init.rssMb;
  const heapRoom = (results.bundle.memoryMb - otherMb) / 2 - liveBaseMb;
  const maxSourcesByMemory = liveKbPerSource > 0 ? Math.floor((heapRoom * 1024) / liveKbPerSource) : Number.POSITIVE_INFINITY;

  return {
    measured: at150.length > 0,
    basisLatencyMs,
    pages100k,
    sweep150Ms,
    fixedMs,
    perPageMs,
    fakeMsPerPage,
    maxPagesByTime,
    maxSourcesByTime,
    liveBaseMb,
    liveKbPerSource,
    otherMb,
    maxSourcesByMemory,
    largest: Math.min(maxSourcesByTime, maxSourcesByMemory),
  };
}

/** Least squares line through the points (a single point: through the origin). */
function fit(points: readonly (readonly [number, number])[]): { intercept: number; slope: number } {
  if (points.length === 0) return { intercept: 0, slope: 0 };
  if (points.length === 1) {
    const [[px, py]] = points as [readonly [number, number]];
    return { intercept: 0, slope: px === 0 ? 0 : py / px };
  }
  const mx = points.reduce((s, [px]) => s + px, 0) / points.length;
  const my = points.reduce((s, [, py]) => s + py, 0) / points.length;
  const sxx = points.reduce((s, [px]) => s + (px - mx) ** 2, 0);
  const sxy = points.reduce((s, [px, py]) => s + (px - mx) * (py - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

// ---- machine -------------------------------------------------------------------------------------------------------

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: os.cpus() it is
  }
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain -- lambda core adapters lib', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    if (dirty) commit += ' (with uncommitted changes in the function or stack sources)';
  } catch {
    // not a git checkout
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    os = `${/^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform} (${process.arch})`;
  } catch {
    // keep platform and arch
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    os,
    date: new Date().toISOString(),
    commit,
    load: { start: loadavg()[0] ?? 0 },
  };
}

// ---- markdown ------------------------------------------------------------------------------------------------------

const n = (v: number) => v.toLocaleString('en-US');
const s1 = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1_000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB (${n(bytes)} bytes)`;
const mark = (v: Verdict) => (v === 'met' ? 'met' : v === 'missed' ? '**MISSED**' : 'not measured');
const unique = (v: string, i: number, a: string[]) => a.indexOf(v) === i;

export function renderReport(results: BenchResults): string {
  const m = results.machine;
  const lines: string[] = [];
  const p = (line = '') => lines.push(line);
  const latencies = [...new Set(results.scenarios.map((s) => s.latencyMs))];
  const targets = evaluateTargets(results);
  const cap = capacity(results);
  const timeoutMs = results.bundle.timeoutSeconds * 1000;

  p('# Benchmarks');
  p();
  p('How close one run of the monitor comes to the floor the AWS Config API sets: a full read of N sources is');
  p('ceil(N/100) sequential DescribeConfigurationAggregatorSourcesStatus calls; at steady state (the fast path) only');
  p('the FAILED and OUTDATED sources are read. Generated by `tools/bench/run.ts`: every number and verdict below is');
  p('computed by it from the measurements. Do not edit by hand: re-run it.');
  p();
  p('## Machine');
  p();
  p(`- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB.toFixed(1)} GiB; ${m.os}`);
  p(`- Node.js ${m.node}; the function itself runs on ${results.bundle.runtime} in Lambda with ${results.bundle.memoryMb} MB and a ${results.bundle.timeoutSeconds} s timeout`);
  const heap = results.bundle.heapFlags ?? [];
  p(
    heap.length
      ? `- Every process ran with \`${heap.join(' ')}\`, the heap limits Lambda's Node.js runtime gives a ${results.bundle.memoryMb} MB function`
      : "- Processes ran with Node's default heap limits",
  );
  if (results.nodeArgs.length) p(`- Handler processes also ran with \`${results.nodeArgs.join(' ')}\``);
  p(`- Date: ${m.date}; commit ${m.commit}`);
  p(`- Load average (1 min) at the start ${m.load.start.toFixed(2)}, at the end ${m.load.end?.toFixed(2) ?? '-'} (${m.cores} cores: anything else running skews the times)`);
  p(`- Command: \`${results.command}\` (${(results.durationMs / 60_000).toFixed(1)} min)`);
  p();
  p('## How to reproduce');
  p();
  p('```sh');
  p('npm ci');
  p('npm run bench                      # 1,000 / 10,000 / 100,000 sources at 50 ms per Config call (about 6 min)');
  p('npm run bench -- --quick           # 1,000 and 10,000 sources at 0 ms (under a minute)');
  p('npm run bench -- --latency-ms 0,50,150   # this report (docs/benchmarks.md), 150 ms included (about 20 min)');
  p('```');
  p();
  p("The app is synthesized as `cdk deploy` would, and the function's esbuild bundle, Handler, Timeout, MemorySize and");
  p('environment are taken from the cloud assembly. For each latency and size, a fresh local mode (`tools/local`: fake');
  p('Config adding the latency to every call, dynalite behind the recording proxy, fake SNS) serves a seeded simulated');
  p('organization of N/10 accounts x 10 regions, about 1.3% of its sources FAILED or OUTDATED. Each step is a fresh');
  p('Node.js process: the bare loop (the handler\'s own Config client, bundled the same way, paging through the same');
  p('endpoint and nothing else: all sources, then FAILED+OUTDATED only), then the bundle\'s handler invoked with');
  p('scheduled events: the first run at T, steady state at T+15 min (fast path), a later full sweep at T+6 h');
  p('(FULL_SWEEP_HOURS=6; only LastUpdateTime moved in between). Times are the invocation alone (module initialisation');
  p('is measured on its own). Ratios: first run and full sweep over the bare loop over all sources; steady state over');
  p('the bare loop over FAILED+OUTDATED. Config calls are counted at the fake endpoint; DynamoDB write requests and');
  p('items (BatchWriteItem entries, PutItems) at the proxy; publishes at the fake SNS.');
  p();
  p('Peak RSS is VmHWM from `/proc/self/status`, the process\'s own high-water mark: getrusage\'s maxRSS is not used');
  p('because Linux carries it over from the forked parent, which holds dynalite and the simulated organization.');
  p('Live heap is the largest heap left after a full (mark-compact) collection, read from `--trace-gc` (which reports');
  p('collections and changes none): what the run really keeps. The rest of the peak RSS is Node itself (about 60 MB)');
  p('and garbage V8 had not collected yet: it lets the old generation grow to a few times the live set before a full');
  p('collection. How far depends on the heap limits, so every process runs with the ones Lambda\'s Node.js runtime');
  p('starts the function with: its bootstrap gives V8 a tenth of the configured memory for the young generation (half');
  p('of it per semi-space) and the rest for the old generation. (A `--max-old-space-size` in the function\'s');
  p('NODE_OPTIONS would not lower that: the bootstrap passes its flags on the command line, which wins.)');
  p();
  p('## Targets');
  p();
  p('| Target | Measured | Verdict |');
  p('|---|---|---|');
  for (const t of targets) p(`| ${t.target} | ${t.measured}${t.note ? ` (${t.note})` : ''} | ${mark(t.verdict)} |`);
  p();

  for (const latency of latencies) {
    const scenarios = results.scenarios.filter((s) => s.latencyMs === latency);
    p(`## ${latency} ms per Config call`);
    p();
    p('| Sources | Run | Mode | Time | Bare loop | Ratio | Config calls (min) | DynamoDB writes: requests / items | SNS publishes | Peak RSS | Live heap |');
    p('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of scenarios) {
      for (const r of s.runs) {
        const bare = r.kind === 'steady' ? s.bareFast : s.bareFull;
        const label = r.kind === 'first' ? 'first run' : r.kind === 'steady' ? 'steady state (T+15 min)' : 'full sweep (T+6 h)';
        const mode = r.outcome === 'ok' ? `${r.mode}${r.sweepReason ? ` (${r.sweepReason})` : ''}` : `**error**: ${r.error ?? ''}`;
        p(
          `| ${n(s.size)} | ${label} | ${mode} | ${s1(r.wallMs)} | ${s1(bare.medianMs)} | ${x(ratio(r, bare))} | ` +
            `${n(r.configCalls)} (${n(r.minCalls)}) | ${n(r.writes.requests)} / ${n(r.writes.items)} | ${r.snsPublishes} | ` +
            `${r.maxRssMb.toFixed(0)} MB | ${r.liveHeapMb > 0 ? `${r.liveHeapMb.toFixed(0)} MB` : `< ${r.peakHeapUsedMb.toFixed(0)} MB`} |`,
        );
      }
    }
    p();
    p(
      'Organizations: ' +
        scenarios.map((s) => `${n(s.size)} sources, ${n(s.nonSucceeded)} not SUCCEEDED (${((100 * s.nonSucceeded) / s.size).toFixed(1)}%)`).join('; ') +
        '. Bare loop samples in ms, all sources / FAILED+OUTDATED: ' +
        scenarios.map((s) => `${n(s.size)}: ${s.bareFull.samplesMs.map((v) => v.toFixed(0)).join(', ')} / ${s.bareFast.samplesMs.map((v) => v.toFixed(0)).join(', ')}`).join('; ') +
        '. The fake Config\'s own time per call beyond the latency (it is part of the bare loop too): ' +
        scenarios.map((s) => `${n(s.size)}: ${s.bareFull.serverMsPerCall.toFixed(1)} ms`).join(', ') +
        '. Live heap "< X": no full collection happened during the run; X is the peak heap in use.',
    );
    p();
    p('First run: where the time goes, and how fast each partition key is written (items per sliding 1-second window)');
    p();
    p('| Sources | Items written (requests) | Items in table (expected) | Reading | Recording | Write rate | Peak per table pk (key) | Peak per index pk (key) |');
    p('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of scenarios) {
      const r = run(s, 'first');
      const f = r?.first;
      if (!r || !f) continue;
      p(
        `| ${n(s.size)} | ${n(r.writes.items)} (${n(r.writes.requests)}) | ${n(f.itemsInTable)} (${n(f.expectedItems)}) | ${s1(f.readMs)} | ${s1(f.recordMs)} | ` +
          `${rateText(r)} | ${n(f.peakTable?.perSecond ?? 0)}/s (${f.peakTable?.key ?? '-'}) | ${n(f.peakIndex?.perSecond ?? 0)}/s (${f.peakIndex?.key ?? '-'}) |`,
      );
    }
    p();
  }

  p('## Bundle and cold start');
  p();
  p(`- Asset: ${kb(results.bundle.bytes)}: ${results.bundle.files.map((f) => `\`${f.name}\` ${n(f.bytes)} bytes`).join(', ')} (minified ESM, AWS SDK bundled).`);
  p(
    `- Module initialisation (import of the bundle in a fresh process with the function's environment): median ${results.init.medianMs.toFixed(0)} ms; ` +
      `samples ${results.init.samplesMs.map((v) => v.toFixed(0)).join(', ')} ms; RSS after it ${results.init.rssMb.toFixed(0)} MB, heap ${results.init.heapMb.toFixed(0)} MB.`,
  );
  p();

  p('## Largest organization per run');
  p();
  if (!cap) {
    p('No full sweep was measured.');
  } else {
    p(
      `${cap.measured ? 'Measured' : `Estimated from the ${cap.basisLatencyMs} ms runs`} at ${TARGETS.headroomLatencyMs} ms per call, a full sweep costs ` +
        `${cap.fixedMs >= 1 ? `${s1(cap.fixedMs)} + ` : ''}${cap.perPageMs.toFixed(1)} ms per page (least squares over the later full sweeps${cap.measured ? '' : `, plus ${TARGETS.headroomLatencyMs - cap.basisLatencyMs} ms per page`}), ` +
        `of which ${cap.fakeMsPerPage.toFixed(1)} ms is the local fake's own work per call; ${n(TARGETS.largeSize)} sources: ${s1(cap.sweep150Ms)}, ` +
        `${x(timeoutMs / cap.sweep150Ms)} within the ${results.bundle.timeoutSeconds} s timeout.`,
    );
    p();
    p(
      `- Time: the reader stops before a page once the time left is under RESERVE_MS = ${RESERVE_MS / 1000} s plus ` +
        `${WRITE_MS_PER_SOURCE.toFixed(3)} ms per source read so far, the time to write its history entry and state at ` +
        `${n(WRITE_ITEMS_PER_SECOND)} items/s (lambda/run.ts): so even a run in which every source changed ends its writes ` +
        `before the timeout. One run reads at most (${results.bundle.timeoutSeconds} s - ${RESERVE_MS / 1000} s${cap.fixedMs >= 1 ? ` - ${s1(cap.fixedMs)}` : ''}) / ` +
        `(${cap.perPageMs.toFixed(1)} ms + 100 x ${WRITE_MS_PER_SOURCE.toFixed(3)} ms) = ${n(cap.maxPagesByTime)} pages: ` +
        `**${n(cap.maxSourcesByTime)} sources**, all the run's aggregators together (more against the real API, without the fake's ${cap.fakeMsPerPage.toFixed(1)} ms per page).`,
    );
    p(
      `- Memory: the live heap grows by ${cap.liveKbPerSource.toFixed(2)} KiB per source over the ${cap.liveBaseMb.toFixed(0)} MB of a fresh process; ` +
        `besides its heap a run needs about ${cap.otherMb.toFixed(0)} MB; giving V8 as much room again for garbage, the function's ${results.bundle.memoryMb} MB ` +
        `hold about **${Number.isFinite(cap.maxSourcesByMemory) ? n(cap.maxSourcesByMemory) : 'any number of'} sources**.`,
    );
    p();
    p(
      `Largest organization one run covers: **about ${n(Math.floor(cap.largest / 10_000) * 10_000)} sources** ` +
        `(${cap.largest === cap.maxSourcesByTime ? 'bounded by time' : 'bounded by memory, an estimate: the time bound is measured'}).`,
    );
    p();
    p(
      '- Beyond the time bound the handler stops reading with a DeadlineError before the deadline, records nothing from the ' +
        'partial list (it would look like mass removals), fails the invocation (error alarm) and publishes a notice that the ' +
        'aggregator could not be watched (reminded every REMIND_AFTER_HOURS); later runs fail the same way until the ' +
        'organization fits again: loud, never silent.',
    );
    if (cap.largest < cap.maxSourcesByTime) {
      p(
        `- Between about ${n(Math.floor(cap.maxSourcesByMemory / 10_000) * 10_000)} and ${n(cap.maxSourcesByTime)} sources the run would read in time but ` +
          'risks running out of memory: Lambda ends it, the error alarm fires and the event goes to the dead-letter queue, ' +
          'but no notice is published (more memory for the function moves this bound).',
      );
    }
    p(
      '- Should the writes still run late (DynamoDB throttling for long), the store starts no batch with less than ' +
        'RESERVE_MS left: the run fails with a DeadlineError saying how many items it wrote, notifies, and the next run ' +
        'writes the rest (history may then hold a change twice, at both run times; state is never lost).',
    );
  }
  p();

  p('## Write rate per partition key');
  p();
  const spread = spreadFactor(results);
  p(`The store paces its writes at ${n(WRITE_ITEMS_PER_SECOND)} items/s, all batches together, a quarter second of it at once`);
  p('(adapters/store/rate-limiter.ts), which a new on-demand table takes before it scales (4,000 write units/s). Current');
  p(`state is spread over ${SHARDS} partition keys per aggregator, the transitions index likewise (adapters/store/table-schema.ts);`);
  p('history keys are per account (10 items each here). So no second sees more than 1.25 x the pace, whatever DynamoDB\'s');
  p(`speed: ${n(Math.round((1.25 * WRITE_ITEMS_PER_SECOND) / SHARDS))} items/s per key on average, ${n(TARGETS.peakWritesPerKey)} allowed.`);
  if (spread) {
    p(
      `Measured: the busiest current-state key peaked at ${n(spread.peak)} items/s while the mean over the ${SHARDS} keys was ${n(Math.round(spread.mean))}/s ` +
        `(${spread.factor.toFixed(2)}x, the hash's unevenness and the per-second windows together).`,
    );
  }
  p();
  return `${lines.join('\n')}\n`;
}

function rateText(r: RunMeasure): string {
  const span = r.first?.writeSpanMs ?? 0;
  return span > 0 ? `${n(Math.round(r.writes.items / (span / 1000)))} items/s` : '-';
}

/** Busiest current-state key over the mean of all of them, during the largest first run. */
function spreadFactor(results: BenchResults): { peak: number; mean: number; factor: number } | undefined {
  const largest = results.scenarios
    .filter((s) => run(s, 'first')?.first?.peakTable?.key.startsWith('CUR#'))
    .sort((a, b) => b.size - a.size)[0];
  const r = largest ? run(largest, 'first') : undefined;
  const f = r?.first;
  if (!r || !f?.peakTable || f.writeSpanMs <= 0) return undefined;
  const cur = r.writes.byKind.CUR ?? 0;
  // Current state is written after history: its share of the write span, at the run's overall item rate.
  const seconds = (f.writeSpanMs / 1000) * (cur / Math.max(1, r.writes.items));
  const mean = cur / SHARDS / Math.max(seconds, 1);
  return { peak: f.peakTable.perSecond, mean, factor: f.peakTable.perSecond / mean };
}
