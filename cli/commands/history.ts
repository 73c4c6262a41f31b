/**
 * `aggwatch history`: the timeline of one source, newest first.
 */
import type { Command } from 'commander';
import { aggregatorOption, nonEmpty, sourceTypeOption } from '../options';
import { historyTable, plural } from '../render';
import type { Session } from '../session';
import { formatLocal, isoRange, timeWindow, zoneLabel } from '../time';
import { JSON_HELP, examples, newestFirst, type Runner } from './shared';

export interface HistoryOptions {
  readonly source: string;
  readonly aggregator?: string;
  readonly sourceRegion?: string;
  readonly type?: string;
  readonly since?: string;
  readonly until?: string;
  readonly json?: boolean;
}

export const DEFAULT_HISTORY_SINCE = '30d';

export function defineHistory(program: Command, run: Runner): void {
  program
    .command('history')
    .description("One source's timeline: first seen, status and error changes, stale/fresh, removal (newest first)")
    .requiredOption('--source <id>', 'source id: an account id, or an organization id for an ORGANIZATION source')
    .option('--aggregator <names>', 'aggregator name(s), comma-separated (default: every aggregator in the table)')
    .option('--source-region <region>', "only the source's entries for this AWS region (e.g. eu-west-1)")
    .option('--type <type>', 'only this source type: ACCOUNT or ORGANIZATION')
    .option('--since <when>', 'start of the window: <n>m|h|d|w ago or an ISO date/time', DEFAULT_HISTORY_SINCE)
    .option('--until <when>', 'end of the window (default: now), same forms as --since')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      examples([
        ['aggwatch history --source 111111111111', 'the last 30 days of account 111111111111, every region'],
        ['aggwatch history --source 111111111111 --source-region eu-west-1 --since 7d', 'one region, one week'],
        ['aggwatch history --source 111111111111 --since 2026-01-01 --until 2026-02-01', 'January (local time)'],
      ]),
    )
    .action(run(history));
}

export async function history(session: Session, options: HistoryOptions): Promise<void> {
  const sourceId = nonEmpty('--source', options.source, 'a source id such as 111111111111');
  const requested = options.aggregator === undefined ? undefined : aggregatorOption(options.aggregator);
  const region = options.sourceRegion === undefined ? undefined : nonEmpty('--source-region', options.sourceRegion, 'an AWS region such as eu-west-1');
  const sourceType = options.type === undefined ? undefined : sourceTypeOption(options.type);
  const window = timeWindow(options, DEFAULT_HISTORY_SINCE, session.now);

  const aggregators = await session.aggregators(requested);
  const store = await session.store();
  const range = { ...isoRange(window), ...(region ? { region } : {}), ...(sourceType ? { sourceType } : {}) };
  const perAggregator = await Promise.all(aggregators.map((a) => store.sourceHistory(a, sourceId, range)));
  // Newest first across aggregators; one region's events of one instant keep the store's order.
  const entries = perAggregator.flat().sort(newestFirst);

  if (options.json) return session.json(entries);

  const { style, now } = session;
  const between = `between ${formatLocal(window.from)} and ${formatLocal(window.to)} (${zoneLabel(now)})`;
  const filters = [region && `region ${region}`, sourceType && `type ${sourceType}`].filter(Boolean).join(', ');
  const what = `source ${sourceId}${filters ? ` (${filters})` : ''}`;
  if (entries.length === 0) {
    session.out(`No history for ${what} ${between}.`);
    return;
  }
  session.out(
    historyTable(style, now, entries),
  );
  session.out(style.dim(`${plural(entries.length, 'entry', 'entries')} for ${what} ${between}.`));
}
