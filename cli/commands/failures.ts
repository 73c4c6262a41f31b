/**
 * `aggwatch failures`: every transition into FAILED (or the given statuses) in a time window, newest first.
 */
import type { Command } from 'commander';
import { aggregatorOption, storedStatusesOption } from '../options';
import { historyTable, plural } from '../render';
import type { Session } from '../session';
import { formatLocal, isoRange, timeWindow, zoneLabel } from '../time';
import { JSON_HELP, examples, newestFirst, type Runner } from './shared';

export interface FailuresOptions {
  readonly aggregator?: string;
  readonly status: string;
  readonly since?: string;
  readonly until?: string;
  readonly json?: boolean;
}

export const DEFAULT_FAILURES_SINCE = '24h';

export function defineFailures(program: Command, run: Runner): void {
  program
    .command('failures')
    .description('Transitions into FAILED (or --status) in a time window, across sources (newest first)')
    .option('--since <when>', 'start of the window: <n>m|h|d|w ago or an ISO date/time', DEFAULT_FAILURES_SINCE)
    .option('--until <when>', 'end of the window (default: now), same forms as --since')
    .option('--aggregator <names>', 'aggregator name(s), comma-separated (default: every aggregator in the table)')
    .option('--status <statuses>', 'the status(es) entered, comma-separated: FAILED, OUTDATED, SUCCEEDED, REMOVED', 'FAILED')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      examples([
        ['aggwatch failures', 'sources that failed in the last 24 hours'],
        ['aggwatch failures --since 7d --aggregator org', 'the last week of aggregator org'],
        ['aggwatch failures --status SUCCEEDED --since 2h', 'recoveries in the last two hours'],
        ['aggwatch failures --status REMOVED --since 30d', 'sources that left an aggregator'],
      ]),
    )
    .action(run(failures));
}

export async function failures(session: Session, options: FailuresOptions): Promise<void> {
  const statuses = storedStatusesOption(options.status);
  const requested = options.aggregator === undefined ? undefined : aggregatorOption(options.aggregator);
  const window = timeWindow(options, DEFAULT_FAILURES_SINCE, session.now);

  const aggregators = await session.aggregators(requested);
  const store = await session.store();
  const found = await Promise.all(
    aggregators.flatMap((a) => statuses.map((s) => store.transitions(a, s, isoRange(window)))),
  );
  const entries = found.flat().sort(newestFirst);

  if (options.json) return session.json(entries);

  const { style, now } = session;
  const between = `between ${formatLocal(window.from)} and ${formatLocal(window.to)} (${zoneLabel(now)})`;
  const into = statuses.join(' or ');
  if (entries.length === 0) {
    session.out(`No transition into ${into} ${between}.`);
    return;
  }
  session.out(
    historyTable(style, now, entries),
  );
  const sources = new Set(entries.map((h) => `${h.aggregator}#${h.sourceType}#${h.sourceId}#${h.region}`)).size;
  session.out(
    style.dim(`${plural(entries.length, 'transition')} into ${into} (${plural(sources, 'source')}) ${between}.`),
  );
}
