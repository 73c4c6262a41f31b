import { describe, expect, it } from 'vitest';
import type { AggregatorMeta, SourceState } from '../../core/model';
import {
  afterNotified,
  afterSilentClear,
  alertCondition,
  decideMonitorNotice,
  decideSourceNotices,
  metaAfterMonitorNotice,
  type MonitorError,
  type NoticePolicy,
  type SourceNotice,
} from '../../core/notices';
import { AT, hoursAfter, meta, state } from '../support/builders';

const POLICY: NoticePolicy = { alertStatuses: ['FAILED'], remindAfterHours: 24, notifyRecoveries: true };
const BOTH: NoticePolicy = { ...POLICY, alertStatuses: ['FAILED', 'OUTDATED'] };
const STALENESS: NoticePolicy = { ...POLICY, staleAfterHours: 48 };

const failed = (overrides: Partial<SourceState> = {}) =>
  state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', ...overrides });

describe('alertCondition', () => {
  it.each<[string, Partial<SourceState>, NoticePolicy, string | undefined]>([
    ['FAILED when FAILED alerts', { status: 'FAILED' }, POLICY, 'FAILED'],
    ['OUTDATED when only FAILED alerts', { status: 'OUTDATED' }, POLICY, undefined],
    ['OUTDATED when OUTDATED alerts', { status: 'OUTDATED' }, BOTH, 'OUTDATED'],
    ['FAILED when only OUTDATED alerts', { status: 'FAILED' }, { ...POLICY, alertStatuses: ['OUTDATED'] }, undefined],
    ['SUCCEEDED', { status: 'SUCCEEDED' }, STALENESS, undefined],
    ['stale SUCCEEDED with staleAfterHours set', { status: 'SUCCEEDED', stale: true }, STALENESS, 'STALE'],
    ['stale SUCCEEDED with staleAfterHours unset', { status: 'SUCCEEDED', stale: true }, POLICY, undefined],
    ['an unknown status', { status: 'PENDING_VALIDATION' }, BOTH, undefined],
    ['a removed FAILED source', { status: 'FAILED', removedAt: AT }, BOTH, undefined],
    ['a removed stale source', { status: 'SUCCEEDED', stale: true, removedAt: AT }, STALENESS, undefined],
  ])('the condition of %s', (_name, overrides, policy, expected) => {
    // Prepare
    const s = state(overrides);

    // Act
    const condition = alertCondition(s, policy);

    // Assess
    expect(condition).toBe(expected);
  });
});

