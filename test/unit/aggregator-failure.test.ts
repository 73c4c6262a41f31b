/**
 * Which errors of a read are the aggregator's own failure (recorded, notified, not retried) and which are transient
 * (the Task fails and the state machine's Retry resumes from the cursor): lambda/steps/read-round.ts.
 */
import { ConfigServiceServiceException } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { AggregatorMissingError } from '../../adapters/config-reader';
import { isAggregatorFailure } from '../../lambda/steps/read-round';

const serviceError = (name: string, $fault: 'client' | 'server', httpStatusCode = $fault === 'client' ? 400 : 500) =>
  new ConfigServiceServiceException({ name, $fault, message: name, $metadata: { httpStatusCode } });

describe('isAggregatorFailure', () => {
  it.each([
    ['a missing aggregator', new AggregatorMissingError('org', new Error('gone')), true],
    ['access denied (a client fault)', serviceError('AccessDeniedException', 'client'), true],
    ['a validation error (a client fault)', serviceError('ValidationException', 'client'), true],
    ['throttling that outlasted the retries (a client fault the SDK classifies as throttling)', serviceError('ThrottlingException', 'client'), false],
    ['any client fault answered 429', serviceError('SomethingNew', 'client', 429), false],
    ['a server fault', serviceError('InternalFailure', 'server'), false],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
  ])('%s', (_what, error, expected) => {
    // Act
    const own = isAggregatorFailure(error);
    // Assert
    expect(own).toBe(expected);
  });
});
