/**
 * The import directions between the products (eslint.config.js) are enforced by `npm run lint`: each case lints a
 * one-line file placed in a product's folder (never written to disk) and expects the rule to fire, or not.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The messages of the import rules for `source` as if it were the file `path` (relative to the repository). */
async function importFindings(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.startsWith('import-x/') || m.fatal)
    .map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('import directions', () => {
  it.each([
    ['core/x.ts', "import { ConfigReader } from '../adapters/config-reader';"],
    ['core/x.ts', "import type { HistoryStore } from '../adapters/store/history-store';"],
    ['core/x.ts', "import { handler } from '../lambda/handler';"],
    ['adapters/x.ts', "import { handler } from '../lambda/handler';"],
    ['adapters/x.ts', "import { runCli } from '../cli/main';"],
    ['lambda/x.ts', "import { ConfigAggregatorMonitor } from '../lib/config-aggregator-monitor';"],
    ['lambda/x.ts', "import { startLocalMode } from '../tools/local/local-mode';"],
    ['lib/x.ts', "import { HistoryStore } from '../adapters/store/history-store';"],
    ['lib/x.ts', "import { handler } from '../lambda/handler';"],
    ['lib/x.ts', "import { runCli } from '../cli/main';"],
    ['cli/x.ts', "import { ConfigAggregatorMonitor } from '../lib/config-aggregator-monitor';"],
    ['cli/x.ts', "export async function f() { return import('../tools/local/local-mode'); }"],
    ['tools/x.ts', "import { lambdaContext } from '../test/support/builders';"],
  ])('%s may not: %s', async (path, source) => {
    const findings = await importFindings(path, source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^import-x\/no-restricted-paths: .*may import only/);
  });

  it.each([
    ['adapters/x.ts', "import { sourceKey } from '../core/model';"],
    ['lambda/x.ts', "import { ConfigReader } from '../adapters/config-reader';"],
    ['lib/x.ts', "import { createTableInput } from '../adapters/store/table-schema';"],
    ['lib/x.ts', "import { TELEMETRY } from '../core/telemetry';"],
    ['cli/x.ts', "import { HistoryStore } from '../adapters/store/history-store';"],
    ['tools/x.ts', "import { handler } from '../lambda/handler';"],
    ['test/x.ts', "import { startLocalMode } from '../tools/local/local-mode';"],
    ['bin/x.ts', "import { startLocalMode } from '../tools/local/local-mode';"],
  ])('%s may: %s', async (path, source) => {
    expect(await importFindings(path, source)).toEqual([]);
  });
});

describe('what ships imports runtime dependencies only', () => {
  it.each([
    ['adapters/x.ts', "import dynalite from 'dynalite';"],
    ['lib/x.ts', "import { NagPack } from 'cdk-nag';"],
    ['cli/x.ts', "import { mockClient } from 'aws-sdk-client-mock';"],
    // The function's libraries are devDependencies: only its bundle may hold them.
    ['cli/x.ts', "import { Logger } from '@aws-lambda-powertools/logger';"],
    ['adapters/x.ts', "import { SNSClient } from '@aws-sdk/client-sns';"],
  ])('%s may not: %s', async (path, source) => {
    const findings = await importFindings(path, source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^import-x\/no-extraneous-dependencies: .*should be listed in the project's dependencies/);
  });

  it("the function's own files may use devDependencies: esbuild bundles them", async () => {
    expect(await importFindings('lambda/x.ts', "import { Logger } from '@aws-lambda-powertools/logger';")).toEqual([]);
    expect(await importFindings('adapters/notifier.ts', "import { SNSClient } from '@aws-sdk/client-sns';")).toEqual([]);
  });

  it('tools/ and test/ may use devDependencies', async () => {
    expect(await importFindings('tools/x.ts', "import dynalite from 'dynalite';")).toEqual([]);
    expect(await importFindings('test/x.ts', "import { mockClient } from 'aws-sdk-client-mock';")).toEqual([]);
  });
});
