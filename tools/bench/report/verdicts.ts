/** The issue's targets, evaluated on the benchmark's results: every verdict in the report is computed here. */
import { WRITE_ITEMS_PER_SECOND } from '../../../adapters/store/table-schema';
import { capacity } from './capacity';
import { quotaTarget } from './quota';
import { n, s1, x, kb, unique } from './format';
import { ratio, run, type BenchResults } from './results';
import { TARGETS } from './targets';

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
  /** How the verdict was reached when it is not a direct measurement. */
  readonly note?: string;
}

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
  out.push(quotaTarget(results.quota));
  return out;
}
