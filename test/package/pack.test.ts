/**
 * The npm package as a user gets it: `npm pack` (which builds dist/ in `prepack`), the tarball installed into a new
 * CDK app in the system temp directory, outside this repository, next to the app's own aws-cdk-lib and constructs
 * (the versions this repository tests with), then:
 * - the app's five-line stack (docs/package.md) synthesized by the CDK CLI, with no esbuild and no Docker: the
 *   function and the dispatcher deploy the packaged bundles, and every resource equals the one this repository's
 *   construct synthesizes, bundling from source (same asset hashes: the same bytes);
 * - the package's declarations type-check a `module: nodenext` app (what `cdk init` writes), and only the
 *   package's entry point can be imported;
 * - the installed `aggwatch` prints its help and reads a local DynamoDB table.
 * Installing needs the npm registry or npm's cache (`--prefer-offline`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigAggregatorMonitor } from '../../lib/config-aggregator-monitor';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { STATES, seed } from '../cli/support';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const STACK = 'PlatformStack';
const PROPS = { aggregators: ['org-aggregator'], emails: ['ops@example.com'] };

/** The stack of docs/package.md: what a user adds to a CDK app. */
const APP = `import { App, Stack } from 'aws-cdk-lib';
import { ConfigAggregatorMonitor } from '${PKG.name}';

const app = new App();
const stack = new Stack(app, '${STACK}');
new ConfigAggregatorMonitor(stack, 'Monitor', ${JSON.stringify(PROPS).replace(/"/g, "'")});
`;

/** Type checks that pass only when the package's declarations resolve (a prop typed `any` would not error). */
const TYPES_PROBE = `import { App, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ConfigAggregatorMonitor, INDEX, keys, type ConfigAggregatorMonitorProps, type SourceState } from '${PKG.name}';

const stack = new Stack(new App(), 'Probe');
// @ts-expect-error misspelled prop: the props type resolved
new ConfigAggregatorMonitor(stack, 'Typo', { aggregator: ['org'] });
// @ts-expect-error a number is no schedule
const props: ConfigAggregatorMonitorProps = { schedule: 15 };
const table: dynamodb.Table = new ConfigAggregatorMonitor(stack, 'Monitor', {}).table;
const pk: string = keys.historyPk('org', '111111111111');
const index: 'transitions' = INDEX.transitions;
// @ts-expect-error not a source field: the item types resolved
const bad: SourceState['colour'] = 'red';
// @ts-expect-error internals are not exported
import type {} from '${PKG.name}/dist/index.mjs';
export { props, table, pk, index, bad };
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  include: ['app.ts', 'probe.ts'],
};

interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { path: string; size: number }[];
}

interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

const exec = promisify(execFile);

/** The environment for child processes: this Node.js first on PATH, no npm script variables of the outer `npm test`. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^INIT_CWD$/i.test(k)));
  return {
    ...env,
    PATH: [dirname(process.execPath), env.PATH].join(delimiter),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    ...extra,
  };
}

async function run(command: string, args: readonly string[], cwd: string, env = childEnv()): Promise<Run> {
  try {
    return await exec(command, [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`.slice(0, 8_000), { cause: e });
  }
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: unknown }>;

/** Resources without their CDK metadata (construct paths, asset paths, which differ by where the app runs). */
function withoutMetadata(resources: Resources): Resources {
  return Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
      .map(([id, { Metadata: _metadata, ...rest }]) => [id, rest]),
  );
}

let work: string;
let app: string;
let packed: Packed;
let local: LocalDynamoDB | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'aggwatch-pack-'));
  // Outside the repository: no node_modules above the app for Node.js or TypeScript to fall back on.
  app = join(work, 'app');
  for (let dir = app; dir !== parse(dir).root; dir = dirname(dir)) {
    if (dir !== app && existsSync(join(dir, 'node_modules'))) throw new Error(`${dir}/node_modules would leak into the app`);
  }
  const out = await run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  [packed] = JSON.parse(out.stdout) as [Packed];

  mkdirSync(app);
  const manifest = {
    name: 'platform-app',
    private: true,
    type: 'module',
    dependencies: {
      [PKG.name]: `file:${join(work, packed.filename)}`,
      // The peer dependencies, at the versions this repository's tests run on.
      'aws-cdk-lib': installed('aws-cdk-lib'),
      constructs: installed('constructs'),
    },
  };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(app, 'app.ts'), APP);
  writeFileSync(join(app, 'probe.ts'), TYPES_PROBE);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  // No install scripts: the package needs none.
  await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);
}, 600_000);

afterAll(async () => {
  await local?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the built package: bundles, declarations, the CLI entry, docs; no sources', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/aggwatch.mjs',
        'dist/index.mjs',
        'dist/function/index.mjs',
        'dist/dispatcher/index.mjs',
        'dist/cli/aggwatch.mjs',
        'dist/types/lib/index.d.ts',
      ]),
    );
    const outside = paths.filter((p) => !/^dist\/|^bin\/aggwatch\.mjs$|^(package\.json|README\.md|CHANGELOG\.md|docs\/package\.md)$/.test(p));
    expect(outside).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
  });
});

