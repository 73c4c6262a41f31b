/**
 * The construct compiled by jsii (`npm run jsii`, tools/build/jsii.ts): the assembly holds the construct, every
 * prop of its props and the status enum; its CommonJS runtime (what the jsii kernel loads for Python, Java, .NET)
 * synthesizes the monitor with the packaged function; jsii-pacmak generates the Python package from it; and
 * docs/API.md is what jsii-docgen renders from it now.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { SourceStatus } from '../../lib/config-aggregator-monitor';
import { ROOT } from '../../tools/build/build';
import { API_DOC, JSII_DIR, buildJsii, readAssembly, renderApiDoc, tool, type Assembly } from '../../tools/build/jsii';

const FQN = (name: string) => `config-aggregator-watch.${name}`;

/** The props interface's members as its source declares them: the one source the assembly must match. */
function propsFromSource(): string[] {
  const file = join(ROOT, 'lib/monitor/props.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const props = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'ConfigAggregatorMonitorProps');
  // Members inherited from another interface would not be listed here.
  expect(props?.heritageClauses).toBeUndefined();
  return (props?.members ?? []).map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '?')).sort();
}

let assembly: Assembly;

beforeAll(async () => {
  await buildJsii();
  assembly = readAssembly();
}, 600_000);

describe('the jsii assembly', () => {
  it('is the package at its version, depending on aws-cdk-lib and constructs only', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; peerDependencies: Record<string, string> };
    expect(assembly).toMatchObject({ name: pkg.name, version: pkg.version, dependencies: pkg.peerDependencies });
    expect(Object.keys(assembly.targets ?? {}).sort()).toEqual(['js', 'python']);
  });

  it('holds the construct with its resources and methods', () => {
    const monitor = assembly.types[FQN('ConfigAggregatorMonitor')];
    expect(monitor?.kind).toBe('class');
    const properties = (monitor?.properties ?? []).map((p) => p.name);
    expect(properties).toEqual(expect.arrayContaining(['table', 'topic', 'alarmTopic', 'function', 'role', 'alarms', 'dashboard']));
    const methods = ((monitor as { methods?: { name: string }[] }).methods ?? []).map((m) => m.name);
    expect(methods).toEqual(expect.arrayContaining(['grantReadHistory', 'metricFailedSources', 'metricSuccessfulRuns', 'metricSources']));
  });

  it('holds every prop of ConfigAggregatorMonitorProps, the replaced numeric ones marked deprecated', () => {
    const props = assembly.types[FQN('ConfigAggregatorMonitorProps')];
    expect(props?.kind).toBe('interface');
    expect((props?.properties ?? []).map((p) => p.name).sort()).toEqual(propsFromSource());
    const deprecated = (props?.properties ?? []).filter((p) => p.docs?.deprecated !== undefined).map((p) => p.name);
    expect(deprecated.sort()).toEqual(['fullSweepHours', 'historyRetentionDays', 'remindAfterHours', 'staleAfterHours']);
    const type = (name: string) => props?.properties?.find((p) => p.name === name)?.type;
    expect(type('topic')).toEqual({ fqn: 'aws-cdk-lib.aws_sns.ITopic' });
    expect(type('schedule')).toEqual({ fqn: 'aws-cdk-lib.aws_events.Schedule' });
    expect(type('remindAfter')).toEqual({ fqn: 'aws-cdk-lib.Duration' });
    expect(type('alertStatuses')).toEqual({ collection: { kind: 'array', elementtype: { fqn: FQN('SourceStatus') } } });
  });

  it('holds the status enum with the members TypeScript has', () => {
    const status = assembly.types[FQN('SourceStatus')];
    expect(status?.kind).toBe('enum');
    expect((status?.members ?? []).map((m) => m.name).sort()).toEqual(Object.keys(SourceStatus).sort());
  });
});

describe("the assembly's runtime (jsii/lib/index.js)", () => {
  it('loads with require() and synthesizes the monitor with the packaged function, as the jsii kernel would run it', async () => {
    const script = join(JSII_DIR, 'probe.cjs');
    writeFileSync(
      script,
      [
        "const { App, Duration, Stack } = require('aws-cdk-lib');",
        "const m = require('./lib/index.js');",
        "const app = new App(); const stack = new Stack(app, 'S');",
        "new m.ConfigAggregatorMonitor(stack, 'Monitor', { aggregators: ['org'], remindAfter: Duration.hours(2), alertStatuses: [m.SourceStatus.OUTDATED] });",
        "const fn = Object.values(app.synth().getStackByName('S').template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');",
        'console.log(JSON.stringify({ exports: Object.keys(m), handler: fn.Properties.Handler, env: fn.Properties.Environment.Variables }));',
      ].join('\n'),
    );
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: JSII_DIR, encoding: 'utf8' });
    const out = JSON.parse(stdout) as { exports: string[]; handler: string; env: Record<string, string> };

    // Every class and enum of the assembly is exported under its name (the kernel finds them so).
    const named = Object.values(assembly.types).filter((t) => t.kind !== 'interface').map((t) => (t as unknown as { name: string }).name);
    expect(out.exports).toEqual(expect.arrayContaining(named));
    expect(out.handler).toBe('index.handler');
    expect(out.env).toMatchObject({ REMIND_AFTER_HOURS: '2', ALERT_STATUSES: 'OUTDATED' });
    expect(readFileSync(join(JSII_DIR, 'lib/function/index.mjs')).length).toBeGreaterThan(0);
  });
});

describe('jsii-pacmak', () => {
  it('generates the Python package (code only: its wheel build needs setuptools from PyPI)', async () => {
    await tool('jsii-pacmak', ['--targets', 'python', '--code-only']);
    const init = join(JSII_DIR, 'dist/python/src/config_aggregator_watch/__init__.py');
    expect(existsSync(init)).toBe(true);
    const python = readFileSync(init, 'utf8');
    expect(python).toMatch(/^class ConfigAggregatorMonitor\(/m);
    expect(python).toMatch(/^class SourceStatus\(enum\.Enum\):/m);
    expect(python).toContain('remind_after: typing.Optional["_aws_cdk_ceddda9d.Duration"] = None');
  }, 300_000);
});

describe('docs/API.md', () => {
  it('is what jsii-docgen renders from the assembly now (`npm run jsii:docs` writes it)', async () => {
    expect(readFileSync(API_DOC, 'utf8')).toBe(await renderApiDoc());
  }, 300_000);
});
