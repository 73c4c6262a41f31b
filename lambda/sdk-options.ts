/**
 * The options every SDK client of the functions is built with (the monitor's, lambda/clients.ts, and the
 * dispatcher's): on their own so that the dispatcher's bundle holds none of the monitor's clients.
 *
 * Adaptive retries, and timeouts so that a hung connection becomes a retried TimeoutError instead of a run that
 * stalls until Lambda kills it (the HTTP handler only enforces requestTimeout with throwOnRequestTimeout).
 */
export const RETRY = {
  retryMode: 'adaptive',
  maxAttempts: 10,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
} as const;
