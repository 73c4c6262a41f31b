/**
 * What the benchmark runs: the deployable Lambda bundle, taken from a cloud assembly synthesized as `cdk deploy`
 * would (NodejsFunction's esbuild bundling: ESM, mainFields module,main, minified, target node22), with the
 * function's Handler, Timeout, MemorySize and literal environment from the synthesized template; and two helper
 * bundles built with the same esbuild options: the child-process runner and the bare paging loop.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { build, type BuildOptions } from 'esbuild';
import { ESBUILD_OPTIONS } from '../../lib/monitor/bundling';
import { MonitorStack } from '../../lib/monitor-stack';

export const STACK = 'ConfigAggregatorWatch';

export interface FunctionArtifact {
  /** The directory `cdk deploy` zips and uploads. */
  readonly assetDir: string;
  /** The handler module file inside it, and its export. */
  readonly module: string;
  readonly exportName: string;
  /** Sum of the asset directory's files, in bytes (what is zipped). */
  readonly bytes: number;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The V8 heap limits Lambda's Node.js runtime starts this function with (see lambdaHeapFlags). */
  readonly heapFlags: readonly string[];
  readonly runtime: string;
  /** The function's environment variables whose values are literals (tokens are the local mode's business). */
  readonly literalEnv: Readonly<Record<string, string>>;
  readonly synthMs: number;
}

export interface HelperBundles {
  readonly child: string;
  readonly bareLoop: string;
  readonly quotaLoop: string;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** The function the state machine's Tasks invoke (construct id `Function`), and the dispatcher (construct id `Dispatcher`). */
export const WORKER_ID = 'Function';
export const DISPATCHER_ID = 'Dispatcher';

export interface Synthesized {
  readonly worker: FunctionArtifact;
  readonly dispatcher: FunctionArtifact;
  /** The stack's template, for its state machine's definition. */
  readonly template: unknown;
}

/** Synthesizes the app (with `context`) into `outdir` and returns its functions and template. */
export function synthesizeStack(outdir: string, context: Record<string, string>): Synthesized {
  const t = Date.now();
  const app = new App({ outdir, context });
  new MonitorStack(app, STACK);
  const assembly = app.synth();
  const stack = assembly.getStackByName(STACK);
  const template = stack.template as { Resources: Record<string, TemplateResource> };
  const functions = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && typeof (r.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key === 'string',
  );
  // By the construct path when the assembly carries it, else by the logical id CDK derives from it (Monitor/<id>).
  const byId = (id: string) =>
    functions.find(([logicalId, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(`/Monitor/${id}/Resource`) || new RegExp(`^Monitor${id}[0-9A-F]{8}$`).test(logicalId))?.[1];
  const worker = byId(WORKER_ID);
  if (!worker) throw new Error(`no Lambda function with construct id ${WORKER_ID} (and an S3 asset) in the synthesized template`);
  const dispatcher = byId(DISPATCHER_ID);
  if (!dispatcher) throw new Error(`no Lambda function with construct id ${DISPATCHER_ID} (and an S3 asset) in the synthesized template`);
  const synthMs = Date.now() - t;
  return {
    worker: artifactOf(assembly.directory, worker, synthMs),
    dispatcher: artifactOf(assembly.directory, dispatcher, synthMs),
    template,
  };
}

function artifactOf(directory: string, fn: TemplateResource, synthMs: number): FunctionArtifact {
  const props = fn.Properties ?? {};
  const s3Key = String((props.Code as { S3Key: string }).S3Key);
  const hash = s3Key.replace(/\.zip$/, '');
  const assetDir = join(directory, `asset.${hash}`);
  const handler = String(props.Handler);
  const dot = handler.lastIndexOf('.');
  const moduleBase = handler.slice(0, dot);
  const files = readdirSync(assetDir).map((name) => ({ name, bytes: statSync(join(assetDir, name)).size }));
  const moduleFile = ['.mjs', '.js', '.cjs'].map((ext) => moduleBase + ext).find((f) => files.some((x) => x.name === f));
  if (!moduleFile) throw new Error(`no ${moduleBase}.mjs/.js/.cjs in ${assetDir}`);
  const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
  const literalEnv = Object.fromEntries(
    Object.entries(variables).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    assetDir,
    module: join(assetDir, moduleFile),
    exportName: handler.slice(dot + 1),
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    files,
    timeoutSeconds: Number(props.Timeout),
    memoryMb: Number(props.MemorySize),
    heapFlags: lambdaHeapFlags(Number(props.MemorySize)),
    runtime: String(props.Runtime),
    literalEnv,
    synthMs,
  };
}

/**
 * The same esbuild options as the stack's NodejsFunction bundling (lib/monitor/bundling.ts), so the bare
 * loop runs on the same bundled SDK code as the handler.
 */
export async function buildHelpers(outdir: string): Promise<HelperBundles> {
  const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  const options: BuildOptions = { ...ESBUILD_OPTIONS, logLevel: 'warning' };
  const child = join(outdir, 'child.mjs');
  const bareLoop = join(outdir, 'bare-loop.mjs');
  await build({ ...options, entryPoints: [here('./child.ts')], outfile: child });
  const quotaLoop = join(outdir, 'quota-loop.mjs');
  await build({ ...options, entryPoints: [here('./bare-loop.ts')], outfile: bareLoop });
  await build({ ...options, entryPoints: [here('./quota-loop.ts')], outfile: quotaLoop });
  return { child, bareLoop, quotaLoop };
}

/** The handler bundle's own text, for a sanity check that it is minified ESM. */
export function looksMinified(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  return text.length / Math.max(1, lines) > 1_000;
}

/**
 * The heap limits Lambda's Node.js runtime gives V8, derived by its bootstrap script from the function's memory:
 * a tenth for the young generation (half of it per semi-space), the rest for the old generation. The handler's
 * processes run with them, so they collect garbage as in Lambda rather than as a 24 GiB machine lets them.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** The worker function's artifact alone (see synthesizeStack). */
export function synthesizeFunction(outdir: string, context: Record<string, string>): FunctionArtifact {
  return synthesizeStack(outdir, context).worker;
}
