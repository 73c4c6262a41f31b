import { describe, expect, it } from 'vitest';
import type { SourceState } from '../../core/model';
import { AT, byKey, observed, state } from '../support/builders';
import { KEY, EARLIER, run } from './reconcile-fixtures';

describe('reconcile: sources read', () => {
  it('records a source seen for the first time: FIRST_SEEN history and a write, since and firstSeenAt = at', () => {
    // Prepare
    const o = observed({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'Not authorized.' });

    // Act
    const rec = run({ observed: [o], complete: false });

    // Assess
    const written: SourceState = {
      sourceId: '111111111111',
      sourceType: 'ACCOUNT',
      region: 'us-east-1',
      status: 'FAILED',
      lastUpdateTime: '2026-11-24T11:00:00.000Z',
      errorCode: 'AUTHORIZATION_NOT_FOUND',
      errorMessage: 'Not authorized.',
      aggregator: 'org',
      firstSeenAt: AT,
      since: AT,
    };
    expect(rec.history).toStrictEqual([
      {
        aggregator: 'org',
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        region: 'us-east-1',
        at: AT,
        event: 'FIRST_SEEN',
        toStatus: 'FAILED',
        lastUpdateTime: '2026-11-24T11:00:00.000Z',
        errorCode: 'AUTHORIZATION_NOT_FOUND',
        errorMessage: 'Not authorized.',
      },
    ]);
    expect(rec.writes).toStrictEqual([written]);
    expect(rec.deletes).toStrictEqual([]);
    expect([...rec.states.entries()]).toStrictEqual([[KEY, written]]);
  });

  it('writes nothing for an unchanged source, but its view carries the fresh lastUpdateTime and errorMessage', () => {
    // Prepare
    const prev = state({
      status: 'FAILED',
      errorCode: 'AUTHORIZATION_NOT_FOUND',
      errorMessage: 'old wording',
      lastUpdateTime: '2026-11-24T10:00:00.000Z',
      notifiedCondition: 'FAILED',
      notifiedAt: '2026-11-24T10:15:00.000Z',
    });
    const o = observed({
      status: 'FAILED',
      errorCode: 'AUTHORIZATION_NOT_FOUND',
      errorMessage: 'new wording',
      lastUpdateTime: '2026-11-24T11:30:00.000Z',
    });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.deletes).toStrictEqual([]);
    expect(rec.states.get(KEY)).toStrictEqual({
      ...prev,
      errorMessage: 'new wording',
      lastUpdateTime: '2026-11-24T11:30:00.000Z',
    });
  });

  it('records a status change: STATUS_CHANGED from -> to, since = at, firstSeenAt and marker kept', () => {
    // Prepare
    const prev = state({ status: 'SUCCEEDED', notifiedCondition: 'STALE', notifiedAt: '2026-11-20T00:00:00.000Z' });
    const o = observed({ status: 'FAILED', errorCode: 'ORGANIZATION_ACCESS_DENIED' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    const next: SourceState = {
      ...o,
      aggregator: 'org',
      notifiedCondition: 'STALE',
      notifiedAt: '2026-11-20T00:00:00.000Z',
      firstSeenAt: EARLIER,
      since: AT,
    };
    expect(rec.history).toStrictEqual([
      {
        aggregator: 'org',
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        region: 'us-east-1',
        at: AT,
        event: 'STATUS_CHANGED',
        fromStatus: 'SUCCEEDED',
        toStatus: 'FAILED',
        lastUpdateTime: '2026-11-24T11:00:00.000Z',
        errorCode: 'ORGANIZATION_ACCESS_DENIED',
      },
    ]);
    expect(rec.writes).toStrictEqual([next]);
    expect(rec.states.get(KEY)).toStrictEqual(next);
  });

  it('records an error code change within the same status as ERROR_CHANGED, since = at', () => {
    // Prepare
    const prev = state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', since: '2026-11-20T00:00:00.000Z' });
    const o = observed({ status: 'FAILED', errorCode: 'ORGANIZATION_ACCESS_DENIED', errorMessage: 'denied' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    expect(rec.history).toStrictEqual([
      {
        aggregator: 'org',
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        region: 'us-east-1',
        at: AT,
        event: 'ERROR_CHANGED',
        fromStatus: 'FAILED',
        toStatus: 'FAILED',
        lastUpdateTime: '2026-11-24T11:00:00.000Z',
        errorCode: 'ORGANIZATION_ACCESS_DENIED',
        errorMessage: 'denied',
      },
    ]);
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', firstSeenAt: EARLIER, since: AT }]);
  });

  it('records an error code appearing as ERROR_CHANGED', () => {
    // Prepare
    const prev = state({ status: 'FAILED' });
    const o = observed({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    expect(rec.history.map((h) => [h.event, h.fromStatus, h.toStatus, h.errorCode])).toStrictEqual([
      ['ERROR_CHANGED', 'FAILED', 'FAILED', 'AUTHORIZATION_NOT_FOUND'],
    ]);
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', firstSeenAt: EARLIER, since: AT }]);
  });

  it('records an error code disappearing as ERROR_CHANGED, with no errorCode left on the entry or the state', () => {
    // Prepare
    const prev = state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'Not authorized.' });
    const o = observed({ status: 'FAILED' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    expect(rec.history).toStrictEqual([
      {
        aggregator: 'org',
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        region: 'us-east-1',
        at: AT,
        event: 'ERROR_CHANGED',
        fromStatus: 'FAILED',
        toStatus: 'FAILED',
        lastUpdateTime: '2026-11-24T11:00:00.000Z',
      },
    ]);
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', firstSeenAt: EARLIER, since: AT }]);
  });

  it.each([
    ['only the error message', { errorMessage: 'reworded' }],
    ['only the last update time', { lastUpdateTime: '2026-11-24T11:45:00.000Z' }],
  ])('writes nothing when %s changed, and keeps since', (_what, change) => {
    // Prepare
    const prev = state({ status: 'FAILED', errorCode: 'X', errorMessage: 'original', since: '2026-11-20T00:00:00.000Z' });
    const o = observed({ status: 'FAILED', errorCode: 'X', errorMessage: 'original', ...change });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.states.get(KEY)?.since).toBe('2026-11-20T00:00:00.000Z');
    expect(rec.states.get(KEY)).toStrictEqual({ ...prev, ...change });
  });

  it('keeps an unknown status verbatim, on first sight and on change', () => {
    // Prepare
    const newcomer = observed({ sourceId: '222222222222', status: 'PENDING_VALIDATION' });
    const prev = state({ status: 'SUCCEEDED' });
    const changed = observed({ status: '(missing)' });

    // Act
    const rec = run({ observed: [newcomer, changed], previous: byKey(prev) });

    // Assess
    expect(rec.history.map((h) => [h.sourceId, h.event, h.fromStatus, h.toStatus])).toStrictEqual([
      ['222222222222', 'FIRST_SEEN', undefined, 'PENDING_VALIDATION'],
      ['111111111111', 'STATUS_CHANGED', 'SUCCEEDED', '(missing)'],
    ]);
    expect(rec.writes.map((s) => s.status)).toStrictEqual(['PENDING_VALIDATION', '(missing)']);
  });
});
