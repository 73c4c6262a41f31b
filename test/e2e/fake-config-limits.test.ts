/**
 * The fake Config's two limits against the real SDK client: the account-wide rate (ThrottlingException on the wire
 * as Config sends it, classified by the SDK as throttling) and the NextToken lifetime.
 */
import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  InvalidNextTokenException,
} from '@aws-sdk/client-config-service';
import { isThrottlingError } from '@smithy/core/retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeConfigService } from '../../tools/local/fake-config-service';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';

const AGG = 'org-aggregator';
let now = 1_000_000;
let fake: FakeConfigService;
let client: ConfigServiceClient;

beforeAll(async () => {
  const org = new SimulatedOrganization({ now: '2026-11-24T12:00:00Z' });
  org.populate(AGG, { accounts: 100, regions: ['us-east-1', 'eu-west-1', 'ap-east-1', 'sa-east-1'], seed: 5 });
  fake = await new FakeConfigService(org, { now: () => now }).start();
  // One attempt: every refusal reaches the test as the SDK parsed it.
  client = new ConfigServiceClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: fake.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await fake?.close();
});

beforeEach(() => {
  fake.throttleAbovePerSecond = undefined;
  fake.tokenTtlMs = undefined;
  fake.clearRequests();
});

const page = (token?: string) =>
  client.send(new DescribeConfigurationAggregatorSourcesStatusCommand({ ConfigurationAggregatorName: AGG, NextToken: token }));
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });

describe('fake Config: throttleAbovePerSecond', () => {
  it('accepts R requests in a sliding second, account-wide, and refuses the next as Config does', async () => {
    // Arrange
    fake.throttleAbovePerSecond = 3;
    // Act: three calls (two operations) at one instant, a fourth, then 999 ms and 1,001 ms later.
    await page();
    await client.send(new DescribeConfigurationAggregatorsCommand({}));
    await page();
    const fourth = await refusal(page());
    now += 999;
    const stillFull = await refusal(page());
    now += 2;
    const next = await page();
    // Assert: HTTP 400, ThrottlingException, which the SDK's retry classifies as throttling.
    expect(fourth?.name).toBe('ThrottlingException');
    expect(fourth?.message).toBe('Rate exceeded');
    expect(fourth?.$metadata?.httpStatusCode).toBe(400);
    expect(fourth && isThrottlingError(fourth as Parameters<typeof isThrottlingError>[0])).toBe(true);
    expect(stillFull?.name).toBe('ThrottlingException');
    expect(next.AggregatedSourceStatusList).toHaveLength(100);
    expect(fake.calls().map((c) => c.errorCode ?? c.status)).toEqual([200, 200, 200, 'ThrottlingException', 'ThrottlingException', 200]);
  });

  it('does not count refused requests as accepted', async () => {
    // Arrange: one accepted, then ten refused in the same second.
    fake.throttleAbovePerSecond = 1;
    now += 5_000;
    await page();
    for (let i = 0; i < 10; i++) await refusal(page());
    // Act: a second after the accepted one.
    now += 1_000;
    const after = await refusal(page());
    // Assert
    expect(after).toBeUndefined();
  });

  it('is off by default and rejects a limit that is not a positive number', () => {
    // Assert
    expect(new FakeConfigService(new SimulatedOrganization()).throttleAbovePerSecond).toBeUndefined();
    expect(() => new FakeConfigService(new SimulatedOrganization(), { throttleAbovePerSecond: 0 })).toThrow(
      'throttleAbovePerSecond 0 must be a positive number',
    );
    expect(() => new FakeConfigService(new SimulatedOrganization(), { tokenTtlMs: -5 })).toThrow('tokenTtlMs -5 must be a positive number');
  });
});

describe('fake Config: tokenTtlMs', () => {
  it('accepts a NextToken within its lifetime and refuses an older one with InvalidNextTokenException', async () => {
    // Arrange
    fake.tokenTtlMs = 60_000;
    const first = await page();
    const second = await page(first.NextToken);
    // Act: the second page's token used 60,001 ms after it was issued.
    now += 60_001;
    const expired = await refusal(page(second.NextToken));
    // Assert
    expect(second.AggregatedSourceStatusList).toHaveLength(100);
    expect(expired).toBeInstanceOf(InvalidNextTokenException);
    expect(expired?.$metadata?.httpStatusCode).toBe(400);
  });

  it('keeps tokens forever when off', async () => {
    // Arrange
    const first = await page();
    // Act
    now += 24 * 3_600_000;
    const second = await page(first.NextToken);
    // Assert
    expect(second.AggregatedSourceStatusList).toHaveLength(100);
  });
});
