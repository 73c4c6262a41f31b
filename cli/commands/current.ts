/**
 * `aggwatch current`: the sources currently in a status, from the table.
 */
import type { Command } from 'commander';
import { sourceKey } from '../../core/model';
import { attentionStatus } from '../../adapters/store/items';
import { aggregatorOption, storedStatusesOption } from '../options';
import { errorText, formatCounts, plural, renderTable, statusRank } from '../render';
import type { Session } from '../session';
import { formatWhen } from '../time';
import { JSON_HELP, examples, type Runner } from './shared';

export interface CurrentOptions {
  readonly aggregator?: string;
  readonly status: string;
  readonly json?: boolean;
}

export const DEFAULT_CURRENT_STATUSES = 'FAILED,OUTDATED';

export function defineCurrent(program: Command, run: Runner): void {
  program
    .command('current')
    .description('Sources currently in a status, as the monitor last recorded them (from the table)')
    .option('--aggregator <names>', 'aggregator name(s), comma-separated (default: every aggregator in the table)')
    .option(
      '--status <statuses>',
      'status(es), comma-separated: FAILED, OUTDATED, SUCCEEDED, STALE, REMOVED or any status Config reported',
      DEFAULT_CURRENT_STATUSES,
    )
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      examples([
        ['aggwatch current', 'FAILED and OUTDATED sources of every aggregator'],
        ['aggwatch current --aggregator org --status FAILED', 'FAILED sources of aggregator org'],
        ['aggwatch current --status STALE,REMOVED', 'stale sources, and removed ones still owed a notice'],
        ['aggwatch current --json | jq length', 'machine-readable'],
      ]),
    )
    .action(run(current));
}

export async function current(session: Session, options: CurrentOptions): Promise<void> {
  const statuses = storedStatusesOption(options.status);
  const requested = options.aggregator === undefined ? undefined : aggregatorOption(options.aggregator);
  const aggregators = await session.aggregators(requested);
  const store = await session.store();

  const found = await Promise.all(
    aggregators.flatMap((aggregator) => statuses.map((status) => store.currentInStatus(aggregator, status))),
  );
  // A stale source is SUCCEEDED too: list each source once.
  const seen = new Set<string>();
  const states = found.flat().filter((s) => {
    const key = `${s.aggregator}#${sourceKey(s)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  states.sort(
    (a, b) =>
      a.aggregator.localeCompare(b.aggregator) ||
      statusRank(attentionStatus(a)) - statusRank(attentionStatus(b)) ||
      (a.since < b.since ? 1 : a.since > b.since ? -1 : 0) ||
      sourceKey(a).localeCompare(sourceKey(b)),
  );

  await warnMonitorErrors(session, aggregators);
  if (options.json) return session.json(states);

  const { style, now } = session;
  const scope = aggregators.length === 0 ? 'the table (no aggregator recorded yet)' : aggregators.join(', ');
  if (states.length === 0) {
    session.out(`No source is ${statuses.join(' or ')} in ${scope}.`);
    return;
  }
  session.out(
    renderTable(
      style,
      ['AGGREGATOR', 'SOURCE', 'TYPE', 'REGION', 'STATUS', 'SINCE', 'LAST UPDATE', 'ERROR'],
      states.map((s) => {
        const shown = attentionStatus(s);
        return [
          s.aggregator,
          s.sourceId,
          s.sourceType,
          s.region,
          shown === s.status ? style.status(shown) : `${style.status(shown)} ${style.dim(`(${s.status})`)}`,
          formatWhen(s.removedAt ?? s.since, now),
          formatWhen(s.lastUpdateTime, now),
          errorText(s),
        ];
      }),
    ),
  );
  const counts: Record<string, number> = {};
  for (const s of states) counts[attentionStatus(s)] = (counts[attentionStatus(s)] ?? 0) + 1;
  session.out(style.dim(`${plural(states.length, 'source')} (${formatCounts(style, counts)}) in ${scope}.`));
}

/** The table is only as fresh as the last successful run: say when an aggregator's runs are failing. */
async function warnMonitorErrors(session: Session, aggregators: readonly string[]): Promise<void> {
  const metas = await session.aggregatorMetas();
  for (const m of metas) {
    if (!aggregators.includes(m.aggregator) || !m.monitorError) continue;
    const e = m.monitorError;
    session.note(
      `warning: the monitor has been failing for aggregator "${m.aggregator}" since ${formatWhen(e.since, session.now)} ` +
        `(${e.code}: ${e.message}); its current state may be out of date.`,
    );
  }
}