describe('decideSourceNotices', () => {
  it('owes a failure notice for a newly alerting source', () => {
    // Prepare
    const s = failed();

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision).toStrictEqual({
      notices: [{ kind: 'failure', state: s, condition: 'FAILED', removed: false }],
      silentClears: [],
    });
  });

  it('owes a failure notice with condition STALE for a stale source when staleness is on', () => {
    // Prepare
    const s = state({ stale: true });

    // Act
    const decision = decideSourceNotices([s], STALENESS, AT);

    // Assess
    expect(decision.notices).toStrictEqual([{ kind: 'failure', state: s, condition: 'STALE', removed: false }]);
  });

  it('owes nothing inside the reminder interval', () => {
    // Prepare
    const s = failed({ notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -24, 1) });

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision).toStrictEqual({ notices: [], silentClears: [] });
  });

  it.each([
    ['exactly remindAfterHours', hoursAfter(AT, -24)],
    ['after remindAfterHours', hoursAfter(AT, -30)],
  ])('owes a reminder %s after the last notice', (_when, notifiedAt) => {
    // Prepare
    const s = failed({ notifiedCondition: 'FAILED', notifiedAt });

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision).toStrictEqual({
      notices: [{ kind: 'reminder', state: s, condition: 'FAILED', removed: false }],
      silentClears: [],
    });
  });

  it('owes a reminder when a marker has no notifiedAt', () => {
    // Prepare
    const s = failed({ notifiedCondition: 'FAILED' });

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision.notices.map((n) => n.kind)).toStrictEqual(['reminder']);
  });

  it('treats a change between alerting conditions (FAILED -> OUTDATED) as a new failure', () => {
    // Prepare
    const s = state({ status: 'OUTDATED', notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -1) });

    // Act
    const decision = decideSourceNotices([s], BOTH, AT);

    // Assess
    expect(decision).toStrictEqual({
      notices: [{ kind: 'failure', state: s, condition: 'OUTDATED', removed: false }],
      silentClears: [],
    });
  });

  it('owes a recovery, naming the condition that ended, when a notified source no longer alerts', () => {
    // Prepare
    const s = state({ status: 'SUCCEEDED', notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -1) });

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision).toStrictEqual({
      notices: [{ kind: 'recovery', state: s, condition: 'FAILED', removed: false }],
      silentClears: [],
    });
  });

  it('owes a recovery when the alert status is no longer alerted on (OUTDATED notified, policy now FAILED only)', () => {
    // Prepare
    const s = state({ status: 'OUTDATED', notifiedCondition: 'OUTDATED', notifiedAt: hoursAfter(AT, -1) });

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision.notices).toStrictEqual([{ kind: 'recovery', state: s, condition: 'OUTDATED', removed: false }]);
  });

  it('owes a recovery with removed = true for a removed source that carried a marker', () => {
    // Prepare
    const s = failed({ removedAt: AT, notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -1) });

    // Act
    const decision = decideSourceNotices([s], POLICY, AT);

    // Assess
    expect(decision).toStrictEqual({
      notices: [{ kind: 'recovery', state: s, condition: 'FAILED', removed: true }],
      silentClears: [],
    });
  });

  it('clears markers silently instead of notifying recoveries when notifyRecoveries is false', () => {
    // Prepare
    const recovered = state({ notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -1) });
    const removed = failed({ sourceId: '222222222222', removedAt: AT, notifiedCondition: 'FAILED' });
    const stillFailing = failed({ sourceId: '333333333333' });

    // Act
    const decision = decideSourceNotices([recovered, removed, stillFailing], { ...POLICY, notifyRecoveries: false }, AT);

    // Assess
    expect(decision).toStrictEqual({
      notices: [{ kind: 'failure', state: stillFailing, condition: 'FAILED', removed: false }],
      silentClears: [recovered, removed],
    });
  });

  it('owes nothing for a healthy source without a marker, nor for a non-alerting status without one', () => {
    // Prepare
    const states = [state(), state({ sourceId: '222222222222', status: 'OUTDATED' }), state({ stale: true })];

    // Act
    const decision = decideSourceNotices(states, POLICY, AT);

    // Assess
    expect(decision).toStrictEqual({ notices: [], silentClears: [] });
  });
});

