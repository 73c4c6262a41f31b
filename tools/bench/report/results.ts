/**
 * The benchmark's results as tools/bench/run.ts records them (the input of the verdicts and the report), and the
 * accessors the verdicts and the report share.
 */
import type { RateState } from '../../../core/workflow';
import type { PeakRate, WriteCounts } from '../measure';

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

/** One read of N sources under a Config quota of R req/s (`--quota`), by the worker's own process setup. */
export interface QuotaMeasure {
  /** R: the fake Config's account-wide requests per sliding second. */
  readonly quota: number;
  readonly sources: number;
  readonly aggregators: number;
  readonly latencyMs: number;
  /** cold: a first run's limiter; seeded: started from what the cold read learned, as the next round is. */
  readonly start: 'cold' | 'seeded';
  readonly seed?: RateState;
  readonly outcome: 'ok' | 'error';
  readonly error?: string;
  /** The read alone (in the child process), ms. */
  readonly wallMs: number;
  /** The floor the quota sets: the pages (N/100) at R per second, ms. */
  readonly floorMs: number;
  readonly pages: number;
  /** Requests the fake Config received, and how many of them it throttled. */
  readonly requests: number;
  readonly throttled: number;
  /** What the limiter had learned at the end. */
  readonly state?: RateState;
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
  /** `--quota` reads, when measured (absent in older results). */
  readonly quota?: readonly QuotaMeasure[];
}

export const run = (s: ScenarioResult, kind: RunKind) => s.runs.find((r) => r.kind === kind);
export const ratio = (r: RunMeasure | undefined, bare: BareMeasure) => (r ? r.wallMs / bare.medianMs : Number.NaN);
export const quotaRatio = (q: QuotaMeasure) => q.wallMs / q.floorMs;
