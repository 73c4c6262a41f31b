/**
 * The benchmark's results as tools/bench/run.ts records them (the input of the verdicts and the report), and the
 * accessors the verdicts and the report share.
 */
import type { RateState, StepName } from '../../../core/workflow';
import type { StepStats } from '../engine';
import type { PeakRate, WriteCounts } from '../measure';

export type RunKind = 'first' | 'steady' | 'sweep';

/** One run: an execution of the run's state machine, its Tasks each a fresh worker process. */
export interface RunMeasure {
  readonly kind: RunKind;
  readonly at: string;
  /** ok: the execution SUCCEEDED and every aggregator's run summary says ok. */
  readonly outcome: 'ok' | 'error';
  readonly status: string;
  readonly error?: string;
  /** Each aggregator's mode (and sweep reason), from its run summary: `full (first-run)`, `fast`. */
  readonly modes: readonly string[];
  readonly sourcesRead: number;
  readonly historyWritten: number;
  readonly stateWritten: number;
  /** From StartExecution to the execution's close, ms. */
  readonly wallMs: number;
  /** From the first ReadRound invocation's start to the last one's end, ms. */
  readonly readMs: number;
  /** Per kind of Task, from its first process's spawn to its last invocation's end: the run's phases, ms. */
  readonly phases: Partial<Record<StepName, number>>;
  /** Read rounds: invocations of the read step. */
  readonly readRounds: number;
  readonly tasks: number;
  /** States entered (Standard workflows bill state transitions) and the execution's history events (quota 25,000). */
  readonly transitions: number;
  readonly historyEvents: number;
  readonly steps: Partial<Record<StepName, StepStats>>;
  /** DescribeConfigurationAggregatorSourcesStatus calls the fake Config received (retries included), all aggregators. */
  readonly configCalls: number;
  /** The most any one aggregator received. */
  readonly maxCallsPerAggregator: number;
  /** The API's minimum for one aggregator: ceil(N/100) for a full read, ceil(FAILED+OUTDATED/100) for the fast path. */
  readonly minCalls: number;
  readonly dynamodbRequests: number;
  readonly writes: WriteCounts;
  readonly snsPublishes: number;
  /** Largest peak RSS (VmHWM) and live heap of any of the run's invocations, MB. */
  readonly maxRssMb: number;
  readonly liveHeapMb: number;
  readonly first?: {
    /** Current-state items written (CUR), against the sources read: every source's state recorded. */
    readonly statesWritten: number;
    readonly peakTable?: PeakRate;
    readonly peakIndex?: PeakRate;
    readonly keys: { readonly table: number; readonly index: number };
    readonly writeSpanMs: number;
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

export type ScenarioName = 'one' | 'many' | 'large';

export interface ScenarioResult {
  readonly name: ScenarioName;
  /** Aggregators, and sources in each. */
  readonly aggregators: number;
  readonly size: number;
  readonly latencyMs: number;
  readonly aggregatorConcurrency: number;
  readonly reconcileConcurrency: number;
  /** Of the first aggregator. */
  readonly counts: Readonly<Record<string, number>>;
  readonly nonSucceeded: number;
  /** Of all the aggregators together. */
  readonly nonSucceededAll?: number;
  readonly populateMs: number;
  /** The bare loops over one aggregator (the first). */
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

export interface BundleMeasure {
  readonly bytes: number;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  readonly runtime: string;
  readonly memoryMb: number;
  /** The heap limits Lambda's runtime sets for memoryMb; every process of this function ran with them. */
  readonly heapFlags: readonly string[];
  readonly timeoutSeconds: number;
  readonly init: { readonly samplesMs: readonly number[]; readonly medianMs: number; readonly rssMb: number; readonly heapMb: number };
}

export interface BenchResults {
  readonly machine: Machine;
  readonly command: string;
  readonly durationMs: number;
  /** Extra Node.js flags the worker's processes ran with, after the heap limits. */
  readonly nodeArgs: readonly string[];
  /** Where the state machine came from: the synthesized stack's. */
  readonly definition: 'template';
  readonly worker: BundleMeasure;
  readonly dispatcher: BundleMeasure;
  readonly scenarios: readonly ScenarioResult[];
  /** `--quota` reads, when measured (absent in older results). */
  readonly quota?: readonly QuotaMeasure[];
}

export const run = (s: ScenarioResult, kind: RunKind) => s.runs.find((r) => r.kind === kind);
export const ratio = (r: RunMeasure | undefined, bare: BareMeasure) => (r ? r.wallMs / bare.medianMs : Number.NaN);
/** Items the monitor itself writes (states, history, aggregator records, run summaries); the rest are the engine's working items. */
export const MONITOR_KINDS = ['CUR', 'SRC', 'AGG', 'RUNS'] as const;
export const engineItems = (w: WriteCounts) => Object.entries(w.byKind).filter(([k]) => !(MONITOR_KINDS as readonly string[]).includes(k)).reduce((sum, [, v]) => sum + v, 0);
export const quotaRatio = (q: QuotaMeasure) => q.wallMs / q.floorMs;
