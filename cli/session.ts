/**
 * One invocation's state: the io, the clients, the table (from --table or the stack's outputs), the store,
 * and what the error messages need to know about where the command was looking.
 */
import { DEFAULTS } from '../core/settings';
import type { HistoryStore } from '../adapters/store/history-store';
import type { AggregatorMeta } from '../core/model';
import { Clients, profileOf, regionOf, type AwsOptions } from './clients';
import { CliError, type ErrorContext } from './errors';
import type { Io } from './io';
import { tableOption } from './options';
import { makeStyle, type Style } from './render';
import { DEFAULT_STACK_NAME } from '../core/stack-outputs';
import { tableFromStack } from './stack';

export interface GlobalOptions extends AwsOptions {
  readonly table?: string;
  readonly stack?: string;
}

export class Session {
  readonly clients: Clients;
  readonly errorContext: ErrorContext;
  readonly style: Style;
  readonly now: Date;
  private storePromise?: Promise<HistoryStore>;
  private metas?: Promise<AggregatorMeta[]>;

  constructor(
    readonly io: Io,
    readonly globals: GlobalOptions,
  ) {
    const aws = { ...(globals.profile ? { profile: globals.profile } : {}), ...(globals.region ? { region: globals.region } : {}) };
    this.clients = new Clients(io.clients, aws, io.env);
    const region = regionOf(aws, io.env);
    const profile = profileOf(aws, io.env);
    this.errorContext = { ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
    this.style = makeStyle(io.colour);
    this.now = io.now();
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Warnings and notes: stderr, so that stdout stays the result. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** The table: --table, else the stack's TableName output. */
  async tableName(): Promise<string> {
    if (this.globals.table !== undefined) {
      const name = tableOption(this.globals.table);
      this.errorContext.tableName = name;
      return name;
    }
    const stack = this.globals.stack?.trim() || DEFAULT_STACK_NAME;
    this.errorContext.stackName = stack;
    const name = await tableFromStack(await this.clients.cloudformation(), stack);
    this.errorContext.tableName = name;
    return name;
  }

  store(): Promise<HistoryStore> {
    this.storePromise ??= (async () => {
      const tableName = await this.tableName();
      const { HistoryStore } = await import('../adapters/store/history-store');
      // Retention only matters to writes; the CLI only reads.
      return new HistoryStore(await this.clients.dynamodb(), { tableName, historyRetentionDays: DEFAULTS.historyRetentionDays });
    })();
    return this.storePromise;
  }

  /** The aggregator records of the table (one per aggregator the monitor has run for). */
  async aggregatorMetas(): Promise<AggregatorMeta[]> {
    this.metas ??= this.store().then((s) => s.aggregators());
    return this.metas;
  }

  /**
   * The aggregators to query: the requested ones, each checked against the table's aggregator records, or
   * every aggregator the table knows.
   */
  async aggregators(requested: readonly string[] | undefined): Promise<string[]> {
    const known = (await this.aggregatorMetas()).map((m) => m.aggregator).sort();
    if (!requested) return known;
    const unknown = requested.filter((a) => !known.includes(a));
    if (unknown.length > 0) {
      const table = this.errorContext.tableName ?? 'the table';
      const listed =
        known.length > 0
          ? `known aggregators: ${known.join(', ')}`
          : 'it has no aggregator yet (the monitor has not run against it)';
      throw new CliError(
        `Unknown aggregator ${unknown.map((a) => `"${a}"`).join(', ')}: table ${table} has no record of ${unknown.length === 1 ? 'it' : 'them'}; ${listed}.`,
      );
    }
    return [...requested];
  }

  destroy(): void {
    this.clients.destroy();
  }
}
