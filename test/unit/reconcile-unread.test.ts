import { describe, expect, it } from 'vitest';
import type { SourceState } from '../../core/model';
import { AT, byKey, observed, state } from '../support/builders';
import { KEY, EARLIER, run } from './reconcile-fixtures';

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
