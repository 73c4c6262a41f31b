/**
 * The shared rate budget end to end: the real ConfigServiceClient with the SDK's AdaptiveRetryStrategy and our
 * limiter (adapters/config-rate.ts), three aggregators read in parallel through ConfigReader, against the fake
 * Config throttling above R requests per second. Counts only, never times.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, configRetry } from '../../adapters/config-rate';
import { ConfigReader } from '../../adapters/config-reader';
import { FakeConfigService } from '../../tools/local/fake-config-service';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';

const QUOTA = 10;
const AGGREGATORS = { 'agg-a': 800, 'agg-b': 600, 'agg-c': 400 } as const; // accounts x 10 regions: 180 pages in all
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-east-1', 'ap-south-1', 'sa-east-1'];
let fake: FakeConfigService;

beforeAll(async () => {
  const org = new SimulatedOrganization({ now: '2026-11-24T12:00:00Z' });
  for (const [name, accounts] of Object.entries(AGGREGATORS)) org.populate(name, { accounts, regions: REGIONS, seed: accounts });
  fake = await new FakeConfigService(org, { latencyMs: 20, recordInput: false, throttleAbovePerSecond: QUOTA }).start();
});

afterAll(async () => {
  await fake?.close();
});

describe('Config clients sharing one adaptive rate budget', () => {
  it(`reads three aggregators in parallel at a quota of ${QUOTA} req/s: no call fails, few are throttled`, { timeout: 120_000 }, async () => {
    // Arrange: one limiter, one client per aggregator (the limiter, not the client, is the shared scope).
    const limiter = new AdaptiveRateLimiter();
    const clients = Object.keys(AGGREGATORS).map(
      () => new ConfigServiceClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: fake.endpoint, ...configRetry(limiter) }),
    );
    try {
      // Act
      const results = await Promise.all(Object.keys(AGGREGATORS).map((name, i) => new ConfigReader(clients[i] as ConfigServiceClient).readSources(name)));
      // Assert: every source of every aggregator, each page once; throttles under 10% of the calls, all retried.
      const pages = results.reduce((sum, r) => sum + r.pages, 0);
      expect(results.map((r) => r.sources.length)).toEqual(Object.values(AGGREGATORS).map((a) => a * REGIONS.length));
      expect(pages).toBe(180);
      expect(results.every((r) => r.restarts === 0)).toBe(true);
      const calls = fake.calls();
      const throttled = calls.filter((c) => c.errorCode === 'ThrottlingException').length;
      expect(calls.filter((c) => c.status === 200)).toHaveLength(pages);
      expect(calls).toHaveLength(pages + throttled);
      expect(throttled).toBeLessThanOrEqual(pages / 10);
      // The limiter learned the quota: its ceiling within 10% of it, its rate under it.
      const { rate, ceiling } = limiter.state();
      expect(ceiling).toBeGreaterThanOrEqual(0.9 * QUOTA);
      expect(ceiling).toBeLessThanOrEqual(1.1 * QUOTA);
      expect(rate).toBeLessThanOrEqual(ceiling ?? 0);
      expect(limiter.throttles).toBe(throttled);
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
