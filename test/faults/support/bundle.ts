/**
 * The handler as Lambda runs it: lambda/handler.ts bundled by esbuild with the options the construct gives
 * NodejsFunction (lib/monitor/bundling.ts: ESM, minified, the AWS SDK bundled in, the createRequire banner). Built
 * once per content of the function's sources (lambda/, core/, adapters/), its bundling options and the lockfile,
 * into the system temp directory, and shared by the test files (each runs in its own worker): the first one to need
 * it builds, the others reuse it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '../../../lib/monitor/bundling';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The Handler setting of the function: index.mjs, export handler. */
export const HANDLER = 'index.handler';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The function's source folders: what the bundle is built from. */
const FUNCTION_SOURCES = ['lambda', 'core', 'adapters'];
const BUNDLING = 'lib/monitor/bundling.ts';

/** The directory holding index.mjs, built if this content of the function's sources was not built before. */
export async function handlerBundle(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...FUNCTION_SOURCES.flatMap((d) => sources(join(ROOT, d))), join(ROOT, BUNDLING), join(ROOT, 'package-lock.json')].sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  const dir = join(tmpdir(), `aggwatch-faults-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'index.mjs'))) return dir;

  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [join(ROOT, 'lambda/handler.ts')],
    outfile: join(staging, 'index.mjs'),
    logLevel: 'error',
  });
  try {
    renameSync(staging, dir);
  } catch {
    // Another worker finished first: use its bundle, built from the same sources.
    rmSync(staging, { recursive: true, force: true });
  }
  removeStale(dir);
  return dir;
}

/** Bundles of other sources, untouched for a day: an edit of the sources leaves one behind each time. */
function removeStale(current: string): void {
  const day = Date.now() - 86_400_000;
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith('aggwatch-faults-') || path === current) continue;
    try {
      if (statSync(path).mtimeMs < day) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already.
    }
  }
}
