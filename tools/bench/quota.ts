/**
 * `npm run bench -- --quota R [--sources N] [--aggregators K] [--latency-ms L]`: a full read of N sources (K
 * aggregators of N/K, read in parallel) under a Config quota of R requests per sliding second, by the worker's own
 * process setup (quota-loop.ts: lambda/clients.ts's Config client and its one rate budget), in a fresh process
 * like every other step of the benchmark. Twice: cold (a first run), then seeded with what the cold read learned
 * (the next read round or run). Each against its floor, N/(100 R) s; the target is 1.1x (docs/decisions/engine.md).
 *
 * The results join a full run's saved results (--json, when that file exists: docs/benchmarks.md is then
 * re-rendered from them, nothing else re-measured); otherwise they are written to .bench/quota.json and the report's
 * rows printed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RateState } from '../../core/workflow';
import { startLocalMode } from '../local/local-mode';
import { SimulatedOrganization } from '../local/simulated-organization';
import { buildHelpers, type HelperBundles } from './artifacts';
import type { ChildResult, ChildSpec } from './child';
import type { QuotaLoopResult } from './quota-loop';
import { quotaSection, quotaTarget } from './report/quota';
import { renderReport } from './report/render';
import type { BenchResults, QuotaMeasure } from './report/results';

export interface QuotaArgs {
  readonly quota: number;
  readonly sources: number;
  readonly aggregators: number;
  readonly latencyMs: number;
  readonly seed: number;
  readonly regions: readonly string[];
}

type RunChild = (helpers: HelperBundles, spec: ChildSpec, env: Record<string, string>) => Promise<ChildResult>;

/** The whole --quota mode in run.ts's work directory, which it removes; then ends the process. */
export async function runQuotaMode(a: QuotaArgs, files: { json: string; out: string }, work: string, runChild: RunChild, log: (line: string) => void): Promise<never> {
  try {
    log(`quota ${a.quota} req/s; ${a.sources} sources in ${a.aggregators} aggregators; latency ${a.latencyMs} ms; work dir ${work}`);
    const helpers = await buildHelpers(join(work, 'helpers'));
    writeQuota(await measureQuota(a, helpers, runChild, log), files, log);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

/** Checks the arguments, naming the bad one. */
export function quotaArgs(values: { quota: string; sources?: string; aggregators?: string }, latencyMs: number, seed: number, regions: readonly string[]): QuotaArgs {
  const quota = Number(values.quota);
  if (!Number.isFinite(quota) || quota <= 0) throw new Error(`--quota: "${values.quota}" is not a positive number of requests per second`);
  const aggregators = Number(values.aggregators ?? '4');
  if (!Number.isInteger(aggregators) || aggregators < 1 || aggregators > 50) throw new Error(`--aggregators: "${values.aggregators}" is not a whole number from 1 to 50`);
  const sources = Number((values.sources ?? '20000').replace(/_/g, ''));
  const unit = aggregators * regions.length * 100;
  if (!Number.isInteger(sources) || sources < unit || sources % unit !== 0) {
    throw new Error(`--sources: "${values.sources}" is not a multiple of ${unit} (${aggregators} aggregators x ${regions.length} regions x 100, whole pages each)`);
  }
  return { quota, sources, aggregators, latencyMs, seed, regions };
}

export async function measureQuota(a: QuotaArgs, helpers: HelperBundles, runChild: RunChild, log: (line: string) => void): Promise<QuotaMeasure[]> {
  const org = new SimulatedOrganization({ now: '2026-03-02T00:00:00.000Z', seed: a.seed });
  const names = Array.from({ length: a.aggregators }, (_, i) => `org-aggregator-${i + 1}`);
  for (const [i, name] of names.entries()) {
    org.populate(name, { accounts: a.sources / a.aggregators / a.regions.length, regions: a.regions, seed: a.seed + i, firstAccountId: 100_000_000_000 + i * 1_000_000 });
  }
  const local = await startLocalMode({ org, settings: { aggregators: names }, configLatencyMs: a.latencyMs });
  local.config.recordInput = false;
  local.config.throttleAbovePerSecond = a.quota;
  const env = { PATH: process.env.PATH ?? '', TZ: ':UTC', ...local.env };
  const floorMs = (a.sources / 100 / a.quota) * 1000;
  const out: QuotaMeasure[] = [];
  try {
    let seed: RateState | undefined;
    for (const start of ['cold', 'seeded'] as const) {
      if (start === 'seeded' && !seed) break;
      // A second apart: the fake's sliding window forgets the cold read before the seeded one starts.
      await new Promise((r) => setTimeout(r, 1_100));
      const before = local.config.requests.length;
      const r = await runChild(helpers, { mode: 'quota', module: helpers.quotaLoop, aggregators: names, ...(seed ? { seed } : {}), resultFile: '' }, env);
      const requests = local.config.requests.slice(before);
      const result = r.result as QuotaLoopResult | undefined;
      const m: QuotaMeasure = {
        quota: a.quota,
        sources: a.sources,
        aggregators: a.aggregators,
        latencyMs: a.latencyMs,
        start,
        ...(seed ? { seed } : {}),
        outcome: r.ok && result?.sources === a.sources ? 'ok' : 'error',
        ...(r.ok ? (result?.sources === a.sources ? {} : { error: `read ${result?.sources} of ${a.sources} sources` }) : { error: `${r.error?.name}: ${r.error?.message}` }),
        wallMs: r.runMs ?? Number.NaN,
        floorMs,
        pages: result?.pages ?? 0,
        requests: requests.length,
        throttled: requests.filter((q) => q.errorCode === 'ThrottlingException').length,
        ...(result ? { state: result.state } : {}),
      };
      out.push(m);
      log(
        `  R = ${a.quota}, ${a.sources} sources, ${start}: ${m.outcome} in ${(m.wallMs / 1000).toFixed(1)} s, ${(m.wallMs / floorMs).toFixed(3)}x the floor ` +
          `(${(floorMs / 1000).toFixed(1)} s); ${m.requests} requests, ${m.throttled} throttled; learned ${JSON.stringify(m.state)}${m.error ? `; ${m.error}` : ''}`,
      );
      seed = result?.state;
    }
  } finally {
    await local.close();
  }
  return out;
}

/** Joins a full run's saved results and re-renders the report from them, or saves and prints the rows alone. */
export function writeQuota(quota: readonly QuotaMeasure[], files: { json: string; out: string }, log: (line: string) => void): void {
  const json = resolve(files.json);
  if (existsSync(json)) {
    const saved = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    const others = (saved.quota ?? []).filter((q) => !quota.some((m) => m.quota === q.quota && m.sources === q.sources && m.start === q.start));
    const merged: BenchResults = { ...saved, quota: [...others, ...quota] };
    writeFileSync(json, JSON.stringify(merged, null, 2));
    writeFileSync(resolve(files.out), renderReport(merged));
    log(`quota rows added to ${json}; ${files.out} re-rendered from it`);
    return;
  }
  const alone = resolve('.bench/quota.json');
  mkdirSync(dirname(alone), { recursive: true });
  writeFileSync(alone, JSON.stringify({ quota }, null, 2));
  const target = quotaTarget(quota);
  process.stdout.write(`${[...quotaSection(quota), `Target: ${target.target}: ${target.measured} -> ${target.verdict}`].join('\n')}\n`);
  log(`no saved full results at ${json}: quota rows written to ${alone} (a full run's --json takes them in)`);
}
