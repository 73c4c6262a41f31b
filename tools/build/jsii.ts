/**
 * `npm run jsii`: the construct's jsii assembly (`.jsii`, what jsii-pacmak generates the Python, Java and .NET
 * packages from and Construct Hub reads), compiled by jsii from lib/ itself, in jsii/ (generated, not committed):
 *
 * - jsii/package.json: the package's name, version and peer dependencies from ./package.json, the jsii targets,
 *   and `main` the runtime bundle below. No `dependencies`: jsii requires every one to be a jsii package or bundled,
 *   and the construct's own (zod, fastest-levenshtein) are inlined into the bundle instead.
 * - jsii/tsconfig.json: the repository's compiler options (ESM, `moduleResolution: bundler`), compiling
 *   lib/index.ts and what it imports, out of jsii/'s tree (`rootDir` ..). jsii takes a tsconfig of the user's
 *   (`jsii.tsconfig`, rule set `minimal`), so the sources stay as they are: no second copy of the props.
 * - jsii/build/: jsii's output (ESM JavaScript with jsii's runtime type information, declarations).
 * - jsii/lib/index.js: that output bundled by esbuild as CommonJS, which the jsii kernel loads with require(),
 *   `aws-cdk-lib` and `constructs` external (the jsii runtime loads them as jsii packages), with the function's
 *   bundles beside it in jsii/lib/function/ and jsii/lib/dispatcher/, as dist/ has them.
 *
 * Then `jsii-pacmak` (run in jsii/) generates the language packages into jsii/dist/, and jsii-docgen renders
 * docs/API.md from the assembly (`--docs`). See docs/package.md, "jsii".
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { PACKAGED_DEFINE } from '../../lib/monitor/function-code';
import { ROOT, buildFunction } from './build';
import { BuildError } from './errors';

export const JSII_DIR = join(ROOT, 'jsii');
/** The API reference jsii-docgen renders from the assembly. */
export const API_DOC = join(ROOT, 'docs/API.md');

/** The language packages jsii-pacmak generates; Java's and .NET's need coordinates the publisher owns (docs/package.md). */
export const JSII_TARGETS = {
  python: { distName: 'config-aggregator-watch', module: 'config_aggregator_watch' },
} as const;

/** The TypeScript sources of the assembly: the package's entry point, as in tsconfig.build.json. */
const ENTRY = 'lib/index.ts';

interface RootPackage {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly keywords?: readonly string[];
  readonly author?: unknown;
  readonly repository?: unknown;
  readonly homepage?: string;
  readonly peerDependencies?: Record<string, string>;
}

/** What jsii requires of package.json that this package does not set yet: used until it does, and said so. */
const UNSET_METADATA = {
  author: { name: 'config-aggregator-watch maintainers', organization: true },
  repository: { type: 'git', url: 'git+file:///unpublished/config-aggregator-watch' },
} as const;

/** jsii/package.json, from ./package.json. */
export function jsiiPackageJson(pkg: RootPackage): { manifest: Record<string, unknown>; unset: string[] } {
  const peers = pkg.peerDependencies ?? {};
  const unset = (['author', 'repository'] as const).filter((key) => pkg[key] === undefined);
  // jsii (JSII0006) wants each peer dependency as a devDependency at the lowest version its range allows.
  const devDependencies = Object.fromEntries(
    Object.entries(peers).map(([name, range]) => {
      // The ranges this package declares: ^x.y.z, ~x.y.z, >=x.y.z or x.y.z (others are refused, not guessed).
      const lowest = /^(?:\^|~|>=)?(\d+\.\d+\.\d+)$/.exec(range.trim())?.[1];
      if (lowest === undefined) throw new BuildError(`jsii: peer dependency ${name}@${range}: only ^x.y.z, ~x.y.z, >=x.y.z or x.y.z ranges are handled`);
      return [name, lowest];
    }),
  );
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    keywords: pkg.keywords,
    author: pkg.author ?? UNSET_METADATA.author,
    repository: pkg.repository ?? UNSET_METADATA.repository,
    ...(pkg.homepage ? { homepage: pkg.homepage } : {}),
    main: 'lib/index.js',
    types: 'build/lib/index.d.ts',
    files: ['lib/', 'build/', '.jsii', 'README.md'],
    peerDependencies: peers,
    devDependencies,
    stability: 'experimental',
    jsii: {
      outdir: 'dist',
      tsconfig: 'tsconfig.json',
      validateTsconfig: 'minimal',
      targets: JSII_TARGETS,
    },
  };
  return { manifest, unset };
}

