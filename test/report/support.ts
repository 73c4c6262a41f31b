/**
 * A known table for the report's browser test: aggregator `org`, 120 accounts x 8 regions with a region dark for
 * every account, two accounts dark in every region, scattered failures, OUTDATED, STALE, a removed source and
 * accounts not collected in two regions; aggregator `lab`, three accounts in one region; aggregator `empty`, which the
 * monitor has never been able to read (no source, a monitor error). Written by the real
 * HistoryStore, with history and a month of runs getting worse.
 */
import type { HistoryEntry, RunSummary, SourceState } from '../../core/model';
import { HistoryStore } from '../../adapters/store/history-store';
import type { LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { runSummary, state } from '../support/builders';

export const REGIONS = ['ap-east-1', 'ap-south-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'sa-east-1', 'us-east-1', 'us-west-2'] as const;
export const ACCOUNTS = 120;
export const DARK_REGION = 'ap-east-1';
export const DARK_ACCOUNTS = ['100000000007', '100000000050'];
/** Newer accounts, not aggregated in these regions. */
export const NOT_COLLECTED = { from: 110, regions: ['eu-north-1', 'us-west-2'] } as const;
const FAILED_AT = '2026-11-24T12:00:00.000Z';

const account = (i: number) => String(100_000_000_000 + i);

function stateOf(i: number, region: string, r: number): SourceState | undefined {
  const sourceId = account(i);
  if (i >= NOT_COLLECTED.from && (NOT_COLLECTED.regions as readonly string[]).includes(region)) return undefined;
  const base = { aggregator: 'org', sourceId, region };
  if (DARK_ACCOUNTS.includes(sourceId)) {
    return state({ ...base, status: 'FAILED', errorCode: 'AccessDeniedException', errorMessage: 'Aggregation authorization is missing', since: FAILED_AT });
  }
  if (region === DARK_REGION) {
    return state({ ...base, status: 'FAILED', errorCode: 'OrganizationAccessDeniedException', errorMessage: 'Denied by a service control policy </script>', since: FAILED_AT });
  }
  const n = i * REGIONS.length + r;
  if (n % 37 === 5) return state({ ...base, status: 'FAILED', errorCode: 'NoAvailableConfigurationRecorderException', errorMessage: 'No configuration recorder', since: FAILED_AT });
  if (n % 53 === 9) return state({ ...base, status: 'OUTDATED', since: '2026-11-24T06:00:00.000Z' });
  if (n % 97 === 11) return state({ ...base, status: 'SUCCEEDED', stale: true, lastUpdateTime: '2026-11-20T00:00:00.000Z' });
  if (i === 90 && region === 'sa-east-1') return state({ ...base, status: 'FAILED', errorCode: 'AccessDeniedException', removedAt: '2026-11-24T09:00:00.000Z' });
  return state(base);
}

export const ORG_STATES: readonly SourceState[] = Array.from({ length: ACCOUNTS }, (_, i) =>
  REGIONS.map((region, r) => stateOf(i, region, r)).filter((s): s is SourceState => s !== undefined),
).flat();

export const LAB_STATES: readonly SourceState[] = ['200000000001', '200000000002', '200000000003'].map((sourceId, i) =>
  state({ aggregator: 'lab', sourceId, region: 'eu-west-1', status: i === 1 ? 'FAILED' : 'SUCCEEDED', ...(i === 1 ? { errorCode: 'InternalError' } : {}) }),
);

/** The transitions that led to the FAILED sources, and their recoveries a week earlier. */
const HISTORY: readonly HistoryEntry[] = ORG_STATES.filter((s) => s.status === 'FAILED' && s.removedAt === undefined).flatMap((s) => {
  const entry = { aggregator: s.aggregator, sourceId: s.sourceId, sourceType: s.sourceType, region: s.region };
  return [
    { ...entry, at: '2026-11-10T12:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'FAILED', errorCode: 'Throttled' },
    { ...entry, at: '2026-11-12T12:00:00.000Z', event: 'STATUS_CHANGED', fromStatus: 'FAILED', toStatus: 'SUCCEEDED' },
    { ...entry, at: s.since, event: 'STATUS_CHANGED', fromStatus: 'SUCCEEDED', toStatus: 'FAILED', ...(s.errorCode ? { errorCode: s.errorCode } : {}) },
  ] satisfies HistoryEntry[];
});

/** Every 6 hours for 30 days, FAILED growing from 20 to the table's count. */
const RUNS: readonly RunSummary[] = Array.from({ length: 120 }, (_, k) =>
  runSummary({
    aggregator: 'org',
    runAt: new Date(Date.parse('2026-10-25T18:00:00.000Z') + k * 6 * 3_600_000).toISOString(),
    counts: { FAILED: Math.round(20 + (k / 119) * 127), OUTDATED: k % 10, SUCCEEDED: 800 },
  }),
);

export async function seedReportTable(local: LocalDynamoDB, tableName: string): Promise<void> {
  await local.createTable(tableName);
  const store = new HistoryStore(local.documentClient, { tableName, historyRetentionDays: 400 });
  await store.putMeta({ aggregator: 'org', lastFullSweepAt: '2026-11-24T12:00:00.000Z', totalSources: ORG_STATES.length }, '2026-11-24T12:00:00.000Z');
  await store.putMeta({ aggregator: 'lab', lastFullSweepAt: '2026-11-24T12:00:00.000Z', totalSources: 3 }, '2026-11-24T12:00:00.000Z');
  await store.putMeta(
    { aggregator: 'empty', monitorError: { code: 'NoSuchConfigurationAggregatorException', message: 'Configuration aggregator "empty" does not exist', since: '2026-11-24T14:45:00.000Z' } },
    '2026-11-24T14:45:00.000Z',
  );
  await store.record({ history: HISTORY, writes: [...ORG_STATES, ...LAB_STATES] });
  for (const r of RUNS) await store.putRun(r);
}
