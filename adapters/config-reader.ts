/**
 * Reads AWS Config: the aggregators of the account and region, and the source statuses of one aggregator: in
 * chunks of pages for the run's read rounds (readChunk, lambda/steps/read-round.ts), or to the last page at once
 * for the CLI's live status (readSources). Throttling and 5xx are retried by the SDK client (see
 * lambda/clients.ts); what is left here is what the API's own errors mean for us.
 */
import {
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidLimitException,
  InvalidNextTokenException,
  InvalidParameterValueException,
  NoSuchConfigurationAggregatorException,
  type AggregatedSourceStatus,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import { AggwatchError } from '../core/errors';
import { Interner } from '../core/interner';
import { MISSING, type ObservedSource } from '../core/model';

/** The API's maximum page size: asking for more is an InvalidLimitException. */
export const PAGE_LIMIT = 100;

export class AggregatorMissingError extends AggwatchError {
  override readonly name = 'AggregatorMissingError';
  readonly code = 'NoSuchConfigurationAggregatorException';
  constructor(
    readonly aggregator: string,
    cause: unknown,
  ) {
    super(`Configuration aggregator "${aggregator}" does not exist in this account and region`, { cause });
  }
}

/** The API refused a request parameter: names the parameter and the value sent. */
export class ConfigRequestError extends AggwatchError {
  override readonly name = 'ConfigRequestError';
  /** `code`: the API's exception name. `detail` is added to the API's message. */
  constructor(
    readonly code: string,
    readonly parameter: string,
    readonly value: unknown,
    cause: Error,
    detail = '',
  ) {
    super(`Config rejected ${parameter}=${JSON.stringify(value)}: ${code}: ${cause.message}${detail}`, { cause });
  }
}

export interface ReadOptions {
  /** UpdateStatus filter; absent: every source. */
  readonly statuses?: readonly string[];
}

export interface ReadResult {
  readonly sources: ObservedSource[];
  readonly pages: number;
  /** API calls made, including pages read before a restart. */
  readonly calls: number;
  readonly restarts: number;
}

export class ConfigReader {
  constructor(private readonly configService: ConfigServiceClient) {}

  /** Every aggregator name in the account and region (all pages). */
  async listAggregators(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.configService.send(
        new DescribeConfigurationAggregatorsCommand({ NextToken: token, Limit: PAGE_LIMIT }),
      );
      for (const a of page.ConfigurationAggregators ?? []) {
        if (a.ConfigurationAggregatorName) names.push(a.ConfigurationAggregatorName);
      }
      token = page.NextToken || undefined;
    } while (token);
    return names;
  }

  /**
   * Every source status of one aggregator, to the last page, in one call of this method (the CLI's live status;
   * a run reads in chunks, readChunk). An InvalidNextTokenException restarts the read once from the first page
   * (the token expired or the list changed under us); a second one fails the read.
   */
  async readSources(aggregator: string, options: ReadOptions = {}): Promise<ReadResult> {
    let calls = 0;
    const strings = new Interner();
    for (let restarts = 0; ; restarts++) {
      const sources: ObservedSource[] = [];
      let pages = 0;
      let token: string | undefined;
      try {
        do {
          calls++;
          const page = await this.page(aggregator, options.statuses, token);
          pages++;
          for (const s of page.AggregatedSourceStatusList ?? []) sources.push(normalise(s, strings));
          token = page.NextToken || undefined;
        } while (token);
        return { sources, pages, calls, restarts };
      } catch (e) {
        if (e instanceof InvalidNextTokenException && restarts === 0) continue;
        throw explain(e, aggregator, token, options);
      }
    }
  }

  /** One page of an aggregator's source statuses, the API's largest (PAGE_LIMIT). */
  private page(aggregator: string, statuses: readonly string[] | undefined, token: string | undefined) {
    return this.configService.send(
      new DescribeConfigurationAggregatorSourcesStatusCommand({
        ConfigurationAggregatorName: aggregator,
        ...(statuses ? { UpdateStatus: [...statuses] as never } : {}),
        Limit: PAGE_LIMIT,
        NextToken: token,
      }),
    );
  }

  /**
   * One chunk of an aggregator's read for a run that spans invocations (lambda/steps/read-round.ts): up to
   * `maxPages` pages from `token` (null: the first page), stopping early when `stop()` says so before a page. Returns
   * the sources and the NextToken to continue with (null after the last page). An InvalidNextTokenException for a
   * token (it expired between chunks, or the list changed) is `expired` unless the read was already restarted
   * once, when it is the aggregator's error, as in readSources.
   */
  async readChunk(aggregator: string, options: ChunkOptions): Promise<ChunkResult> {
    const strings = new Interner();
    const sources: ObservedSource[] = [];
    let token = options.token ?? undefined;
    let pages = 0;
    let calls = 0;
    try {
      do {
        if (pages > 0 && options.stop?.()) break;
        calls++;
        const page = await this.page(aggregator, options.statuses, token);
        pages++;
        for (const s of page.AggregatedSourceStatusList ?? []) sources.push(normalise(s, strings));
        token = page.NextToken || undefined;
      } while (token && pages < options.maxPages);
      return { kind: 'chunk', sources, pages, calls, token: token ?? null };
    } catch (e) {
      if (e instanceof InvalidNextTokenException && token !== undefined && !options.restarted) return { kind: 'expired', calls };
      throw explain(e, aggregator, token, options);
    }
  }
}

