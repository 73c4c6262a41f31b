import type { AggregatedSourceStatus } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { normalise } from '../../adapters/config-reader';
import { MISSING } from '../../core/model';
import { expected, source } from './config-fixtures';

describe('normalise', () => {
  it('keeps all seven fields, with LastUpdateTime as ISO 8601', () => {
    // Prepare
    const raw: AggregatedSourceStatus = {
      SourceId: '123456789012',
      SourceType: 'ORGANIZATION',
      AwsRegion: 'eu-west-1',
      LastUpdateStatus: 'FAILED',
      LastUpdateTime: new Date(Date.UTC(2026, 10, 24, 9, 30, 15, 250)),
      LastErrorCode: 'AUTHORIZATION_NOT_FOUND',
      LastErrorMessage: 'The source account has not authorized the aggregator account.',
    };

    // Act
    const o = normalise(raw);

    // Assess
    expect(o).toStrictEqual({
      sourceId: '123456789012',
      sourceType: 'ORGANIZATION',
      region: 'eu-west-1',
      status: 'FAILED',
      lastUpdateTime: '2026-11-24T09:30:15.250Z',
      errorCode: 'AUTHORIZATION_NOT_FOUND',
      errorMessage: 'The source account has not authorized the aggregator account.',
    });
  });

  it.each<[string, AggregatedSourceStatus]>([
    ['absent', {}],
    ['empty', { SourceId: '', SourceType: '' as never, AwsRegion: '', LastUpdateStatus: '' as never, LastErrorCode: '', LastErrorMessage: '' }],
  ])('fills %s key fields and status with MISSING and omits the optional ones', (_how, raw) => {
    // Prepare
    const input = raw;

    // Act
    const o = normalise(input);

    // Assess
    expect(o).toStrictEqual({ sourceId: MISSING, sourceType: MISSING, region: MISSING, status: MISSING });
    expect(MISSING).toBe('(missing)');
  });

  it('keeps an unknown status string verbatim', () => {
    // Prepare
    const raw = source(1, { LastUpdateStatus: 'PENDING_VALIDATION' as never });

    // Act
    const o = normalise(raw);

    // Assess
    expect(o).toStrictEqual(expected(1, { status: 'PENDING_VALIDATION' }));
  });

  it('converts a LastUpdateTime given as a string to ISO 8601, and keeps an unparseable one as sent', () => {
    // Prepare
    const asString = source(1, { LastUpdateTime: '2026-11-24T11:00:00Z' as unknown as Date });
    const garbage = source(2, { LastUpdateTime: 'yesterday' as unknown as Date });

    // Act
    const fromString = normalise(asString);
    const fromGarbage = normalise(garbage);

    // Assess
    expect(fromString.lastUpdateTime).toBe('2026-11-24T11:00:00.000Z');
    expect(fromGarbage.lastUpdateTime).toBe('yesterday');
  });
});
