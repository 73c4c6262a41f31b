import 'aws-sdk-client-mock-vitest/extend';
import type { CustomMatcher } from 'aws-sdk-client-mock-vitest';

// The package augments vitest's re-exported `Assertion`, which TypeScript does not merge under vitest 3.2;
// vitest documents augmenting `Matchers` instead.
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends CustomMatcher<T> {}
}

// Node 20 runs the tests; the SDK's notice about its future Node 22 requirement is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
