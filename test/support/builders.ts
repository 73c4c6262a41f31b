import {
  HOUR_MS,
  sourceKey,
  type AggregatorMeta,
  type ObservedSource,
  type RunSummary,
  type SourceState,
} from '../../core/model';

export const AT = '2026-11-24T12:00:00.000Z';

/** An observed source: account 111111111111 in us-east-1, SUCCEEDED, unless overridden. */
export function observed(overrides: Partial<ObservedSource> = {}): ObservedSource {
  return {
    sourceId: '111111111111',
    sourceType: 'ACCOUNT',
    region: 'us-east-1',
    status: 'SUCCEEDED',
    lastUpdateTime: '2026-11-24T11:00:00.000Z',
    ...overrides,
  };
}

export function state(overrides: Partial<SourceState> = {}): SourceState {
  return {
    aggregator: 'org',
    firstSeenAt: '2026-11-01T00:00:00.000Z',
    since: '2026-11-01T00:00:00.000Z',
    ...observed(),
    ...overrides,
  };
}

/** n distinct sources: accounts 100000000000.. across the given regions. */
export function organization(accounts: number, regions: readonly string[], status = 'SUCCEEDED'): ObservedSource[] {
  const out: ObservedSource[] = [];
  for (let a = 0; a < accounts; a++) {
    for (const region of regions) {
      out.push(observed({ sourceId: String(100000000000 + a), region, status }));
    }
  }
  return out;
}

/** An aggregator record for `org`, with nothing but its name unless overridden. */
export function meta(overrides: Partial<AggregatorMeta> = {}): AggregatorMeta {
  return { aggregator: 'org', ...overrides };
}

/** A run summary of a quiet fast run (2 FAILED, 1 OUTDATED, 40 SUCCEEDED), unless overridden. */
export function runSummary(overrides: Partial<RunSummary> & Pick<RunSummary, 'aggregator' | 'runAt'>): RunSummary {
  return {
    mode: 'fast',
    outcome: 'ok',
    counts: { FAILED: 2, OUTDATED: 1, SUCCEEDED: 40 },
    configCalls: 1,
    pagesRead: 1,
    sourcesRead: 3,
    historyWritten: 0,
    stateWritten: 0,
    noticesPublished: 0,
    durationMs: 850,
    ...overrides,
  };
}

/** Remembered states keyed as reconcile and the store key them. */
export function byKey(...states: SourceState[]): Map<string, SourceState> {
  return new Map(states.map((s) => [sourceKey(s), s]));
}

/** `hours` (may be fractional or negative) after `iso`, as an ISO string; `ms` adds milliseconds on top. */
export function hoursAfter(iso: string, hours: number, ms = 0): string {
  return new Date(Date.parse(iso) + hours * HOUR_MS + ms).toISOString();
}