describe('afterNotified / afterSilentClear', () => {
  const notice = (kind: SourceNotice['kind'], s: SourceState, condition = 'FAILED'): SourceNotice => ({
    kind,
    state: s,
    condition,
    removed: s.removedAt !== undefined,
  });

  it("sets the marker to a failure notice's condition, time and error code", () => {
    // Prepare
    const s = state({ status: 'OUTDATED', notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z' });

    // Act
    const next = afterNotified(notice('failure', s, 'OUTDATED'), AT);

    // Assess
    expect(next).toStrictEqual({ ...s, notifiedCondition: 'OUTDATED', notifiedAt: AT, notifiedErrorCode: '' });
  });

  it('moves the marker time on a reminder', () => {
    // Prepare
    const s = failed({ notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z' });

    // Act
    const next = afterNotified(notice('reminder', s), AT);

    // Assess
    expect(next).toStrictEqual({ ...s, notifiedCondition: 'FAILED', notifiedAt: AT, notifiedErrorCode: s.errorCode ?? '' });
  });

  it('clears the error-code marker with the notice marker on a recovery', () => {
    // Prepare
    const s = state({ status: 'SUCCEEDED', notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z', notifiedErrorCode: 'X' });

    // Act
    const next = afterNotified(notice('recovery', s, 'FAILED'), AT);

    // Assess
    expect(next).not.toHaveProperty('notifiedErrorCode');
    expect(next).not.toHaveProperty('notifiedCondition');
  });

  it('clears the marker on a recovery', () => {
    // Prepare
    const s = state({ notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z' });

    // Act
    const next = afterNotified(notice('recovery', s), AT);

    // Assess
    expect(next).toStrictEqual(state());
    expect(next).not.toHaveProperty('notifiedCondition');
    expect(next).not.toHaveProperty('notifiedAt');
  });

  it('returns undefined (delete the item) once a removed source was notified', () => {
    // Prepare
    const s = failed({ removedAt: AT, notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z' });

    // Act
    const next = afterNotified(notice('recovery', s), AT);

    // Assess
    expect(next).toBeUndefined();
  });

  it('afterSilentClear removes the marker, and returns undefined for a removed source', () => {
    // Prepare
    const recovered = state({ notifiedCondition: 'STALE', notifiedAt: '2026-11-20T00:00:00.000Z' });
    const removed = failed({ removedAt: AT, notifiedCondition: 'FAILED' });

    // Act
    const cleared = afterSilentClear(recovered);
    const gone = afterSilentClear(removed);

    // Assess
    expect(cleared).toStrictEqual(state());
    expect(gone).toBeUndefined();
  });
});

describe('decideMonitorNotice / metaAfterMonitorNotice', () => {
  const MISSING_AGG: MonitorError = {
    code: 'NoSuchConfigurationAggregatorException',
    message: 'Configuration aggregator "org" does not exist in this account and region',
  };
  const THROTTLED: MonitorError = { code: 'ThrottlingException', message: 'Rate exceeded' };
  const T0 = '2026-11-23T12:00:00.000Z';
  const notified = (overrides: Partial<AggregatorMeta> = {}): AggregatorMeta =>
    meta({
      lastFullSweepAt: T0,
      monitorError: { ...MISSING_AGG, since: T0 },
      monitorErrorNotifiedAt: T0,
      ...overrides,
    });

  it('owes a monitor-error notice for a first error, since = at', () => {
    // Prepare
    const before = undefined;

    // Act
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'monitor-error', ...MISSING_AGG, since: AT, reminder: false });
  });

  it('owes nothing for the same error code inside the reminder interval', () => {
    // Prepare
    const before = notified({ monitorErrorNotifiedAt: hoursAfter(AT, -24, 1) });

    // Act
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Assess
    expect(notice).toBeUndefined();
  });

  it('owes a reminder for the same error code once the interval passed, keeping since and taking the new message', () => {
    // Prepare
    const before = notified({ monitorErrorNotifiedAt: hoursAfter(AT, -24) });

    // Act
    const notice = decideMonitorNotice(before, { ...MISSING_AGG, message: 'reworded' }, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({
      kind: 'monitor-error',
      code: 'NoSuchConfigurationAggregatorException',
      message: 'reworded',
      since: T0,
      reminder: true,
    });
  });

  it('owes a new notice (since = at, not a reminder) for a different error code', () => {
    // Prepare
    const before = notified({ monitorErrorNotifiedAt: hoursAfter(AT, -1) });

    // Act
    const notice = decideMonitorNotice(before, THROTTLED, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'monitor-error', ...THROTTLED, since: AT, reminder: false });
  });

  it('owes a first notice for a known error that was never notified, keeping its since', () => {
    // Prepare
    const before = meta({ monitorError: { ...MISSING_AGG, since: T0 } });

    // Act
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'monitor-error', ...MISSING_AGG, since: T0, reminder: false });
  });

  it('owes a recovery naming the notified error when the error is gone', () => {
    // Prepare
    const before = notified();

    // Act
    const notice = decideMonitorNotice(before, undefined, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'recovery', ...MISSING_AGG, since: T0, reminder: false });
  });

  it.each<[string, AggregatorMeta | undefined, NoticePolicy]>([
    ['notifyRecoveries is false', notified(), { ...POLICY, notifyRecoveries: false }],
    ['the error was never notified', meta({ monitorError: { ...MISSING_AGG, since: T0 } }), POLICY],
    ['there was no error', meta({ lastFullSweepAt: T0 }), POLICY],
    ['there is no meta at all', undefined, POLICY],
  ])('owes no recovery when %s', (_why, before, policy) => {
    // Prepare
    const error = undefined;

    // Act
    const notice = decideMonitorNotice(before, error, policy, AT);

    // Assess
    expect(notice).toBeUndefined();
  });

  it('records a first error notice: monitorError with since = at and monitorErrorNotifiedAt = at, other fields kept', () => {
    // Prepare
    const before = meta({ lastFullSweepAt: T0, totalSources: 12 });
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Act
    const after = metaAfterMonitorNotice(before, notice, MISSING_AGG, AT);

    // Assess
    expect(after).toStrictEqual({
      aggregator: 'org',
      lastFullSweepAt: T0,
      totalSources: 12,
      monitorError: { ...MISSING_AGG, since: AT },
      monitorErrorNotifiedAt: AT,
    });
  });

  it('records an error that was not notified without a monitorErrorNotifiedAt', () => {
    // Prepare
    const before = meta();

    // Act
    const after = metaAfterMonitorNotice(before, undefined, THROTTLED, AT);

    // Assess
    expect(after).toStrictEqual({ aggregator: 'org', monitorError: { ...THROTTLED, since: AT } });
  });

  it('replaces a notified error by a new code: since and notifiedAt = at', () => {
    // Prepare
    const before = notified();
    const notice = decideMonitorNotice(before, THROTTLED, POLICY, AT);

    // Act
    const after = metaAfterMonitorNotice(before, notice, THROTTLED, AT);

    // Assess
    expect(after).toStrictEqual({
      aggregator: 'org',
      lastFullSweepAt: T0,
      monitorError: { ...THROTTLED, since: AT },
      monitorErrorNotifiedAt: AT,
    });
  });

  it('clears the error and its notice time when the error is gone (recovery notified or not)', () => {
    // Prepare
    const before = notified({ totalSources: 3 });
    const recovery = decideMonitorNotice(before, undefined, POLICY, AT);

    // Act
    const afterRecovery = metaAfterMonitorNotice(before, recovery, undefined, AT);
    const afterSilent = metaAfterMonitorNotice(before, undefined, undefined, AT);

    // Assess
    expect(afterRecovery).toStrictEqual({ aggregator: 'org', lastFullSweepAt: T0, totalSources: 3 });
    expect(afterSilent).toStrictEqual({ aggregator: 'org', lastFullSweepAt: T0, totalSources: 3 });
  });

  it('preserves since across runs of the same error: notice, silence, reminder, then recovery', () => {
    // Prepare
    const runs = [T0, hoursAfter(T0, 1), hoursAfter(T0, 24), hoursAfter(T0, 25)];
    const errors = [MISSING_AGG, MISSING_AGG, MISSING_AGG, undefined];
    let m: AggregatorMeta = meta();
    const seen: unknown[] = [];

    // Act
    runs.forEach((at, i) => {
      const error = errors[i];
      const notice = decideMonitorNotice(m, error, POLICY, at);
      m = metaAfterMonitorNotice(m, notice, error, at);
      seen.push([notice?.kind, notice?.since, notice?.reminder, m.monitorError?.since, m.monitorErrorNotifiedAt]);
    });

    // Assess
    expect(seen).toStrictEqual([
      ['monitor-error', T0, false, T0, T0],
      [undefined, undefined, undefined, T0, T0],
      ['monitor-error', T0, true, T0, hoursAfter(T0, 24)],
      ['recovery', T0, false, undefined, undefined],
    ]);
    expect(m).toStrictEqual({ aggregator: 'org' });
  });
});
