/**
 * bin/app.ts as the CDK CLI runs it (`npx tsx bin/app.ts`, context in CDK_CONTEXT_JSON, output to CDK_OUTDIR),
 * without credentials or network.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_BUNDLING } from './support';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outdirs: string[] = [];

function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'aggwatch-app-'));
  outdirs.push(outdir);
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir };
  // Whatever the caller's shell has must not leak in: the app is environment-agnostic.
  for (const name of ['CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_REGION']) delete env[name];
  const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ...result, outdir };
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('bin/app.ts', () => {
  it('synthesizes the ConfigAggregatorWatch stack from context alone', () => {
    const run = runApp({
      ...NO_BUNDLING,
      aggregators: 'org-aggregator',
      emails: 'ops@example.com',
      smsNumbers: '+15555550100',
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const template = JSON.parse(readFileSync(join(run.outdir, 'ConfigAggregatorWatch.template.json'), 'utf8'));
    expect(template.Description).toMatch(/^config-aggregator-watch: /);
    expect(Object.keys(template.Outputs).sort()).toEqual(['AlarmTopicArn', 'DashboardUrl', 'DispatcherName', 'FunctionName', 'StateMachineArn', 'TableName', 'TopicArn']);
    const manifest = JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.ConfigAggregatorWatch.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('fails on a bad value, saying which key, which value and what is allowed', () => {
    const run = runApp({ ...NO_BUNDLING, aggregators: 'bad name!' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      'Invalid aggregators: "bad name!". ' +
        'Allowed: aggregator names of 1 to 256 letters, digits, _ or - ([\\w-]{1,256}).',
    );
  });

  it('fails on a misspelled key', () => {
    const run = runApp({ ...NO_BUNDLING, aggregator: 'org-aggregator' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("Unknown context key 'aggregator'. Did you mean 'aggregators'?");
  });
});
