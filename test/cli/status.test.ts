/**
 * `status`: a live read of Config, every page, with the Config client mocked (no table, no stack).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  NoSuchConfigurationAggregatorException,
  type AggregatedSourceStatus,
} from '@aws-sdk/client-config-service';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { cli, header, rows } from './support';

process.env.TZ = 'UTC';

const config = new ConfigServiceClient({ region: 'eu-west-1' });
const mock = mockClient(config);
const cloudformation = mockClient(CloudFormationClient);
const io = { clients: { config }, env: { AWS_REGION: 'eu-west-1' } };

const source = (id: string, status: string, extra: Partial<AggregatedSourceStatus> = {}): AggregatedSourceStatus => ({
  SourceId: id,
  SourceType: 'ACCOUNT',
  AwsRegion: 'eu-west-1',
  LastUpdateStatus: status as never,
  LastUpdateTime: new Date('2026-11-24T14:00:00.000Z'),
  ...extra,
});

/** What Config holds: org spread over three pages, lab on one. */
const ORG = [
  [source('111111111111', 'SUCCEEDED'), source('222222222222', 'FAILED', { LastErrorCode: 'AccessDenied', LastErrorMessage: 'no role' })],
  [source('333333333333', 'OUTDATED'), source('444444444444', 'SUCCEEDED', { AwsRegion: 'us-east-1' })],
  [source('o-abc123', 'FAILED', { SourceType: 'ORGANIZATION', LastUpdateTime: undefined })],
];
const LAB = [[source('555555555555', 'SUCCEEDED')]];

beforeEach(() => {
  mock.reset();
  cloudformation.reset();
  mock.on(DescribeConfigurationAggregatorsCommand).callsFake((input: { NextToken?: string }) =>
    input.NextToken
      ? { ConfigurationAggregators: [{ ConfigurationAggregatorName: 'org' }] }
      : { ConfigurationAggregators: [{ ConfigurationAggregatorName: 'lab' }], NextToken: 'more' },
  );
  mock.on(DescribeConfigurationAggregatorSourcesStatusCommand).callsFake(
    (input: { ConfigurationAggregatorName: string; NextToken?: string; UpdateStatus?: string[] }) => {
      const pages = { org: ORG, lab: LAB }[input.ConfigurationAggregatorName];
      if (!pages) throw new NoSuchConfigurationAggregatorException({ message: 'The aggregator does not exist', $metadata: {} });
      const i = Number(input.NextToken ?? 0);
      const page = (pages[i] ?? []).filter((s) => !input.UpdateStatus || input.UpdateStatus.includes(s.LastUpdateStatus!));
      return { AggregatedSourceStatusList: page, ...(i + 1 < pages.length ? { NextToken: String(i + 1) } : {}) };
    },
  );
});

describe('status', () => {
  it('reads every page of one aggregator and shows every source, problems first', async () => {
    const r = await cli(['status', '--aggregator', 'org'], io);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(header(r.out)).toEqual(['AGGREGATOR', 'SOURCE', 'TYPE', 'REGION', 'STATUS', 'LAST UPDATE', 'ERROR']);
    expect(rows(r.out)).toEqual([
      ['org', '222222222222', 'ACCOUNT', 'eu-west-1', 'FAILED', '2026-11-24 14:00 (1h ago)', 'AccessDenied: no role'],
      ['org', 'o-abc123', 'ORGANIZATION', 'eu-west-1', 'FAILED', '-', '-'],
      ['org', '333333333333', 'ACCOUNT', 'eu-west-1', 'OUTDATED', '2026-11-24 14:00 (1h ago)', '-'],
      ['org', '111111111111', 'ACCOUNT', 'eu-west-1', 'SUCCEEDED', '2026-11-24 14:00 (1h ago)', '-'],
      ['org', '444444444444', 'ACCOUNT', 'us-east-1', 'SUCCEEDED', '2026-11-24 14:00 (1h ago)', '-'],
    ]);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      '5 sources (FAILED 2, OUTDATED 1, SUCCEEDED 2) in 1 aggregator (org), live from AWS Config.',
    );
    expect(mock).toHaveReceivedCommandTimes(DescribeConfigurationAggregatorSourcesStatusCommand, 3);
    expect(mock).toHaveReceivedNthCommandWith(DescribeConfigurationAggregatorSourcesStatusCommand, 3, {
      ConfigurationAggregatorName: 'org',
      NextToken: '2',
      Limit: 100,
    });
    // No table is involved.
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('passes --status to Config as the UpdateStatus filter and prints JSON', async () => {
    const r = await cli(['status', '--aggregator', 'org', '--status', 'failed', '--json'], io);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([
      { aggregator: 'org', sourceId: '222222222222', sourceType: 'ACCOUNT', region: 'eu-west-1', status: 'FAILED', lastUpdateTime: '2026-11-24T14:00:00.000Z', errorCode: 'AccessDenied', errorMessage: 'no role' },
      { aggregator: 'org', sourceId: 'o-abc123', sourceType: 'ORGANIZATION', region: 'eu-west-1', status: 'FAILED' },
    ]);
    expect(mock).toHaveReceivedCommandWith(DescribeConfigurationAggregatorSourcesStatusCommand, { UpdateStatus: ['FAILED'] });
  });

  it('without --aggregator, reads every aggregator of the account and region (all pages of the list)', async () => {
    const r = await cli(['status', '--status', 'SUCCEEDED'], io);
    expect(r.code).toBe(0);
    expect(rows(r.out).map((row) => `${row[0]}/${row[1]}`)).toEqual(['lab/555555555555', 'org/111111111111', 'org/444444444444']);
    expect(mock).toHaveReceivedCommandTimes(DescribeConfigurationAggregatorsCommand, 2);
  });

  it('says so when the account has no aggregator', async () => {
    mock.on(DescribeConfigurationAggregatorsCommand).resolves({ ConfigurationAggregators: [] });
    const r = await cli(['status'], io);
    expect(r).toMatchObject({ code: 0, out: 'No configuration aggregator in this account and region (eu-west-1).\n' });
    expect(JSON.parse((await cli(['status', '--json'], io)).out)).toEqual([]);
  });

  it('names a missing aggregator and the ones that exist (exit 1)', async () => {
    const r = await cli(['status', '--aggregator', 'prod', '--profile', 'audit'], io);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'aggwatch: Configuration aggregator "prod" not found in this account and region (eu-west-1, profile audit) ' +
        '(NoSuchConfigurationAggregatorException); aggregators here: lab, org. Check --aggregator, --region and --profile.\n',
    );
  });

  it('accepts only the statuses Config can filter on (exit 2)', async () => {
    const r = await cli(['status', '--status', 'FAILED,STALE'], io);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'aggwatch: Invalid --status: "STALE". Allowed: one or more of FAILED, SUCCEEDED, OUTDATED, comma-separated (the filter Config accepts).\n',
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('reports any other Config error on one line (exit 1)', async () => {
    mock.on(DescribeConfigurationAggregatorSourcesStatusCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: config:DescribeConfigurationAggregatorSourcesStatus'), {
        name: 'AccessDeniedException',
      }),
    );
    const r = await cli(['status', '--aggregator', 'org'], io);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'aggwatch: Access denied: User is not authorized to perform: config:DescribeConfigurationAggregatorSourcesStatus\n',
    );
  });
});
