import 'aws-sdk-client-mock-vitest/extend';
import type { CustomMatcher } from 'aws-sdk-client-mock-vitest';

// The package augments vitest's re-exported `Assertion`, which TypeScript does not merge under vitest 3.2;
// vitest documents augmenting `Matchers` instead.
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends CustomMatcher<T> {}
}
