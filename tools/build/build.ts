/**
 * `npm run build` (and `prepack`, so `npm pack` and `npm publish` always ship a fresh build): the package's dist/.
 *
 * - dist/function/index.mjs and dist/dispatcher/index.mjs: the two Lambda handlers (lib/monitor/function-code.ts
 *   BUNDLES), built with lib/monitor/bundling.ts's ESBUILD_OPTIONS, the options NodejsFunction gets in the
 *   repository, so the packaged bundles are the bytes the repository's stack deploys (test/package/pack.test.ts
 *   compares the asset hashes).
 * - dist/index.mjs: the construct and its public API (lib/index.ts), one ESM file, aws-cdk-lib and constructs
 *   external (peer dependencies). Bundled rather than emitted by tsc: the sources use extensionless relative imports
 *   (`moduleResolution: bundler`), which Node.js ESM does not resolve, and a bundle keeps the internals unreachable.
 * - dist/cli/aggwatch.mjs (+ chunks/): the CLI, its runtime dependencies external. Split into chunks so that the
 *   SDK packages load only when a command needs them, as they do from source.
 * - dist/types/: declarations for lib/index.ts and what it reaches (tsconfig.build.json), relative imports rewritten
 *   with the `.js` extension that `moduleResolution: node16/nodenext` requires.
 *
 * Every bundle's external imports are checked against package.json: the CLI may import `dependencies` only, the
 * construct those and `peerDependencies` (aws-cdk-lib, constructs), the function nothing at all.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { ESBUILD_OPTIONS } from '../../lib/monitor/bundling';
import { BUNDLES, PACKAGED_DEFINE, type BundleName } from '../../lib/monitor/function-code';
import { emitDeclarations } from './declarations';
import { BuildError } from './errors';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where each part is built, relative to the output directory. */
export const DIST = {
  function: `${BUNDLES.function.dist}/index.mjs`,
  dispatcher: `${BUNDLES.dispatcher.dist}/index.mjs`,
  construct: 'index.mjs',
  cli: 'cli/aggwatch.mjs',
  types: 'types',
} as const;

/** The Node.js the construct and the CLI are built for: the oldest `engines` allows. */
const NODE_TARGET = 'node22';

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** Builds every part of dist/ into `outDir` (emptied first); returns the external imports of each bundle. */
export async function buildPackage(outDir = join(ROOT, 'dist')): Promise<Record<'construct' | 'cli' | 'unused', string[]>> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

  const [, , construct, cli] = await Promise.all([
    buildFunction(join(outDir, DIST.function)),
    buildFunction(join(outDir, DIST.dispatcher), 'dispatcher'),
    bundle({
      entryPoints: [join(ROOT, 'lib/index.ts')],
      outfile: join(outDir, DIST.construct),
      define: PACKAGED_DEFINE,
    }),
    bundle({
      entryPoints: { aggwatch: join(ROOT, 'cli/main.ts') },
      outdir: join(outDir, 'cli'),
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
    }),
  ]);
  const dependencies = Object.keys(pkg.dependencies ?? {});
  const peers = Object.keys(pkg.peerDependencies ?? {});
  allowOnly('the construct (dist/index.mjs)', construct, [...peers, ...dependencies], 'peerDependencies or dependencies');
  // The CLI runs without the CDK: a user may install the package for aggwatch alone.
  allowOnly('the CLI (dist/cli/)', cli, dependencies, 'dependencies');
  emitDeclarations(join(ROOT, 'tsconfig.build.json'), join(outDir, DIST.types));
  // Installed with the package for nothing: a warning, not an error (a dependency may await code being merged).
  const unused = dependencies.filter((name) => !cli.includes(name) && !construct.includes(name));
  return { construct, cli, unused };
}

/** A function's bundle, exactly as the repository's NodejsFunction builds it (same options, same esbuild). */
export async function buildFunction(outfile: string, bundleName: BundleName = 'function'): Promise<void> {
  const result = await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [join(ROOT, BUNDLES[bundleName].entry)],
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  const external = externals(result.metafile ?? { inputs: {}, outputs: {} });
  if (external.length > 0) throw new BuildError(`the ${bundleName} bundle must be self-contained, it imports ${external.join(', ')}`);
}

/** A library bundle of ours: ESM for Node.js, every package import left to the installed dependencies. */
async function bundle(options: BuildOptions): Promise<string[]> {
  const result = await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    packages: 'external',
    // Readable: a stack trace from a user's synth should point at something they can read.
    minify: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    ...options,
  });
  return externals(result.metafile ?? { inputs: {}, outputs: {} });
}

/** The package names a bundle imports at run time (node: built-ins left out), sorted. */
function externals(metafile: Metafile): string[] {
  const builtins = new Set(builtinModules);
  const names = Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((i) => i.external && !i.path.startsWith('node:') && !builtins.has(i.path))
    .map((i) => packageName(i.path));
  return [...new Set(names)].sort();
}

/** `@scope/name/sub/path` -> `@scope/name`, `name/sub` -> `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function allowOnly(what: string, imported: readonly string[], allowed: readonly string[], field: string): void {
  const missing = imported.filter((name) => !allowed.includes(name));
  if (missing.length > 0) {
    throw new BuildError(`${what} imports ${missing.join(', ')}, which package.json's ${field} does not list`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const outDir = join(ROOT, 'dist');
  try {
    const { construct, cli, unused } = await buildPackage(outDir);
    if (unused.length > 0) {
      console.error(`build: warning: dependencies ${unused.join(', ')} are imported by neither the CLI nor the construct`);
    }
    // stderr: `npm pack --json` prints its report on stdout, after this script (prepack) ran.
    console.error(`dist/ built in ${Date.now() - started} ms (construct imports ${construct.join(', ')}; CLI imports ${cli.join(', ')})`);
  } catch (e) {
    console.error(`build: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