describe('a CDK app outside the repository, with the package installed', () => {
  let template: { Resources: Resources };
  let outdir: string;

  beforeAll(async () => {
    outdir = join(app, 'cdk.out');
    const cdk = join(ROOT, 'node_modules/aws-cdk/bin/cdk');
    // Node.js runs app.ts itself (type stripping): the app has no TypeScript tooling of its own.
    await run(process.execPath, [cdk, 'synth', '--app', 'node app.ts', '--output', outdir, '--quiet', '--no-notices'], app);
    template = JSON.parse(readFileSync(join(outdir, `${STACK}.template.json`), 'utf8')) as { Resources: Resources };
  }, 300_000);

  it('synthesizes the monitor: function and dispatcher on nodejs24.x from the packaged bundles, table, state machine, topics', () => {
    const byType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
    const [fn, dispatcher, ...otherFunctions] = byType('AWS::Lambda::Function');
    expect(otherFunctions).toEqual([]);
    for (const f of [fn, dispatcher]) {
      expect(f?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Architectures: ['arm64'] });
    }
    expect(byType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(byType('AWS::DynamoDB::Table')).toHaveLength(1);
    expect(byType('AWS::SNS::Topic')).toHaveLength(2);
    // The address takes the e-mail format from the notices topic and every alarm, unfiltered, from the alarm topic.
    const filters = byType('AWS::SNS::Subscription').map((r) => {
      const p = r.Properties as { Endpoint?: string; Protocol?: string; FilterPolicy?: unknown };
      return [p.Endpoint, p.Protocol, p.FilterPolicy ?? 'none'];
    });
    expect(filters).toHaveLength(2);
    expect(filters).toEqual(
      expect.arrayContaining([
        ['ops@example.com', 'email', 'none'],
        ['ops@example.com', 'email', { format: ['email'] }],
      ]),
    );

    // Each asset is the packaged dist/function/ (dist/dispatcher/) as it is: its one file, byte for byte.
    for (const [f, dir] of [[fn, 'function'], [dispatcher, 'dispatcher']] as const) {
      const assetPath = (f?.Metadata as Record<string, string>)['aws:asset:path'] ?? '';
      const packagedBundle = readFileSync(join(app, 'node_modules', PKG.name, `dist/${dir}/index.mjs`));
      expect(readFileSync(join(outdir, assetPath, 'index.mjs')).equals(packagedBundle)).toBe(true);
      expect((f?.Metadata as Record<string, unknown>)['aws:asset:is-bundled']).toBe(false);
    }
  });

  it("equals, resource for resource, what this repository's construct synthesizes (same asset hash: same code)", () => {
    const repoApp = new App({ outdir: join(work, 'repo.out') });
    new ConfigAggregatorMonitor(new Stack(repoApp, STACK), 'Monitor', PROPS);
    const repo = repoApp.synth().getStackByName(STACK).template as { Resources: Resources };

    expect(withoutMetadata(template.Resources)).toEqual(withoutMetadata(repo.Resources));
    const hashes = (r: Resources) =>
      Object.values(r)
        .filter((x) => x.Type === 'AWS::Lambda::Function')
        .map((x) => (x.Properties?.Code as { S3Key: string }).S3Key);
    expect(hashes(template.Resources)).toHaveLength(2);
    expect(hashes(template.Resources)).toEqual(hashes(repo.Resources));
  });
});

describe('what the install brings', () => {
  it("holds none of the repository's devDependencies: no tsx, no esbuild, no function libraries", () => {
    const peers = Object.keys(PKG.peerDependencies ?? {});
    const dev = Object.keys(PKG.devDependencies ?? {}).filter((name) => !peers.includes(name));
    expect(dev).toEqual(expect.arrayContaining(['tsx', 'esbuild', '@aws-lambda-powertools/logger']));
    expect(dev.filter((name) => existsSync(join(app, 'node_modules', name)))).toEqual([]);
  });

  it('installs the peer dependencies once, the app\'s own', () => {
    for (const name of Object.keys(PKG.peerDependencies ?? {})) {
      expect(existsSync(join(app, 'node_modules', name))).toBe(true);
      expect(existsSync(join(app, 'node_modules', PKG.name, 'node_modules', name))).toBe(false);
    }
  });
});

describe("the package's declarations and entry points", () => {
  it('type-check a module: nodenext app (props, resources, table keys and item types resolve)', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
  });

  it('load from CommonJS (require of the ESM package) and refuse deep imports of the internals', async () => {
    const script = [
      `const m = require(${JSON.stringify(PKG.name)});`,
      "if (typeof m.ConfigAggregatorMonitor !== 'function' || typeof m.keys.historyPk !== 'function') process.exit(3);",
      `try { require(${JSON.stringify(`${PKG.name}/dist/index.mjs`)}); process.exit(4); }`,
      "catch (e) { if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e; }",
    ].join('\n');
    writeFileSync(join(app, 'require.cjs'), script);
    await run(process.execPath, ['require.cjs'], app);
  });
});

describe('the installed aggwatch', () => {
  const aggwatch = () => join(app, 'node_modules', '.bin', 'aggwatch');

  it('runs the compiled CLI: --help and --version', async () => {
    const help = await run(aggwatch(), ['--help'], app);
    expect(help.stdout).toMatch(/^Usage: aggwatch \[options\] \[command\]/);
    expect(help.stdout).toContain('current');
    const version = await run(aggwatch(), ['--version'], app);
    expect(version.stdout.trim()).toBe(PKG.version);
    // Installed without the sources: the compiled CLI is what runs.
    expect(existsSync(join(app, 'node_modules', PKG.name, 'cli'))).toBe(false);
  });

  it('reads a local DynamoDB table: current --json', async () => {
    local = await startLocalDynamoDB();
    const table = 'aggwatch-package-test';
    await seed(local, table);
    const env = childEnv({
      AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    delete env.AWS_PROFILE;
    const out = await run(aggwatch(), ['--table', table, 'current', '--aggregator', 'org', '--json'], app, env);
    expect(JSON.parse(out.stdout)).toEqual([STATES.failed, STATES.outdated]);
  });
});