const TSCONFIG = {
  extends: '../tsconfig.json',
  compilerOptions: {
    noEmit: false,
    declaration: true,
    rootDir: '..',
    outDir: 'build',
    types: ['node'],
    typeRoots: ['../node_modules/@types'],
  },
  include: [`../${ENTRY}`],
  exclude: [],
};

/** The fields of the assembly this script and its test read. */
export interface Assembly {
  readonly name: string;
  readonly version: string;
  readonly types: Record<string, { kind: string; properties?: { name: string; type: unknown; docs?: Record<string, string> }[]; members?: { name: string }[] }>;
  readonly dependencies?: Record<string, string>;
  readonly targets?: Record<string, unknown>;
}

export function readAssembly(dir = JSII_DIR): Assembly {
  return JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8')) as Assembly;
}

const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

/** Runs a tool of node_modules/.bin in jsii/, on this Node.js (not the system's); its output on failure. */
export async function tool(name: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [bin(name), ...args], {
      cwd: JSII_DIR,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SUPPRESS_UPGRADE_PROMPT: '1' },
    });
    return stdout;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new BuildError(`${name} ${args.join(' ')} failed:\n${stdout}\n${stderr}`.slice(0, 12_000), { cause: e });
  }
}

/** Compiles the assembly and the runtime bundle into jsii/ (emptied first); returns jsii's report. */
export async function buildJsii(): Promise<{ report: string; unset: string[] }> {
  rmSync(JSII_DIR, { recursive: true, force: true });
  mkdirSync(JSII_DIR, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as RootPackage;
  const { manifest, unset } = jsiiPackageJson(pkg);
  writeFileSync(join(JSII_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(JSII_DIR, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  // The README is the package's long description on PyPI (jsii warns without one).
  copyFileSync(join(ROOT, 'README.md'), join(JSII_DIR, 'README.md'));
  // jsii-docgen finds the dependencies' assemblies in the package's own node_modules only.
  symlinkSync(join(ROOT, 'node_modules'), join(JSII_DIR, 'node_modules'), 'dir');

  // JSII5018: the item types' `event` and `error` fields are reserved words in C# and Go. They are the table's
  // attribute names, which outlive every release; jsii-pacmak escapes reserved words in the languages it generates.
  const report = await tool('jsii', ['--silence-warnings', 'reserved-word']);
  await Promise.all([
    bundleRuntime(),
    buildFunction(join(JSII_DIR, 'lib/function/index.mjs')),
    buildFunction(join(JSII_DIR, 'lib/dispatcher/index.mjs'), 'dispatcher'),
  ]);
  return { report, unset };
}

/**
 * jsii's JavaScript as one CommonJS file: relative imports resolved (the sources import without extensions), the
 * construct's own dependencies inlined, `import.meta.url` given from `__filename` (CommonJS has no import.meta), and
 * the construct marked as packaged, so that it deploys lib/function/ as it is.
 */
async function bundleRuntime(): Promise<void> {
  await build({
    entryPoints: [join(JSII_DIR, 'build/lib/index.js')],
    outfile: join(JSII_DIR, 'lib/index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    define: { ...PACKAGED_DEFINE, 'import.meta.url': 'AGGWATCH_MODULE_URL' },
    banner: { js: "const AGGWATCH_MODULE_URL = require('node:url').pathToFileURL(__filename).href;" },
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** jsii-docgen's API reference (markdown, TypeScript) of the assembly in jsii/. */
export async function renderApiDoc(): Promise<string> {
  const out = join(JSII_DIR, 'API.md');
  await tool('jsii-docgen', ['--output', out, '--language', 'typescript']);
  // Generated: the file says so, and where it comes from.
  return `<!-- Generated by \`npm run jsii:docs\` (jsii-docgen, from the TSDoc of lib/): do not edit. -->\n\n${readFileSync(out, 'utf8')}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    const { report, unset } = await buildJsii();
    const assembly = readAssembly();
    console.error(report.trim());
    if (unset.length > 0) console.error(`jsii: warning: package.json sets no ${unset.join(' or ')}: placeholders used (set them before publishing)`);
    if (process.argv.includes('--docs')) {
      writeFileSync(API_DOC, await renderApiDoc());
      console.error(`jsii: ${API_DOC} written`);
    }
    console.error(`jsii: ${assembly.name}@${assembly.version}, ${Object.keys(assembly.types).length} types, in ${Date.now() - started} ms`);
  } catch (e) {
    console.error(`jsii: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
