/** Config's source statuses as the API returns them, and the observations the reader makes of them. */
import type {
  AggregatedSourceStatus,
  DescribeConfigurationAggregatorSourcesStatusCommandOutput,
} from '@aws-sdk/client-config-service';
import type { ObservedSource } from '../../core/model';

const UPDATED = new Date('2026-11-24T11:00:00.000Z');

export function source(id: number, overrides: Partial<AggregatedSourceStatus> = {}): AggregatedSourceStatus {
  return {
    SourceId: String(100000000000 + id),
    SourceType: 'ACCOUNT',
    AwsRegion: 'us-east-1',
    LastUpdateStatus: 'SUCCEEDED',
    LastUpdateTime: UPDATED,
    ...overrides,
  };
}

export function expected(id: number, overrides: Partial<ObservedSource> = {}): ObservedSource {
  return {
    sourceId: String(100000000000 + id),
    sourceType: 'ACCOUNT',
    region: 'us-east-1',
    status: 'SUCCEEDED',
    lastUpdateTime: '2026-11-24T11:00:00.000Z',
    ...overrides,
  };
}

export function page(ids: number[], nextToken?: string): DescribeConfigurationAggregatorSourcesStatusCommandOutput {
  return {
    $metadata: {},
    AggregatedSourceStatusList: ids.map((id) => source(id)),
    ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
  };
}
