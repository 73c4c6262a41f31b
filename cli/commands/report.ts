/**
 * `aggwatch report`: the organization at a glance, as one self-contained HTML file built from the table.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AFFECTED, buildReportModel, renderReportHtml } from '../../core/report';
import { readReportInputs } from '../../adapters/store/report-input';
import { CliError, UsageError } from '../errors';
import { aggregatorOption } from '../options';
import { plural } from '../render';
import type { Session } from '../session';
import { isoRange, timeWindow } from '../time';
import { examples, type Runner } from './shared';

export interface ReportOptions {
  readonly aggregator?: string;
  readonly since?: string;
  readonly until?: string;
  readonly out: string;
}

export const DEFAULT_REPORT_SINCE = '30d';

export function defineReport(program: Command, run: Runner): void {
  program
    .command('report')
    .description('Write an HTML status report (map of sources by region, error codes, timeline, transitions) from the table')
    .requiredOption('--out <file>', 'the HTML file to write (- for standard output)')
    .option('--aggregator <names>', 'aggregator name(s), comma-separated (default: every aggregator in the table)')
    .option('--since <when>', 'start of the history window: <n>m|h|d|w ago or an ISO date/time', DEFAULT_REPORT_SINCE)
    .option('--until <when>', 'end of the history window (default: now), same forms as --since')
    .addHelpText(
      'after',
      examples([
        ['aggwatch report --out report.html', 'every aggregator, the last 30 days of history'],
        ['aggwatch report --aggregator org --since 7d --out org.html', 'one aggregator, one week'],
        ['aggwatch report --out - | aws s3 cp - s3://bucket/report.html', 'to standard output'],
      ]),
    )
    .action(run(report));
}

export async function report(session: Session, options: ReportOptions): Promise<void> {
  const out = outOption(options.out);
  const requested = options.aggregator === undefined ? undefined : aggregatorOption(options.aggregator);
  const window = timeWindow(options, DEFAULT_REPORT_SINCE, session.now);
  const range = isoRange(window);

  const aggregators = await session.aggregators(requested);
  const inputs = await readReportInputs(await session.store(), aggregators, await session.aggregatorMetas(), range);
  const tableName = session.errorContext.tableName;
  const model = buildReportModel({ generatedAt: session.now.toISOString(), window: range, ...(tableName ? { tableName } : {}), aggregators: inputs });
  const html = renderReportHtml(model);

  const what = model.aggregators.map((a) => {
    const affected = AFFECTED.reduce((n, s) => n + a.counts[s], 0);
    return `${a.name}: ${plural(a.rows.length, 'source')} x ${plural(a.regions.length, 'region')}, ${plural(affected, 'cell')} affected`;
  });
  const summary = `${what.length > 0 ? what.join('; ') : 'no aggregator in the table'} (${(Buffer.byteLength(html) / 1_048_576).toFixed(1)} MB)`;
  if (out === '-') {
    session.io.stdout.write(html);
    session.note(`Report: ${summary}.`);
    return;
  }
  await writeAtomically(out, html);
  session.out(`Wrote ${out}: ${summary}.`);
}

function outOption(value: string): string {
  const v = value.trim();
  if (v === '') throw new UsageError('Invalid --out "": expected a file name such as report.html, or - for standard output.');
  return v;
}

/** Written beside the target, then renamed over it: a reader never sees half a report. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const target = resolve(file);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, target);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? `the directory ${dirname(target)} does not exist`
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a directory'
      : e instanceof Error ? e.message : String(e);
    throw new CliError(`Cannot write the report to "${file}": ${reason}.`);
  }
}
