import { describe, expect, it } from 'vitest';
import { RETRY, config as sharedConfigClient } from '../../lambda/clients';

describe('clients', () => {
  it('retries in adaptive mode with at least 5 attempts, and the shared Config client uses it', async () => {
    // Prepare
    const client = sharedConfigClient;

    // Act
    const [strategy, attempts] = await Promise.all([client.config.retryStrategy(), client.config.maxAttempts()]);

    // Assess
    expect(RETRY.retryMode).toBe('adaptive');
    expect(RETRY.maxAttempts).toBeGreaterThanOrEqual(5);
    expect(strategy).toMatchObject({ mode: 'adaptive' });
    expect(attempts).toBe(RETRY.maxAttempts);
  });
});
