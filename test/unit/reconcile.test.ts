import { describe, expect, it } from 'vitest';
import { sourceKey, type ObservedSource, type SourceState } from '../../core/model';
import { dedupe, reconcile, type ReconcileInput } from '../../core/reconcile';
import { AT, byKey, hoursAfter, observed, state } from '../support/builders';

const KEY = 'ACCOUNT#111111111111#us-east-1';
const EARLIER = '2026-11-01T00:00:00.000Z';

function run(input: Partial<ReconcileInput> & Pick<ReconcileInput, 'observed'>) {
  return reconcile({ aggregator: 'org', at: AT, previous: new Map(), complete: true, ...input });
}

function withoutLastUpdateTime(o: ObservedSource): ObservedSource {
  const { lastUpdateTime: _t, ...rest } = o;
  return rest;
}

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

  it('keeps the notice markers, the delivered error code among them, across an error code change', () => {
    // Prepare
    const marker = { notifiedCondition: 'FAILED', notifiedAt: '2026-11-24T10:15:00.000Z', notifiedErrorCode: 'AUTHORIZATION_NOT_FOUND' };
    const prev = state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', ...marker });
    const o = observed({ status: 'FAILED', errorCode: 'ORGANIZATION_ACCESS_DENIED' });

    // Act
    const rec = run({ observed: [o], previous: byKey(prev) });

    // Assess
    expect(rec.writes).toStrictEqual([{ ...o, aggregator: 'org', firstSeenAt: EARLIER, since: AT, ...marker }]);
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

describe('reconcile: sources not read', () => {
  it('deletes a source missing from a complete read that owes no notice, with a REMOVED entry', () => {
    // Prepare
    const gone = state({ status: 'FAILED', errorCode: 'X', errorMessage: 'broken' });

    // Act
    const rec = run({ observed: [], previous: byKey(gone), complete: true });

    // Assess
    expect(rec.history).toStrictEqual([
      {
        aggregator: 'org',
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        region: 'us-east-1',
        at: AT,
        event: 'REMOVED',
        fromStatus: 'FAILED',
        toStatus: 'REMOVED',
        lastUpdateTime: '2026-11-24T11:00:00.000Z',
        errorCode: 'X',
        errorMessage: 'broken',
      },
    ]);
    expect(rec.deletes).toStrictEqual([gone]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.states.has(KEY)).toBe(false);
  });

  it('keeps a tombstone (removedAt = at) for a removed source that carries a notice marker', () => {
    // Prepare
    const gone = state({ status: 'FAILED', notifiedCondition: 'FAILED', notifiedAt: '2026-11-24T06:00:00.000Z' });

    // Act
    const rec = run({ observed: [], previous: byKey(gone), complete: true });

    // Assess
    const tombstone: SourceState = { ...gone, removedAt: AT };
    expect(rec.history.map((h) => [h.event, h.fromStatus, h.toStatus])).toStrictEqual([['REMOVED', 'FAILED', 'REMOVED']]);
    expect(rec.writes).toStrictEqual([tombstone]);
    expect(rec.deletes).toStrictEqual([]);
    expect(rec.states.get(KEY)).toStrictEqual(tombstone);
  });

  it('does not remove a source missing from an incomplete (fast) read: unchanged, in the view as remembered', () => {
    // Prepare
    const notRead = state({ status: 'FAILED', notifiedCondition: 'FAILED', notifiedAt: '2026-11-24T06:00:00.000Z' });

    // Act
    const rec = run({ observed: [], previous: byKey(notRead), complete: false });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.deletes).toStrictEqual([]);
    expect(rec.states.get(KEY)).toBe(notRead);
  });

  it('leaves a tombstone that stays absent from a complete read unchanged', () => {
    // Prepare
    const tombstone = state({
      status: 'FAILED',
      removedAt: '2026-11-24T11:45:00.000Z',
      notifiedCondition: 'FAILED',
      notifiedAt: '2026-11-24T06:00:00.000Z',
    });

    // Act
    const rec = run({ observed: [], previous: byKey(tombstone), complete: true });

    // Assess
    expect(rec.history).toStrictEqual([]);
    expect(rec.writes).toStrictEqual([]);
    expect(rec.deletes).toStrictEqual([]);
    expect(rec.states.get(KEY)).toBe(tombstone);
  });

  it('brings a removed source back as FIRST_SEEN, keeping firstSeenAt and its notice marker, dropping removedAt', () => {
    // Prepare
    const tombstone = state({
      status: 'FAILED',
      removedAt: '2026-11-24T11:45:00.000Z',
      notifiedCondition: 'FAILED',
      notifiedAt: '2026-11-24T06:00:00.000Z',
    });
    const back = observed({ status: 'FAILED', errorCode: 'X' });

    // Act
    const rec = run({ observed: [back], previous: byKey(tombstone), complete: true });

    // Assess
    const next: SourceState = {
      ...back,
      aggregator: 'org',
      notifiedCondition: 'FAILED',
      notifiedAt: '2026-11-24T06:00:00.000Z',
      firstSeenAt: EARLIER,
      since: AT,
    };
    expect(rec.history.map((h) => [h.event, h.fromStatus, h.toStatus])).toStrictEqual([['FIRST_SEEN', undefined, 'FAILED']]);
    expect(rec.writes).toStrictEqual([next]);
    expect(rec.deletes).toStrictEqual([]);
    expect(rec.states.get(KEY)).toStrictEqual(next);
  });
});

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

describe('dedupe', () => {
  it('keeps the last source read per key and counts the duplicates', () => {
    // Prepare
    const first = observed({ status: 'FAILED', errorCode: 'FIRST' });
    const other = observed({ region: 'eu-west-1' });
    const last = observed({ status: 'FAILED', errorCode: 'LAST' });
    const again = observed({ status: 'OUTDATED' });

    // Act
    const { sources, duplicates } = dedupe([first, other, last, again, observed({ status: 'FAILED', errorCode: 'FINAL' })]);

    // Assess
    expect(duplicates).toBe(3);
    expect(sources).toStrictEqual([observed({ status: 'FAILED', errorCode: 'FINAL' }), other]);
    expect(sources.map(sourceKey)).toStrictEqual([KEY, 'ACCOUNT#111111111111#eu-west-1']);
  });

  it('counts no duplicates among distinct sources, telling sources apart by type, id and region', () => {
    // Prepare
    const list = [
      observed(),
      observed({ sourceType: 'ORGANIZATION' }),
      observed({ sourceId: '222222222222' }),
      observed({ region: 'eu-west-1' }),
    ];

    // Act
    const { sources, duplicates } = dedupe(list);

    // Assess
    expect(duplicates).toBe(0);
    expect(sources).toStrictEqual(list);
  });
});
