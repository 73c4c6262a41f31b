// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The products and the directions their imports may take (docs/architecture.md). Each entry: a folder, and the
 * folders of ours it must never import. `tools/` (the local mode, the benchmark) is for tests and the demo only.
 */
const PRODUCTS = ['core', 'adapters', 'lambda', 'lib', 'cli', 'tools', 'test', 'bin'];
const MAY_IMPORT = {
  core: [],
  adapters: ['core'],
  lambda: ['core', 'adapters'],
  // The stack builds the table from the store's one schema definition, and nothing else of the adapters.
  lib: ['core', 'adapters/store/table-schema.ts'],
  cli: ['core', 'adapters'],
  tools: ['core', 'adapters', 'lambda', 'lib', 'cli'],
};
/** What ships (the function bundle, the construct, the CLI): runtime dependencies only. */
const SHIPPED = ['core', 'adapters', 'lambda', 'lib', 'cli'].map((d) => `${d}/**/*.ts`);
/**
 * ...except the files only the function's bundle holds: esbuild inlines their imports at pack time, so their
 * libraries (Powertools, the SNS client) are devDependencies, never installed with the package. tools/build checks
 * the bundles exactly: the CLI's may import `dependencies` only, the function's nothing.
 */
const FUNCTION_ONLY = ['lambda/**/*.ts', 'adapters/config-rate.ts', 'adapters/executions.ts', 'adapters/notifier.ts', 'adapters/report-writer.ts', 'adapters/events-publisher.ts', 'adapters/securityhub-publisher.ts'];

const zones = Object.entries(MAY_IMPORT).flatMap(([target, allowed]) =>
  PRODUCTS.filter((from) => from !== target && !allowed.some((a) => a === from)).map((from) => ({
    target: `./${target}`,
    from: `./${from}`,
    except: allowed.filter((a) => a.startsWith(`${from}/`)).map((a) => `./${a.slice(from.length + 1)}`),
    message: `${target}/ may import only ${allowed.length ? allowed.join(', ') : 'core/ itself'} (eslint.config.js).`,
  })),
);

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.bench/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Focused or skipped tests must never reach main.
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].flatMap((object) =>
          ['only', 'skip', 'todo'].map((property) => ({ object, property, message: 'No focused or skipped tests.' })),
        ),
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
  },
  {
    // Issue 16: no source file over 400 lines, tests and tools included; split a file by concern when it grows.
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: SHIPPED,
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: FUNCTION_ONLY, optionalDependencies: false, peerDependencies: true },
      ],
    },
  },
);
