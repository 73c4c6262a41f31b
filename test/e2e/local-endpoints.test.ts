/**
 * The local endpoints against the real SDK clients: the wire protocols, the API's own errors as the SDK's typed
 * exceptions, and each kind of injected fault as the SDK experiences it.
 */
import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidLimitException,
  InvalidNextTokenException,
  NoSuchConfigurationAggregatorException,
} from '@aws-sdk/client-config-service';
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidParameterException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FAULTS } from '../../tools/local/fake-config-service';
import { SNS_FAULTS } from '../../tools/local/fake-sns';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { startLocalMode, type LocalMode } from '../../tools/local/local-mode';
import { DYNAMODB_FAULTS } from '../../tools/local/recording-proxy';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';

const AGG = 'org-aggregator';
let local: LocalMode;
let config: ConfigServiceClient;
let sns: SNSClient;
let dynamodb: DynamoDBClient;
const base = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 } as const;

beforeAll(async () => {
  const org = new SimulatedOrganization({ now: '2026-11-24T12:00:00Z' });
  org.populate(AGG, { accounts: 25, regions: ['us-east-1', 'eu-west-1', 'ap-east-1', 'sa-east-1', 'eu-central-1'], seed: 3, outdated: 4 });
  org.addAggregator('empty-aggregator');
  local = await startLocalMode({ org });
  config = new ConfigServiceClient({ ...base, endpoint: local.config.endpoint });
  sns = new SNSClient({ ...base, endpoint: local.sns.endpoint });
  dynamodb = new DynamoDBClient({ ...base, endpoint: local.dynamodbProxy.endpoint });
});

afterAll(async () => {
  config?.destroy();
  sns?.destroy();
  dynamodb?.destroy();
  await local?.close();
});

beforeEach(() => {
  for (const server of [local.config, local.sns, local.dynamodbProxy]) {
    server.clearFaults();
    server.clearRequests();
  }
});

const sourcesStatus = (input: Partial<ConstructorParameters<typeof DescribeConfigurationAggregatorSourcesStatusCommand>[0]> = {}) =>
  config.send(new DescribeConfigurationAggregatorSourcesStatusCommand({ ConfigurationAggregatorName: AGG, ...input }));

