/** The largest organization one run can cover, modelled from the measured full sweeps and live heap. */
import { RESERVE_MS, WRITE_MS_PER_SOURCE } from '../../../lambda/run';
import { run, type BenchResults } from './results';
import { TARGETS } from './targets';

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
