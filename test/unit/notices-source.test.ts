import { describe, expect, it } from 'vitest';
import type { SourceState } from '../../core/model';
import { afterNotified, afterSilentClear, alertCondition, decideSourceNotices, type NoticePolicy, type SourceNotice } from '../../core/notices';
import { AT, hoursAfter, state } from '../support/builders';
import { POLICY, BOTH, STALENESS, failed } from './notices-fixtures';

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

  it("sets the marker to a failure notice's condition and time", () => {
    // Prepare
    const s = state({ status: 'OUTDATED', notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z' });

    // Act
    const next = afterNotified(notice('failure', s, 'OUTDATED'), AT);

    // Assess
    expect(next).toStrictEqual({ ...s, notifiedCondition: 'OUTDATED', notifiedAt: AT });
  });

  it('moves the marker time on a reminder', () => {
    // Prepare
    const s = failed({ notifiedCondition: 'FAILED', notifiedAt: '2026-11-20T00:00:00.000Z' });

    // Act
    const next = afterNotified(notice('reminder', s), AT);

    // Assess
    expect(next).toStrictEqual({ ...s, notifiedCondition: 'FAILED', notifiedAt: AT });
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
