/**
 * `aggwatch runs`: the monitor's run summaries, newest first.
 */
import type { Command } from 'commander';
import type { RunSummary } from '../../core/model';
import { aggregatorOption } from '../options';
import { clip, formatCounts, plural, renderTable } from '../render';
import type { Session } from '../session';
import { formatDuration, formatLocal, formatWhen, isoRange, timeWindow, zoneLabel } from '../time';
import { JSON_HELP, examples, type Runner } from './shared';

export interface RunsOptions {
  readonly aggregator?: string;
  readonly since?: string;
  readonly until?: string;
  readonly json?: boolean;
}

export const DEFAULT_RUNS_SINCE = '24h';

export function defineRuns(program: Command, run: Runner): void {
  program
    .command('runs')
    .description('Run summaries: outcome, mode, counts per status, pages read, duration, notices, error')
    .option('--since <when>', 'start of the window: <n>m|h|d|w ago or an ISO date/time', DEFAULT_RUNS_SINCE)
    .option('--until <when>', 'end of the window (default: now), same forms as --since')
    .option('--aggregator <names>', 'aggregator name(s), comma-separated (default: every aggregator)')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      examples([
        ['aggwatch runs', 'the runs of the last 24 hours'],
        ['aggwatch runs --since 2h --aggregator org', 'the last two hours of aggregator org'],
        ["aggwatch runs --since 7d --json | jq '[.[] | select(.outcome == \"error\")]'", 'failed runs of the week'],
      ]),
    )
    .action(run(runs));
}

export async function runs(session: Session, options: RunsOptions): Promise<void> {
  const requested = options.aggregator === undefined ? undefined : aggregatorOption(options.aggregator);
  const window = timeWindow(options, DEFAULT_RUNS_SINCE, session.now);
  if (requested) await session.aggregators(requested);
  const store = await session.store();
  const all = await store.runs(isoRange(window));
  const list = requested ? all.filter((r) => requested.includes(r.aggregator)) : all;

  if (options.json) return session.json(list);

  const { style, now } = session;
  const between = `between ${formatLocal(window.from)} and ${formatLocal(window.to)} (${zoneLabel(now)})`;
  if (list.length === 0) {
    session.out(`No run recorded ${between}.`);
    return;
  }
  session.out(
    renderTable(
      style,
      ['RUN AT', 'AGGREGATOR', 'OUTCOME', 'MODE', 'COUNTS', 'PAGES', 'DURATION', 'NOTICES', 'ERROR'],
      list.map((r) => [
        formatWhen(r.runAt, now),
        r.aggregator,
        r.outcome === 'ok' ? style.green(r.outcome) : style.red(r.outcome),
        r.sweepReason ? `${r.mode} ${style.dim(`(${r.sweepReason})`)}` : r.mode,
        formatCounts(style, r.counts),
        String(r.pagesRead ?? '-'),
        formatDuration(r.durationMs),
        String(r.noticesPublished ?? '-'),
        r.error ? clip(`${r.error.name}: ${r.error.message}`) : '-',
      ]),
    ),
  );
  const failed = list.filter((r: RunSummary) => r.outcome !== 'ok').length;
  session.out(style.dim(`${plural(list.length, 'run')}${failed ? ` (${failed} failed)` : ''} ${between}.`));
}
