import { defineConfig } from 'vitest/config';

/**
 * `npm run test:package`: the npm package packed, installed into a CDK app outside the repository, synthesized, its
 * CLI run (test/package/). Minutes, mostly npm install and type-checking against aws-cdk-lib: kept out of `npm test`,
 * run by .ci/run after it.
 */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
