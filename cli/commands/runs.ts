/**
 * `aggwatch runs`: the monitor's run summaries and the ticks it skipped (an earlier run still running), newest first.
 */
import type { Command } from 'commander';
import { isSkippedRun, type RunSummary, type SkippedRun } from '../../core/model';
import { aggregatorOption } from '../options';
import { clip, formatCounts, plural, renderTable, type Style } from '../render';
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
    .description('Run summaries: outcome, mode, counts per status, pages read, duration, notices, error; skipped ticks')
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
  const all = await store.runRecords(isoRange(window));
  // A skipped tick watched no aggregator: it is shown whichever aggregators are asked for.
  const list = requested ? all.filter((r) => isSkippedRun(r) || requested.includes(r.aggregator)) : all;

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
      list.map((r) => (isSkippedRun(r) ? skippedRow(style, r, now) : runRow(style, r, now))),
    ),
  );
  const runs = list.filter((r): r is RunSummary => !isSkippedRun(r));
  const failed = runs.filter((r) => r.outcome !== 'ok').length;
  const skipped = list.length - runs.length;
  session.out(
    style.dim(
      `${plural(runs.length, 'run')}${failed ? ` (${failed} failed)` : ''}` +
        `${skipped ? ` and ${plural(skipped, 'skipped tick')}` : ''} ${between}.`,
    ),
  );
}

function runRow(style: Style, r: RunSummary, now: Date): string[] {
  return [
    formatWhen(r.runAt, now),
    r.aggregator,
    r.outcome === 'ok' ? style.green(r.outcome) : style.red(r.outcome),
    r.sweepReason ? `${r.mode} ${style.dim(`(${r.sweepReason})`)}` : r.mode,
    formatCounts(style, r.counts),
    String(r.pagesRead ?? '-'),
    formatDuration(r.durationMs),
    String(r.noticesPublished ?? '-'),
    r.error ? clip(`${r.error.name}: ${r.error.message}`) : '-',
  ];
}

/** A tick that started no run: for every aggregator (`(all)`), and the execution still running then, with its age. */
function skippedRow(style: Style, r: SkippedRun, now: Date): string[] {
  return [
    formatWhen(r.runAt, now),
    '(all)',
    style.yellow('skipped'),
    '-',
    '-',
    '-',
    '-',
    '-',
    clip(`${r.runningExecution} running for ${formatDuration(r.runningForMs)}`),
  ];
}