export interface ChunkOptions {
  /** The NextToken to continue from; null or absent: the first page. */
  readonly token?: string | null;
  readonly statuses?: readonly string[];
  readonly maxPages: number;
  /** Asked before every page after the first: true ends the chunk there (the round's deadline). */
  readonly stop?: () => boolean;
  /** This read already restarted from page 1 once: a refused NextToken is then the aggregator's error. */
  readonly restarted?: boolean;
}

export type ChunkResult =
  | { readonly kind: 'chunk'; readonly sources: ObservedSource[]; readonly pages: number; readonly calls: number; readonly token: string | null }
  /** The NextToken was refused: restart the read from page 1 (a new epoch). */
  | { readonly kind: 'expired'; readonly calls: number };

function explain(e: unknown, aggregator: string, token: string | undefined, options: ReadOptions): unknown {
  if (e instanceof NoSuchConfigurationAggregatorException) return new AggregatorMissingError(aggregator, e);
  if (e instanceof InvalidNextTokenException) {
    return new ConfigRequestError(e.name, 'NextToken', token, e, ' (again after restarting from the first page)');
  }
  if (e instanceof InvalidLimitException) return new ConfigRequestError(e.name, 'Limit', PAGE_LIMIT, e);
  if (e instanceof InvalidParameterValueException) {
    // The API does not say which parameter; report everything we sent.
    const sent = { ConfigurationAggregatorName: aggregator, UpdateStatus: options.statuses, Limit: PAGE_LIMIT };
    return new ConfigRequestError(e.name, 'request', sent, e);
  }
  return e;
}

/**
 * Keeps every field as sent; key fields and the status are never empty, so items stay addressable. Repeated
 * values (a source id across its regions, regions, statuses, error codes and messages) share one string.
 */
export function normalise(s: AggregatedSourceStatus, strings = new Interner()): ObservedSource {
  const shared = (value: string | undefined) => (value ? strings.get(value) : MISSING);
  return {
    sourceId: shared(s.SourceId),
    sourceType: shared(s.SourceType),
    region: shared(s.AwsRegion),
    status: shared(s.LastUpdateStatus),
    ...(s.LastUpdateTime ? { lastUpdateTime: toIso(s.LastUpdateTime) } : {}),
    ...(s.LastErrorCode ? { errorCode: strings.get(s.LastErrorCode) } : {}),
    ...(s.LastErrorMessage ? { errorMessage: strings.get(s.LastErrorMessage) } : {}),
  };
}

function toIso(t: Date | string): string {
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}
