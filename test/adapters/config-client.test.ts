import { describe, expect, it } from 'vitest';
import { ConfigRetryStrategy, THROTTLING_ATTEMPTS } from '../../adapters/config-rate';
import { RETRY, config as sharedConfigClient, configRate } from '../../lambda/clients';

describe('clients', () => {
  it('retries in adaptive mode with at least 5 attempts', () => {
    // Assert
    expect(RETRY.retryMode).toBe('adaptive');
    expect(RETRY.maxAttempts).toBeGreaterThanOrEqual(5);
  });

  it('paces the shared Config client through the process-wide rate budget, with 30 attempts for throttling', async () => {
    // Arrange
    const client = sharedConfigClient;
    // Act
    const [strategy, attempts] = await Promise.all([client.config.retryStrategy(), client.config.maxAttempts()]);
    // Assert: the SDK's AdaptiveRetryStrategy inside, with the one exported limiter.
    expect(strategy).toBeInstanceOf(ConfigRetryStrategy);
    expect(strategy).toMatchObject({ mode: 'adaptive', throttlingAttempts: THROTTLING_ATTEMPTS });
    expect((strategy as unknown as { adaptive: { rateLimiter: unknown } }).adaptive.rateLimiter).toBe(configRate);
    expect(attempts).toBe(THROTTLING_ATTEMPTS);
  });
});
