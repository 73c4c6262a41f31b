import { describe, expect, it } from 'vitest';
import { bucketOf, bucketsOf, planUnits, SUB_BUCKET_SOURCES, viewOf } from '../../core/run-plan';
import { reconcile } from '../../core/reconcile';
import { sourceKey } from '../../core/model';
import { AT, observed, state } from '../support/builders';

const POLICY = { alertStatuses: ['FAILED'] as const, remindAfterHours: 24, notifyRecoveries: true };

describe('planUnits', () => {
  it('gives a full sweep one unit per shard, a fast read one unit of all shards, a failed read none', () => {
    // Act
    const units = planUnits(
      [
        { aggregator: 'a', mode: 'full', outcome: 'read' },
        { aggregator: 'b', mode: 'fast', outcome: 'read' },
        { aggregator: 'c', mode: 'full', outcome: 'error' },
      ],
      4,
    );
    // Assert
    expect(units).toEqual([
      { aggregator: 'a', shards: [0] },
      { aggregator: 'a', shards: [1] },
      { aggregator: 'a', shards: [2] },
      { aggregator: 'a', shards: [3] },
      { aggregator: 'b', shards: [0, 1, 2, 3] },
    ]);
  });

  it('groups shards when one a unit would not fit the execution history, and fails naming the numbers when nothing fits', () => {
    // Arrange: 150 full sweeps of 16 shards: 2,400 units, over the 2,000 that fit; two shards a unit fit.
    const many = Array.from({ length: 150 }, (_, i) => ({ aggregator: `a${i}`, mode: 'full' as const, outcome: 'read' as const }));
    const tooMany = Array.from({ length: 2001 }, (_, i) => ({ aggregator: `a${i}`, mode: 'fast' as const, outcome: 'read' as const }));
    // Act
    const units = planUnits(many, 16);
    // Assert
    expect(units).toHaveLength(1200);
    expect(units.slice(0, 2)).toEqual([
      { aggregator: 'a0', shards: [0, 1] },
      { aggregator: 'a0', shards: [2, 3] },
    ]);
    expect(() => planUnits(tooMany, 16)).toThrow(/2001 aggregators need at least 2001 reconcile units, more than the 2000/);
  });
});

describe('sub-buckets', () => {
  it('splits a shard above SUB_BUCKET_SOURCES into ceil(n / SUB_BUCKET_SOURCES) buckets', () => {
    expect([0, 1, SUB_BUCKET_SOURCES, SUB_BUCKET_SOURCES + 1, 4 * SUB_BUCKET_SOURCES].map(bucketsOf)).toEqual([1, 1, 1, 2, 4]);
  });

  it('places a hash by the bits above the shard, each bucket a share of the hashes', () => {
    // Act
    const buckets = Array.from({ length: 64 }, (_, hash) => bucketOf(hash, 16, 4));
    // Assert
    expect(buckets.slice(0, 16).every((b) => b === 0)).toBe(true);
    expect(buckets.slice(16, 32).every((b) => b === 1)).toBe(true);
    expect(new Set(buckets)).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe('viewOf', () => {
  it('keeps the states that may owe a notice, with the state before for a status change', () => {
    // Arrange: a new failure, a quiet SUCCEEDED source, a recovered one still carrying its marker.
    const failed = observed({ sourceId: '1', status: 'FAILED', errorCode: 'X' });
    const quiet = observed({ sourceId: '2' });
    const recovered = observed({ sourceId: '3' });
    const previous = new Map([
      [sourceKey(failed), state({ sourceId: '1' })],
      [sourceKey(quiet), state({ sourceId: '2' })],
      [sourceKey(recovered), state({ sourceId: '3', status: 'FAILED', notifiedCondition: 'FAILED', notifiedAt: AT })],
    ]);
    const rec = reconcile({ aggregator: 'org', at: AT, observed: [failed, quiet, recovered], previous, complete: true });
    // Act
    const view = viewOf(rec, previous, POLICY);
    // Assert
    expect(view.map((v) => [v.state.sourceId, v.state.status, v.changed, v.previous?.status])).toEqual([
      ['1', 'FAILED', true, 'SUCCEEDED'],
      ['3', 'SUCCEEDED', true, 'FAILED'],
    ]);
  });
});

describe('bucketTimeMs', () => {
  it('keeps the margin plus two writes a source at the unit share of the table pace', async () => {
    // Arrange
    const { bucketTimeMs, RECONCILE_MARGIN_MS } = await import('../../lambda/steps/reconcile');
    // Act
    const times = [bucketTimeMs(0, 10), bucketTimeMs(25_000, 10), bucketTimeMs(25_000, 40)];
    // Assert: 50,000 items at 300 and at 75 a second.
    expect(times).toEqual([RECONCILE_MARGIN_MS, RECONCILE_MARGIN_MS + 166_667, RECONCILE_MARGIN_MS + 666_667]);
  });
});
