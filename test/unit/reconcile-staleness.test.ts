import { describe, expect, it } from 'vitest';
import type { ObservedSource } from '../../core/model';
import { AT, byKey, hoursAfter, observed, state } from '../support/builders';
import { KEY, EARLIER, run } from './reconcile-fixtures';

function withoutLastUpdateTime(o: ObservedSource): ObservedSource {
  const { lastUpdateTime: _t, ...rest } = o;
  return rest;
}

describe('reconcile: staleness', () => {
  const OLD = hoursAfter(AT, -24, -1); // 24 h and 1 ms before the run: older than 24 h

  it('marks a SUCCEEDED source older than staleAfterHours stale on a complete read, with a STALE entry', () => {
    // Prepare
    const prev = state({ lastUpdateTime: OLD, since: '2026-11-20T00:00:00.000Z' });
    const o = observed({ lastUpdateTime: OLD });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev), complete: true, staleAfterHours: 24 });

    // Assess
    expect(rec.history).toStrictEqual([
      {
        aggregator: 'org',
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        region: 'us-east-1',
        at: AT,
        event: 'STALE',
        fromStatus: 'SUCCEEDED',
        toStatus: 'SUCCEEDED',
        lastUpdateTime: '2026-11-23T11:59:59.999Z',
      },
    ]);
    expect(rec.writes).toStrictEqual([
      { ...o, aggregator: 'org', stale: true, firstSeenAt: EARLIER, since: '2026-11-20T00:00:00.000Z' },
    ]);
  });

  it('does not mark a source updated exactly staleAfterHours ago stale (stale means older than)', () => {
    // Prepare
    const exactly = hoursAfter(AT, -24);
    const prev = state({ lastUpdateTime: exactly });

    // Act
    const rec = run({ observed: [observed({ lastUpdateTime: exactly })], previous: byKey(prev), staleAfterHours: 24 });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.states.get(KEY)?.stale).toBeUndefined();
  });

  it('records a stale source updated again as FRESH, and the written state has no stale flag', () => {
    // Prepare
    const prev = state({ lastUpdateTime: OLD, stale: true });
    const o = observed({ lastUpdateTime: '2026-11-24T11:50:00.000Z' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev), staleAfterHours: 24 });

    // Assess
    expect(rec.history.map((h) => [h.event, h.fromStatus, h.toStatus, h.lastUpdateTime])).toStrictEqual([
      ['FRESH', 'SUCCEEDED', 'SUCCEEDED', '2026-11-24T11:50:00.000Z'],
    ]);
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', firstSeenAt: EARLIER, since: EARLIER }]);
  });

  it('records a stale source seen for the first time as FIRST_SEEN then STALE', () => {
    // Prepare
    const o = observed({ lastUpdateTime: OLD });

    // Act
    const rec = run({ observed: [o], staleAfterHours: 24 });

    // Assess
    expect(rec.history.map((h) => h.event)).toStrictEqual(['FIRST_SEEN', 'STALE']);
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', stale: true, firstSeenAt: AT, since: AT }]);
  });

  it.each<[string, ObservedSource, number | undefined]>([
    ['staleAfterHours is undefined', observed({ lastUpdateTime: OLD }), undefined],
    ['the status is not SUCCEEDED', observed({ status: 'FAILED', lastUpdateTime: OLD }), 24],
    ['the status is OUTDATED', observed({ status: 'OUTDATED', lastUpdateTime: OLD }), 24],
    ['lastUpdateTime is missing', withoutLastUpdateTime(observed()), 24],
  ])('does not mark a source stale when %s', (_why, o, staleAfterHours) => {
    // Prepare
    const prev = state({ ...o });

    // Act
    const rec = run({
      observed: [o],
      previous: byKey(prev),
      complete: true,
      ...(staleAfterHours !== undefined ? { staleAfterHours } : {}),
    });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.states.get(KEY)?.stale).toBeUndefined();
  });

  it('keeps the stale flag from the previous state on an incomplete read, whatever the lastUpdateTime', () => {
    // Prepare
    const prev = state({ lastUpdateTime: OLD, stale: true });
    const o = observed({ lastUpdateTime: '2026-11-24T11:50:00.000Z' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev), complete: false, staleAfterHours: 24 });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.states.get(KEY)?.stale).toBe(true);
  });

  it('does not make a source stale on an incomplete read, however old its lastUpdateTime', () => {
    // Prepare
    const prev = state({ lastUpdateTime: OLD });

    // Act
    const rec = run({ observed: [observed({ lastUpdateTime: OLD })], previous: byKey(prev), complete: false, staleAfterHours: 24 });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.states.get(KEY)?.stale).toBeUndefined();
  });

  it('drops the stale flag when a stale source changes status on an incomplete read, with STATUS_CHANGED only', () => {
    // Prepare
    const prev = state({ lastUpdateTime: OLD, stale: true });
    const o = observed({ status: 'FAILED', lastUpdateTime: OLD });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev), complete: false, staleAfterHours: 24 });

    // Assess
    expect(rec.history.map((h) => [h.event, h.fromStatus, h.toStatus])).toStrictEqual([['STATUS_CHANGED', 'SUCCEEDED', 'FAILED']]);
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', firstSeenAt: EARLIER, since: AT }]);
  });

  it('records STALE beside STATUS_CHANGED when a failing source comes back SUCCEEDED but already stale', () => {
    // Prepare
    const prev = state({ status: 'FAILED', errorCode: 'X', lastUpdateTime: OLD });
    const o = observed({ status: 'SUCCEEDED', lastUpdateTime: OLD });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev), complete: true, staleAfterHours: 24 });

    // Assess
    expect(rec.history.map((h) => [h.event, h.fromStatus, h.toStatus])).toStrictEqual([
      ['STATUS_CHANGED', 'FAILED', 'SUCCEEDED'],
      ['STALE', 'SUCCEEDED', 'SUCCEEDED'],
    ]);
    expect(rec.writes[0]?.stale).toBe(true);
  });
});
