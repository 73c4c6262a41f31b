/**
 * What the status report is built from, read from the table: every current state of each aggregator, its transitions
 * in the window (the transitions index, for every status it is keyed by) and the run summaries of the window. One
 * reader for the CLI's `aggwatch report` and, later, the function's report at a full sweep.
 */
import { KNOWN_STATUSES, type AggregatorMeta } from '../../core/model';
import type { AggregatorInput } from '../../core/report';
import type { HistoryStore } from './history-store';
import { REMOVED } from './table-schema';

/** Every status the transitions index is keyed by: Config's, and REMOVED. */
export const TRANSITION_STATUSES: readonly string[] = [...KNOWN_STATUSES, REMOVED];

export async function readReportInputs(
  store: HistoryStore,
  aggregators: readonly string[],
  metas: readonly AggregatorMeta[],
  range: { readonly from: string; readonly to: string },
): Promise<AggregatorInput[]> {
  const [runs, ...perAggregator] = await Promise.all([
    store.runs(range),
    ...aggregators.map(async (name) => {
      const [states, ...transitions] = await Promise.all([
        store.loadAll(name),
        ...TRANSITION_STATUSES.map((status) => store.transitions(name, status, range)),
      ]);
      return { name, states, transitions: transitions.flat() };
    }),
  ]);
  return perAggregator.map((a) => {
    const meta = metas.find((m) => m.aggregator === a.name);
    return { name: a.name, ...(meta ? { meta } : {}), states: a.states.values(), transitions: a.transitions, runs };
  });
}
