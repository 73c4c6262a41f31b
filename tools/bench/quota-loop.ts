/**
 * The benchmark's reader under a Config quota (`npm run bench -- --quota R`): the worker's own process setup
 * (lambda/clients.ts: the shared Config client and its one rate budget, `configRate`) reading every given
 * aggregator in parallel through ConfigReader, as a read round does. Seeded with a learned RateState, or cold.
 * Bundled and run like the handler (see artifacts.ts and child.ts).
 */
import { ConfigReader } from '../../adapters/config-reader';
import type { RateState } from '../../core/workflow';
import { config, configRate } from '../../lambda/clients';

export interface QuotaLoopResult {
  readonly pages: number;
  readonly calls: number;
  readonly sources: number;
  readonly restarts: number;
  /** Throttled attempts the limiter was told about, and the attempts it let through. */
  readonly throttles: number;
  readonly sends: number;
  /** What the limiter learned: the next round's (or run's) seed. */
  readonly state: RateState;
}

export async function quotaLoop(aggregators: readonly string[], seed?: RateState): Promise<QuotaLoopResult> {
  if (seed) configRate.seed(seed);
  const reader = new ConfigReader(config);
  const results = await Promise.all(aggregators.map((a) => reader.readSources(a)));
  const sum = (f: (r: (typeof results)[number]) => number) => results.reduce((s, r) => s + f(r), 0);
  return {
    pages: sum((r) => r.pages),
    calls: sum((r) => r.calls),
    sources: sum((r) => r.sources.length),
    restarts: sum((r) => r.restarts),
    throttles: configRate.throttles,
    sends: configRate.sends,
    state: configRate.state(),
  };
}
