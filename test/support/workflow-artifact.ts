/**
 * The deployable engine, as `cdk deploy` would upload it: the app synthesized with esbuild bundling into a cloud
 * assembly, and from it
 * - the state machine's definition (its DefinitionString with the template's tokens resolved for the local
 *   endpoint: tools/local/state-machine-definition.ts, validated by asl-validator);
 * - the worker: the one function the definition's Tasks invoke; the dispatcher: the function whose environment
 *   names the state machine. For each, its bundle (the asset directory the manifest says is zipped and uploaded
 *   under the S3 key the template names), Handler setting, runtime, role and environment;
 * - the state machine's role.
 * Found by these relations, not by construct ids, so a renamed construct is still found, and a second function
 * invoked by the Tasks or a second state machine is an error rather than a guess.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { MonitorStack } from '../../lib/monitor-stack';
import { localFunctionArn, stateMachineDefinition } from '../../tools/local/state-machine-definition';
import type { AslDefinition } from '../../tools/local/asl-definition';
import { CDK_JSON_CONTEXT } from './cdk-json';
import type { Template } from './cloudformation';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ArtifactFunction {
  readonly logicalId: string;
  readonly roleId: string;
  /** The bundle: the directory `cdk deploy` zips and uploads. */
  readonly assetDir: string;
  readonly handler: string;
  readonly runtime: string;
  /** The ARN the local Step Functions endpoint knows it by (localFunctionArn). */
  readonly functionArn: string;
}

export interface WorkflowArtifact {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: Template;
  readonly stateMachineId: string;
  readonly stateMachineRoleId: string;
  readonly definition: AslDefinition;
  readonly worker: ArtifactFunction;
  readonly dispatcher: ArtifactFunction;
}

export interface LocalAccount {
  readonly region: string;
  readonly accountId: string;
}

/** The app as `cdk synth -c key=value ...` builds it (cdk.json's flags included), into `outdir`. */
export function synthesizeArtifact(outdir: string, stackName: string, context: Record<string, unknown>, target: LocalAccount): WorkflowArtifact {
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...context } });
  new MonitorStack(app, stackName);
  app.synth();
  return readArtifact(outdir, stackName, target);
}

/** The artifact of a cloud assembly synthesized before. */
export function readArtifact(outdir: string, stackName: string, target: LocalAccount): WorkflowArtifact {
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as Template;
  const machines = Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1 || !machines[0]) throw new Error(`expected one state machine in ${stackName}, found ${machines.length}`);
  const stateMachineId = machines[0];
  const machine = stateMachineDefinition(template, target, stateMachineId);
  const invoked = Object.keys(machine.functions);
  if (invoked.length !== 1 || !invoked[0]) throw new Error(`expected the Tasks to invoke one function, they invoke ${invoked.join(', ') || 'none'}`);
  const functions = Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === 'AWS::Lambda::Function');
  const dispatchers = functions.filter((id) => JSON.stringify(template.Resources[id]?.Properties?.Environment ?? {}).includes(`"Ref":"${stateMachineId}"`));
  if (dispatchers.length !== 1 || !dispatchers[0]) throw new Error(`expected one function whose environment names ${stateMachineId}, found ${dispatchers.join(', ') || 'none'}`);
  return {
    outdir,
    stackName,
    template,
    stateMachineId,
    stateMachineRoleId: getAttOf(template.Resources[stateMachineId]?.Properties?.RoleArn, `${stateMachineId}.RoleArn`),
    definition: machine.definition,
    worker: artifactFunction(outdir, stackName, template, invoked[0], target),
    dispatcher: artifactFunction(outdir, stackName, template, dispatchers[0], target),
  };
}

