/**
 * Running the CLI in-process with captured output, and a table holding a small, known history written by the
 * real HistoryStore.
 */
import type { HistoryEntry, RunSummary, SourceState } from '../../core/model';
import { HistoryStore } from '../../adapters/store/history-store';
import type { LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { runCli, type CliIo } from '../../cli/main';
import { runSummary, state } from '../support/builders';

/** The CLI's "now" in every test: 15:00 UTC. */
export const NOW = new Date('2026-11-24T15:00:00.000Z');

export interface Result {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cli(argv: string[], io: Partial<CliIo> = {}): Promise<Result> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    now: () => NOW,
    isTTY: false,
    ...io,
  });
  return { code, out, err };
}

/** The rows of a rendered table (header and summary line left out), split into cells. */
export function rows(out: string): string[][] {
  const lines = out.trimEnd().split('\n');
  return lines.slice(1, -1).map((line) => line.split(/ {2,}/));
}

export function header(out: string): string[] {
  return (out.split('\n')[0] ?? '').split(/ {2,}/);
}

const ACCOUNT = { sourceType: 'ACCOUNT', region: 'us-east-1' } as const;

export const STATES = {
  failed: state({ sourceId: '111111111111', status: 'FAILED', since: '2026-11-24T12:00:00.000Z', errorCode: 'AccessDenied', errorMessage: 'Config cannot assume the role' }),
  outdated: state({ sourceId: '222222222222', region: 'eu-west-1', status: 'OUTDATED', since: '2026-11-23T12:00:00.000Z' }),
  succeeded: state({ sourceId: '333333333333', status: 'SUCCEEDED' }),
  stale: state({ sourceId: '444444444444', status: 'SUCCEEDED', stale: true, since: '2026-11-02T00:00:00.000Z' }),
  removed: state({ sourceId: '555555555555', region: 'ap-south-1', status: 'FAILED', removedAt: '2026-11-24T09:00:00.000Z' }),
  unknown: state({ sourceId: 'o-abc123', sourceType: 'ORGANIZATION', status: 'PENDING' }),
  labFailed: state({ aggregator: 'lab', sourceId: '111111111111', status: 'FAILED', since: '2026-11-24T14:00:00.000Z' }),
} satisfies Record<string, SourceState>;

const h = (overrides: Partial<HistoryEntry> & Pick<HistoryEntry, 'at' | 'event' | 'toStatus'>): HistoryEntry => ({
  aggregator: 'org',
  sourceId: '111111111111',
  ...ACCOUNT,
  ...overrides,
});

export const HISTORY = {
  firstSeen: h({ at: '2026-10-01T12:00:00.000Z', event: 'FIRST_SEEN', toStatus: 'SUCCEEDED' }),
  failed: h({ at: '2026-11-10T12:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'FAILED', errorCode: 'Throttled' }),
  recovered: h({ at: '2026-11-12T12:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'FAILED', toStatus: 'SUCCEEDED' }),
  euFirstSeen: h({ at: '2026-11-20T12:00:00.000Z', event: 'FIRST_SEEN', region: 'eu-west-1', toStatus: 'SUCCEEDED' }),
  failedAgain: h({ at: '2026-11-24T12:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'FAILED', errorCode: 'AccessDenied', errorMessage: 'Config cannot assume the role' }),
  labFailed: h({ aggregator: 'lab', at: '2026-11-24T14:00:00.000Z', event: 'FIRST_SEEN', toStatus: 'FAILED' }),
  outdated: h({ sourceId: '222222222222', region: 'eu-west-1', at: '2026-11-23T12:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'OUTDATED' }),
  removed: h({ sourceId: '555555555555', region: 'ap-south-1', at: '2026-11-24T09:00:00.000Z', event: 'REMOVED', fromStatus: 'FAILED', toStatus: 'REMOVED' }),
} satisfies Record<string, HistoryEntry>;

export const RUNS = {
  orgLatest: runSummary({ aggregator: 'org', runAt: '2026-11-24T14:45:00.000Z' }),
  labLatest: runSummary({
    aggregator: 'lab',
    runAt: '2026-11-24T14:45:00.000Z',
    outcome: 'error',
    counts: {},
    pagesRead: 0,
    error: { name: 'NoSuchConfigurationAggregatorException', message: 'Configuration aggregator "lab" does not exist' },
  }),
  orgFull: runSummary({ aggregator: 'org', runAt: '2026-11-24T12:00:00.000Z', mode: 'full', sweepReason: 'schedule', pagesRead: 3, durationMs: 12_345, noticesPublished: 1 }),
  orgOld: runSummary({ aggregator: 'org', runAt: '2026-11-20T12:00:00.000Z', mode: 'full', sweepReason: 'first-run' }),
} satisfies Record<string, RunSummary>;

/** A table written through the real store: aggregators org and lab, their states, history and runs. */
export async function seed(local: LocalDynamoDB, tableName: string): Promise<HistoryStore> {
  await local.createTable(tableName);
  const store = new HistoryStore(local.documentClient, { tableName, historyRetentionDays: 400 });
  await store.putMeta({ aggregator: 'org', lastFullSweepAt: '2026-11-24T12:00:00.000Z', totalSources: 43 }, '2026-11-24T12:00:00.000Z');
  await store.putMeta({
    aggregator: 'lab',
    monitorError: { code: 'NoSuchConfigurationAggregatorException', message: 'gone', since: '2026-11-24T14:45:00.000Z' },
  }, '2026-11-24T14:45:00.000Z');
  await store.record({ history: Object.values(HISTORY), writes: Object.values(STATES) });
  for (const r of Object.values(RUNS)) await store.putRun(r);
  return store;
}
