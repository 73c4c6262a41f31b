/**
 * `aggwatch status`: a live read of DescribeConfigurationAggregatorSourcesStatus (every page), no table needed.
 */
import type { Command } from 'commander';
import type { ConfigReader } from '../../adapters/config-reader';
import { sourceKey, type ObservedSource } from '../../core/model';
import { CliError } from '../errors';
import { aggregatorOption, liveStatusesOption } from '../options';
import { errorText, formatCounts, plural, renderTable, statusRank } from '../render';
import type { Session } from '../session';
import { formatWhen } from '../time';
import { examples, type Runner } from './shared';

export interface StatusOptions {
  readonly aggregator?: string;
  readonly status?: string;
  readonly json?: boolean;
}

/** A source status as Config reports it now, with its aggregator. */
export type LiveSource = ObservedSource & { readonly aggregator: string };

export function defineStatus(program: Command, run: Runner): void {
  program
    .command('status')
    .description('Live source status from AWS Config (DescribeConfigurationAggregatorSourcesStatus); no stack needed')
    .option('--aggregator <names>', 'aggregator name(s), comma-separated (default: every aggregator in the account and region)')
    .option('--status <statuses>', 'only these, comma-separated: FAILED, OUTDATED, SUCCEEDED (default: every source)')
    .option('--json', 'print a JSON array of the sources (with their aggregator) instead of a table')
    .addHelpText(
      'after',
      examples([
        ['aggwatch status', 'every source of every aggregator, as Config reports it now'],
        ['aggwatch status --aggregator org --status FAILED,OUTDATED', 'the problems of aggregator org'],
        ['aggwatch status --region eu-west-1 --profile audit', 'aggregators in another region and account'],
      ]),
    )
    .action(run(status));
}

export async function status(session: Session, options: StatusOptions): Promise<void> {
  const statuses = options.status === undefined ? undefined : liveStatusesOption(options.status);
  const requested = options.aggregator === undefined ? undefined : aggregatorOption(options.aggregator);
  const { ConfigReader } = await import('../../adapters/config-reader');
  const reader = new ConfigReader(await session.clients.config());
  const aggregators = requested ?? (await reader.listAggregators());

  const sources: LiveSource[] = [];
  // One aggregator after another: Config's rate limit is per account.
  for (const aggregator of aggregators) {
    try {
      const read = await reader.readSources(aggregator, statuses ? { statuses } : {});
      for (const s of read.sources) sources.push({ aggregator, ...s });
    } catch (e) {
      throw await explainRead(e, reader, session);
    }
  }
  sources.sort(
    (a, b) =>
      a.aggregator.localeCompare(b.aggregator) ||
      statusRank(a.status) - statusRank(b.status) ||
      sourceKey(a).localeCompare(sourceKey(b)),
  );

  if (options.json) return session.json(sources);

  const { style, now } = session;
  if (aggregators.length === 0) {
    session.out(`No configuration aggregator in this account and region${where(session)}.`);
    return;
  }
  const scope = `${plural(aggregators.length, 'aggregator')} (${aggregators.join(', ')})`;
  if (sources.length === 0) {
    session.out(`No source${statuses ? ` is ${statuses.join(' or ')}` : ''} in ${scope}.`);
    return;
  }
  session.out(
    renderTable(
      style,
      ['AGGREGATOR', 'SOURCE', 'TYPE', 'REGION', 'STATUS', 'LAST UPDATE', 'ERROR'],
      sources.map((s) => [
        s.aggregator,
        s.sourceId,
        s.sourceType,
        s.region,
        style.status(s.status),
        formatWhen(s.lastUpdateTime, now),
        errorText(s),
      ]),
    ),
  );
  const counts: Record<string, number> = {};
  for (const s of sources) counts[s.status] = (counts[s.status] ?? 0) + 1;
  session.out(style.dim(`${plural(sources.length, 'source')} (${formatCounts(style, counts)}) in ${scope}, live from AWS Config.`));
}

/** ` (eu-west-1, profile audit)`, or nothing when neither is set. */
function where(session: Session): string {
  const { region, profile } = session.errorContext;
  const parts = [region, profile && `profile ${profile}`].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A missing aggregator is named, with the ones that do exist here (best effort). */
async function explainRead(e: unknown, reader: ConfigReader, session: Session): Promise<unknown> {
  const { AggregatorMissingError, ConfigRequestError } = await import('../../adapters/config-reader');
  if (e instanceof AggregatorMissingError) {
    const existing = await reader.listAggregators().catch(() => undefined);
    const listed =
      existing === undefined ? '' : existing.length > 0 ? `; aggregators here: ${existing.join(', ')}` : '; there is none here';
    return new CliError(
      `Configuration aggregator "${e.aggregator}" not found in this account and region${where(session)} ` +
        `(${e.code})${listed}. Check --aggregator, --region and --profile.`,
      { cause: e },
    );
  }
  if (e instanceof ConfigRequestError) return new CliError(e.message, { cause: e });
  return e;
}