function artifactFunction(outdir: string, stackName: string, template: Template, logicalId: string, target: LocalAccount): ArtifactFunction {
  const props = template.Resources[logicalId]?.Properties ?? {};
  const code = props.Code as { S3Bucket: { 'Fn::Sub': string }; S3Key: string };
  // The asset manifest says which directory `cdk deploy` zips and uploads under the S3 key the template names.
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { file?: string } }>;
  };
  const files = Object.values(manifest.artifacts)
    .filter((a) => a.type === 'cdk:asset-manifest' && a.properties?.file?.startsWith(stackName))
    .flatMap((a) =>
      Object.values(
        (
          JSON.parse(readFileSync(join(outdir, a.properties?.file ?? ''), 'utf8')) as {
            files: Record<string, { source: { path: string; packaging: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>;
          }
        ).files,
      ),
    );
  const asset = files.find((f) => Object.values(f.destinations).some((d) => d.objectKey === code.S3Key && d.bucketName === code.S3Bucket['Fn::Sub']));
  if (!asset) throw new Error(`no asset in the cloud assembly is uploaded as ${code.S3Key} (${logicalId})`);
  if (asset.source.packaging !== 'zip') throw new Error(`${logicalId}'s asset is packaged as ${asset.source.packaging}, not zip`);
  return {
    logicalId,
    roleId: getAttOf(props.Role, `${logicalId}.Role`),
    assetDir: join(outdir, asset.source.path),
    handler: String(props.Handler),
    runtime: String(props.Runtime),
    functionArn: localFunctionArn(logicalId, target),
  };
}

function getAttOf(value: unknown, where: string): string {
  const id = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`${where} is not an Fn::GetAtt of a role: ${JSON.stringify(value)}`);
  return id;
}

/** What the bundles and the definition are built from: a change to any of these synthesizes anew. */
const SOURCES = ['lambda', 'core', 'adapters', 'lib', 'bin'];
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

export const LAB_STACK = 'ConfigAggregatorWatch';

/** The hash of the sources the stack is synthesized from, and of `extra`: names a cache entry. */
function sourcesHash(extra: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(extra));
  for (const file of [...SOURCES.flatMap((d) => sourceFiles(join(ROOT, d))), join(ROOT, 'cdk.json'), join(ROOT, 'package-lock.json')].sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * A template `synthesize` makes (no bundling: the roles and policies only), cached in the system temp directory per
 * content of the sources and `context`, so that the test files (each in its own worker) synthesize it once.
 */
export function cachedTemplate(context: Record<string, unknown>, synthesize: () => Template): Template {
  const file = join(tmpdir(), `aggwatch-lab-template-${sourcesHash(['template', context])}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Template;
  const template = synthesize();
  const staging = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(staging, JSON.stringify(template));
  renameSync(staging, file);
  return template;
}

/**
 * The artifact the fault lab runs, synthesized once per content of its sources (lambda/, core/, adapters/, lib/,
 * cdk.json, the lockfile) into the system temp directory and shared by the test files (each runs in its own worker:
 * the first to need it synthesizes, the others reuse it). Synthesis blocks the event loop for seconds: call this
 * before starting any local endpoint this process serves.
 */
export function labArtifact(target: LocalAccount, context: Record<string, unknown> = {}): WorkflowArtifact {
  const dir = join(tmpdir(), `aggwatch-lab-${sourcesHash([target, context])}`);
  if (existsSync(join(dir, 'manifest.json'))) return readArtifact(dir, LAB_STACK, target);
  // One worker synthesizes (two bundles: seconds of both cores); the others wait for its assembly.
  if (!takeLock(`${dir}.lock`)) {
    waitFor(() => existsSync(join(dir, 'manifest.json')), `${dir}.lock`);
    return readArtifact(dir, LAB_STACK, target);
  }
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  synthesizeArtifact(staging, LAB_STACK, context, target);
  try {
    renameSync(staging, dir);
  } catch {
    // Another worker finished first: use its assembly, synthesized from the same sources.
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(`${dir}.lock`, { recursive: true, force: true });
  removeStale(dir);
  return readArtifact(dir, LAB_STACK, target);
}

const LOCK_STALE_MS = 5 * 60_000;

/** Creates the lock directory (atomic); a lock older than LOCK_STALE_MS is a dead worker's, taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs < LOCK_STALE_MS) return false;
      rmSync(lock, { recursive: true, force: true });
      mkdirSync(lock);
      return true;
    } catch {
      return false;
    }
  }
}

/** Blocks (this worker has nothing to do until the assembly exists) until `done`, or fails past LOCK_STALE_MS. */
function waitFor(done: () => boolean, lock: string): void {
  const until = Date.now() + LOCK_STALE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!done()) {
    if (Date.now() > until) throw new Error(`no cloud assembly after ${LOCK_STALE_MS} ms waiting on ${lock}: remove it if no test run holds it`);
    Atomics.wait(pause, 0, 0, 250);
  }
}

/** Assemblies of other sources, untouched for a day: an edit of the sources leaves one behind each time. */
function removeStale(current: string): void {
  const day = Date.now() - 86_400_000;
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!/^aggwatch-(lab|faults)-/.test(name) || path === current || name.endsWith('.lock')) continue;
    try {
      if (statSync(path).mtimeMs < day) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already.
    }
  }
}
