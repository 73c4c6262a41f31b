/** The report's rows for reads under a Config quota (`npm run bench -- --quota R`): the verdict and the section. */
import { n, s1, x } from './format';
import { quotaRatio, type QuotaMeasure } from './results';
import { TARGETS } from './targets';
import type { TargetResult } from './verdicts';

const rate = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(2));

/** The target: every seeded read within TARGETS.quotaRatio of its floor (the cold ones are reported, not judged). */
export function quotaTarget(quota: readonly QuotaMeasure[] | undefined): TargetResult {
  const target = `Under a Config quota of R req/s, a full read of N sources within ${TARGETS.quotaRatio}x N/(100 R) s, once the rate is learned (seeded)`;
  const seeded = (quota ?? []).filter((q) => q.start === 'seeded');
  if (seeded.length === 0) return { target, measured: '-', verdict: 'not measured', note: 'run with --quota R --sources N' };
  const ok = seeded.every((q) => q.outcome === 'ok' && quotaRatio(q) <= TARGETS.quotaRatio);
  const cold = (quota ?? []).filter((q) => q.start === 'cold');
  return {
    target,
    measured:
      seeded.map((q) => `R = ${q.quota}, ${n(q.sources)} sources: ${q.outcome === 'ok' ? x(quotaRatio(q)) : q.outcome}`).join('; ') +
      (cold.length ? ` (cold: ${cold.map((q) => (q.outcome === 'ok' ? x(quotaRatio(q)) : q.outcome)).join(', ')})` : ''),
    verdict: ok ? 'met' : 'missed',
  };
}

/** The section's lines (markdown), or none when nothing was measured. */
export function quotaSection(quota: readonly QuotaMeasure[] | undefined): string[] {
  if (!quota || quota.length === 0) return [];
  return [
    '## Under a Config quota',
    '',
    'A full read of N sources by the worker\'s own process setup (`lambda/clients.ts`: one Config client, one shared',
    'adaptive rate budget, `adapters/config-rate.ts`), all aggregators in parallel through `ConfigReader`, against the',
    'fake Config throttling every request above R accepted in the sliding last second (`ThrottlingException`, HTTP',
    '400). Floor: N/100 pages at R per second. Cold: a first run\'s limiter; seeded: started from the state the cold',
    'read ended with, as the next read round or run is. Throttled: requests the fake refused (each retried).',
    '',
    '| R (req/s) | Sources | Aggregators | Latency | Start | Outcome | Wall | Floor | Ratio | Requests | Throttled | Learned rate / ceiling |',
    '|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|',
    ...quota.map(
      (q) =>
        `| ${q.quota} | ${n(q.sources)} | ${q.aggregators} | ${q.latencyMs} ms | ${q.start} | ${q.outcome === 'ok' ? 'ok' : `**${q.error ?? 'error'}**`} | ` +
        `${s1(q.wallMs)} | ${s1(q.floorMs)} | ${x(quotaRatio(q))} | ${n(q.requests)} | ${n(q.throttled)} | ${rate(q.state?.rate)} / ${rate(q.state?.ceiling)} |`,
    ),
    '',
  ];
}
