/** What the run store's tests share: dynalite, a table per test, a RunStore on it, and builders of its records. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { RunStore, type RunStoreOptions } from '../../adapters/store/run-store';
import { newCursor } from '../../lambda/steps/begin';
import type { Cursor } from '../../adapters/store/run-store-api';
import { AT } from '../support/builders';
import { fakeClock } from '../support/fake-clock';

export const RUN = AT;

export interface Fixture {
  local: LocalDynamoDB;
  tableName: string;
  store: RunStore;
  clock: ReturnType<typeof fakeClock>;
  /** Another RunStore on the same table (its own options). */
  storeWith(options: Partial<RunStoreOptions>): RunStore;
  /** Every item of the table (a test check: the store itself never scans). */
  scan(): Promise<Record<string, unknown>[]>;
}

export function useRunStore(): Fixture {
  let table = 0;
  const f = {} as Fixture;
  beforeAll(async () => {
    f.local = await startLocalDynamoDB();
  });
  afterAll(async () => {
    await f.local.close();
  });
  beforeEach(async () => {
    f.tableName = `runs-${++table}`;
    await f.local.createTable(f.tableName);
    f.clock = fakeClock();
    f.storeWith = (options) =>
      new RunStore(f.local.documentClient, { tableName: f.tableName, historyRetentionDays: 30, clock: f.clock, ...options });
    f.store = f.storeWith({});
    f.scan = async () => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await f.local.documentClient.send(new ScanCommand({ TableName: f.tableName, ExclusiveStartKey: start }));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    };
  });
  return f;
}

export function cursor(overrides: Partial<Cursor> = {}): Cursor {
  // A fresh cursor as Begin writes it.
  return { ...newCursor(RUN, 'org', 'full', 'schedule'), ...overrides };
}

/** Everything an async iterable yields, and how many times it yielded. */
export async function drain<T>(pages: AsyncIterable<T[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    items.push(...page);
    count++;
  }
  return { items, pages: count };
}