describe('fake Config (AWS JSON 1.1)', () => {
  it('is called with the JSON 1.1 target the SDK sends and pages with opaque tokens', async () => {
    const first = await sourcesStatus({ Limit: 0 });
    expect(first.AggregatedSourceStatusList).toHaveLength(100);
    expect(first.NextToken).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    const second = await sourcesStatus({ NextToken: first.NextToken, Limit: 100 });
    expect(second.AggregatedSourceStatusList).toHaveLength(25);
    expect(second.NextToken).toBeUndefined();
    const [s] = first.AggregatedSourceStatusList ?? [];
    expect(s?.LastUpdateTime).toBeInstanceOf(Date);
    expect(s).toMatchObject({ SourceId: '100000000000', SourceType: 'ACCOUNT', AwsRegion: 'us-east-1' });
    expect(local.config.calls().map((r) => [r.operation, r.status])).toEqual([
      ['DescribeConfigurationAggregatorSourcesStatus', 200],
      ['DescribeConfigurationAggregatorSourcesStatus', 200],
    ]);
  });

  it('filters by UpdateStatus', async () => {
    const out = await sourcesStatus({ UpdateStatus: ['OUTDATED'] });
    expect(out.AggregatedSourceStatusList?.map((s) => s.LastUpdateStatus)).toEqual(['OUTDATED', 'OUTDATED', 'OUTDATED', 'OUTDATED']);
  });

  it('answers the API errors as the SDK typed exceptions', async () => {
    await expect(sourcesStatus({ Limit: 101 })).rejects.toBeInstanceOf(InvalidLimitException);
    await expect(sourcesStatus({ NextToken: 'garbled' })).rejects.toBeInstanceOf(InvalidNextTokenException);
    const page = await sourcesStatus({ Limit: 10 });
    await expect(sourcesStatus({ NextToken: page.NextToken, UpdateStatus: ['FAILED'] })).rejects.toBeInstanceOf(InvalidNextTokenException);
    local.config.expireTokens();
    await expect(sourcesStatus({ NextToken: page.NextToken, Limit: 10 })).rejects.toBeInstanceOf(InvalidNextTokenException);
    await expect(sourcesStatus({ ConfigurationAggregatorName: 'nope' })).rejects.toBeInstanceOf(NoSuchConfigurationAggregatorException);
    await expect(sourcesStatus({ UpdateStatus: ['BROKEN' as never] })).rejects.toMatchObject({ name: 'ValidationException' });
    expect(local.config.calls().every((r) => r.status === 400 || r.status === 200)).toBe(true);
  });

  it('lists aggregators with their ARNs', async () => {
    const out = await config.send(new DescribeConfigurationAggregatorsCommand({}));
    expect(out.ConfigurationAggregators?.map((a) => a.ConfigurationAggregatorName)).toEqual([AGG, 'empty-aggregator']);
    expect(out.ConfigurationAggregators?.[0]?.ConfigurationAggregatorArn).toMatch(/:config-aggregator\/config-aggregator-[a-z0-9]{8}$/);
    expect(out.ConfigurationAggregators?.[0]?.CreationTime).toBeInstanceOf(Date);
  });

  it('injects throttling, 5xx and dropped connections, which the SDK retries', async () => {
    local.config.injectNext(CONFIG_FAULTS.throttling);
    local.config.injectNext(CONFIG_FAULTS.internalError);
    local.config.injectNext({ destroy: true });
    await sourcesStatus({ Limit: 1 }).catch(() => undefined);
    // Three faults over three attempts: the last one, a dropped connection, is what the SDK reports.
    expect(local.config.calls().map((r) => [r.status, r.errorCode ?? '', r.fault])).toEqual([
      [400, 'ThrottlingException', 'error'],
      [500, 'InternalFailure', 'error'],
      [0, '', 'destroy'],
    ]);
    local.config.clearRequests();
    local.config.injectNext(CONFIG_FAULTS.throttling);
    const out = await sourcesStatus({ Limit: 1 });
    expect(out.AggregatedSourceStatusList).toHaveLength(1);
    expect(local.config.calls().map((r) => r.status)).toEqual([400, 200]);
  });

  it('injects a hang the client times out on (only with throwOnRequestTimeout: requestTimeout alone just warns)', async () => {
    const impatient = new ConfigServiceClient({
      ...base,
      maxAttempts: 2,
      endpoint: local.config.endpoint,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    try {
      local.config.injectNext({ hangMs: Number.POSITIVE_INFINITY });
      // The first attempt hangs and times out; TimeoutError is transient, so the SDK retries, and the retry is served.
      const out = await impatient.send(new DescribeConfigurationAggregatorSourcesStatusCommand({ ConfigurationAggregatorName: AGG, Limit: 1 }));
      expect(out.AggregatedSourceStatusList).toHaveLength(1);
      expect(local.config.calls().map((r) => [r.status, r.fault])).toEqual([
        [0, 'hang'],
        [200, undefined],
      ]);
      local.config.injectNext({ hangMs: 5_000 }, { times: 2 });
      await expect(
        impatient.send(new DescribeConfigurationAggregatorSourcesStatusCommand({ ConfigurationAggregatorName: AGG, Limit: 1 })),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      impatient.destroy();
    }
  });

  it('injects altered answers: duplicates, missing fields, unknown statuses', async () => {
    local.config.inject((r) =>
      r.operation === 'DescribeConfigurationAggregatorSourcesStatus'
        ? {
            transform: (output) => {
              const o = output as { AggregatedSourceStatusList: Record<string, unknown>[] };
              const [a, b] = o.AggregatedSourceStatusList;
              return { AggregatedSourceStatusList: [a, a, { ...b, SourceId: undefined, LastUpdateStatus: 'PAUSED' }] };
            },
          }
        : undefined,
    );
    const out = await sourcesStatus({ Limit: 2 });
    expect(out.AggregatedSourceStatusList?.map((s) => [s.SourceId, s.LastUpdateStatus])).toEqual([
      ['100000000000', 'SUCCEEDED'],
      ['100000000000', 'SUCCEEDED'],
      [undefined, 'PAUSED'],
    ]);
  });
});

describe('fake SNS (AWS Query)', () => {
  const publish = (input: Partial<ConstructorParameters<typeof PublishCommand>[0]> = {}) =>
    sns.send(
      new PublishCommand({
        TopicArn: local.topicArn,
        Subject: 'hello',
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'd', email: 'e', sms: 's' }),
        MessageAttributes: {
          kind: { DataType: 'String.Array', StringValue: '["failure","recovery"]' },
          count: { DataType: 'Number', StringValue: '3' },
          aggregator: { DataType: 'String', StringValue: AGG },
        },
        ...input,
      }),
    );

  it('decodes the form-encoded Publish and answers the MessageId in XML', async () => {
    const before = local.sns.published.length;
    const out = await publish();
    const m = local.sns.published[before];
    expect(out.MessageId).toBe(m?.messageId);
    expect(m).toMatchObject({
      topicArn: local.topicArn,
      subject: 'hello',
      messageStructure: 'json',
      structured: { default: 'd', email: 'e', sms: 's' },
      attributes: {
        kind: { dataType: 'String.Array', value: ['failure', 'recovery'] },
        count: { dataType: 'Number', value: 3 },
        aggregator: { dataType: 'String', value: AGG },
      },
    });
  });

  it('checks what SNS checks', async () => {
    await expect(publish({ Message: JSON.stringify({ email: 'e' }) })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(publish({ Subject: 'two\nlines' })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(publish({ Message: JSON.stringify({ default: 'x'.repeat(262_144) }) })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(publish({ TopicArn: `${local.topicArn}-gone` })).rejects.toBeInstanceOf(NotFoundException);
  });

  it('injects throttling (retried), 500 (retried) and a deleted topic', async () => {
    local.sns.injectNext(SNS_FAULTS.throttling);
    local.sns.injectNext(SNS_FAULTS.internalError);
    await expect(publish()).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(local.sns.calls().map((r) => [r.status, r.errorCode ?? ''])).toEqual([
      [429, 'Throttled'],
      [500, 'InternalError'],
      [200, ''],
    ]);
    local.sns.injectNext(SNS_FAULTS.gone);
    await expect(publish()).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('DynamoDB recording proxy', () => {
  it('forwards to dynalite, records each operation and its tables, and injects faults', async () => {
    local.dynamodbProxy.injectNext(DYNAMODB_FAULTS.throttling);
    const out = await dynamodb.send(new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: 'AGG' }, sk: { S: 'x' } } }));
    expect(out.Item).toBeUndefined();
    expect(local.dynamodbProxy.calls().map((r) => [r.operation, r.status, r.errorCode ?? '', r.resources])).toEqual([
      ['GetItem', 400, 'ProvisionedThroughputExceededException', [local.dynamodbProxy.tableArn(local.tableName)]],
      ['GetItem', 200, '', [local.dynamodbProxy.tableArn(local.tableName)]],
    ]);
  });
});

describe('every endpoint', () => {
  it('records the client\'s application id (the SDK\'s user agent app/<id>), on each request and each message SNS accepted', async () => {
    // Arrange: clients of one process, as the lab's environments set AWS_SDK_UA_APP_ID; and one without an id.
    const appId = 'env-4242-7';
    const tagged = { ...base, userAgentAppId: appId };
    const configOf = new ConfigServiceClient({ ...tagged, endpoint: local.config.endpoint });
    const snsOf = new SNSClient({ ...tagged, endpoint: local.sns.endpoint });
    const dynamodbOf = new DynamoDBClient({ ...tagged, endpoint: local.dynamodbProxy.endpoint });
    try {
      // Act
      await configOf.send(new DescribeConfigurationAggregatorsCommand({}));
      await snsOf.send(new PublishCommand({ TopicArn: local.topicArn, Message: 'tagged' }));
      await dynamodbOf.send(new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: 'x' }, sk: { S: 'y' } } }));
      await config.send(new DescribeConfigurationAggregatorsCommand({}));
      // Assert
      expect([local.config.requests, local.sns.requests, local.dynamodbProxy.requests].map((rs) => rs.map((r) => r.client))).toEqual([[appId, undefined], [appId], [appId]]);
      expect(local.sns.published.find((m) => m.message === 'tagged')?.client).toBe(appId);
    } finally {
      for (const c of [configOf, snsOf, dynamodbOf]) c.destroy();
    }
  });
});
