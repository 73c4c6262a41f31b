import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The package test packs, installs and synthesizes a separate app (minutes): `npm run test:package`, run by
    // .ci/run after `npm test` (vitest.package.config.ts).
    exclude: [...configDefaults.exclude, 'test/package/**'],
    // Synthesizing the stack bundles the function with esbuild and the end-to-end tests start processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
