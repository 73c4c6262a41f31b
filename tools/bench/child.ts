/**
 * One measured step of the benchmark, in a fresh Node.js process (bundled by bundle.ts, run by run.ts):
 *
 *   node child.mjs '<Spec as JSON>'
 *
 * - init:    imports the module (the Lambda bundle) and stops: module initialisation time;
 * - handler: imports the bundle and invokes its handler once, as the Lambda runtime would (event, context with
 *            the function's timeout), timing the invocation alone;
 * - bare:    imports the bare paging loop (bare-loop.ts, bundled the same way) and runs it once;
 * - quota:   imports the reader under a quota (quota-loop.ts, bundled the same way) and runs it once.
 *
 * The outcome, with the process's peak resident set size, is written as JSON to `resultFile`. Exit code 0 when
 * the step ran (a handler that threw is an outcome too), 2 when the module could not be loaded.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { RateState } from '../../core/workflow';

export type ChildSpec =
  | { readonly mode: 'init'; readonly module: string; readonly resultFile: string }
  | {
      readonly mode: 'handler';
      readonly module: string;
      readonly exportName: string;
      readonly event: unknown;
      readonly timeoutMs: number;
      readonly memoryMb: number;
      readonly resultFile: string;
    }
  | {
      readonly mode: 'bare';
      readonly module: string;
      readonly aggregator: string;
      readonly statuses?: readonly string[];
      readonly resultFile: string;
    }
  | {
      readonly mode: 'quota';
      readonly module: string;
      readonly aggregators: readonly string[];
      readonly seed?: RateState;
      readonly resultFile: string;
    };

export interface ChildResult {
  readonly ok: boolean;
  readonly initMs: number;
  /** Time of the invocation (or of the bare loop) alone, in ms. */
  readonly runMs?: number;
  /** Epoch ms at which the invocation (or loop) started and ended, to place the endpoints' records in it. */
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** What the handler returned, or the report a MonitorRunError carried. */
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly stack?: string };
  /** process.resourceUsage().maxRSS, in KiB. */
  readonly maxRssKiB: number;
  /** VmHWM from /proc/self/status, in KiB (Linux). */
  readonly vmHwmKiB?: number;
  /** Highest values process.memoryUsage() showed, sampled every 20 ms, in bytes. */
  readonly peakMemory: { readonly heapUsed: number; readonly heapTotal: number; readonly external: number; readonly rss: number };
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
type BareLoop = (aggregator: string, statuses?: readonly string[]) => Promise<unknown>;
type QuotaLoop = (aggregators: readonly string[], seed?: RateState) => Promise<unknown>;

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
const peakMemory = { heapUsed: 0, heapTotal: 0, external: 0, rss: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peakMemory.heapUsed = Math.max(peakMemory.heapUsed, m.heapUsed);
  peakMemory.heapTotal = Math.max(peakMemory.heapTotal, m.heapTotal);
  peakMemory.external = Math.max(peakMemory.external, m.external);
  peakMemory.rss = Math.max(peakMemory.rss, m.rss);
};
setInterval(sample, 20).unref();
const write = (result: Omit<ChildResult, 'maxRssKiB' | 'vmHwmKiB' | 'peakMemory'>) => {
  sample();
  const full: ChildResult = { ...result, maxRssKiB: process.resourceUsage().maxRSS, ...vmHwm(), peakMemory };
  writeFileSync(spec.resultFile, JSON.stringify(full));
};

const started = performance.now();
let mod: Record<string, unknown>;
try {
  mod = (await import(pathToFileURL(spec.module).href)) as Record<string, unknown>;
} catch (e) {
  write({ ok: false, initMs: performance.now() - started, error: errorOf(e) });
  process.exit(2);
}
const initMs = performance.now() - started;

try {
  if (spec.mode === 'init') {
    write({ ok: true, initMs });
  } else if (spec.mode === 'handler') {
    const handler = mod[spec.exportName] as Handler;
    const context = lambdaContext(spec.timeoutMs, spec.memoryMb);
    const startedAt = Date.now();
    const t = performance.now();
    try {
      const result = await handler(spec.event, context);
      write({ ok: true, initMs, runMs: performance.now() - t, startedAt, endedAt: Date.now(), result });
    } catch (e) {
      const runMs = performance.now() - t;
      const report = (e as { report?: unknown }).report;
      write({ ok: false, initMs, runMs, startedAt, endedAt: Date.now(), error: errorOf(e), ...(report ? { result: report } : {}) });
    }
  } else if (spec.mode === 'quota') {
    const loop = mod.quotaLoop as QuotaLoop;
    const startedAt = Date.now();
    const t = performance.now();
    const result = await loop(spec.aggregators, spec.seed);
    write({ ok: true, initMs, runMs: performance.now() - t, startedAt, endedAt: Date.now(), result });
  } else {
    const loop = mod.bareLoop as BareLoop;
    const startedAt = Date.now();
    const t = performance.now();
    const result = await loop(spec.aggregator, spec.statuses);
    write({ ok: true, initMs, runMs: performance.now() - t, startedAt, endedAt: Date.now(), result });
  }
} catch (e) {
  write({ ok: false, initMs, error: errorOf(e) });
}
process.exit(0);

/** What the Lambda runtime hands the handler; the remaining time counts down from the function's timeout. */
function lambdaContext(timeoutMs: number, memoryMb: number): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'config-aggregator-watch-bench';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function vmHwm(): { vmHwmKiB?: number } {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] ? { vmHwmKiB: Number(m[1]) } : {};
  } catch {
    return {};
  }
}

function errorOf(e: unknown): { name: string; message: string; stack?: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}
