/**
 * The deployable artifact for the end-to-end tests: the app synthesized as `cdk deploy` would (esbuild bundling
 * included), the function's bundle taken from the cloud assembly (the directory that would be zipped and uploaded),
 * its environment from the template with CloudFormation references resolved, and one invocation of the bundle in
 * its own Node.js process, as the Lambda runtime runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { MonitorStack } from '../../lib/monitor-stack';
import { CDK_JSON_CONTEXT } from '../support/cdk-json';
import type { CfnResolver, Template } from '../support/cloudformation';

const RUNNER = fileURLToPath(new URL('./invoke-bundle.mjs', import.meta.url));

export interface Deployable {
  readonly outdir: string;
  readonly template: Template;
  readonly functionId: string;
  readonly roleId: string;
  readonly assetDir: string;
  readonly handler: string;
  readonly runtime: string;
}

/** The app as `cdk synth -c key=value ...` builds it (cdk.json's flags included), into a temporary cloud assembly. */
export function synthesizeDeployable(stackName: string, context: Record<string, unknown>): Deployable {
  const outdir = mkdtempSync(join(tmpdir(), 'aggwatch-e2e-'));
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...context } });
  const stack = new MonitorStack(app, stackName);
  const assembly = app.synth();
  const template = assembly.getStackByName(stackName).template as Template;

  // The monitor's function (the worker), not the dispatcher: the one the state machine's Tasks invoke.
  const workerId = stack.resolve((stack.monitor.function.node.defaultChild as CfnElement).logicalId) as string;
  const functions = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id === workerId);
  if (functions.length !== 1) throw new Error(`expected the monitor's function ${workerId}, found ${functions.length}`);
  const [functionId, fn] = functions[0] as [string, { Properties: Record<string, unknown> }];
  const code = fn.Properties.Code as { S3Bucket: { 'Fn::Sub': string }; S3Key: string };
  const role = fn.Properties.Role as { 'Fn::GetAtt': [string, string] };

  // The asset manifest says which directory `cdk deploy` zips and uploads under the S3 key the template names.
  const manifest = JSON.parse(readFileSync(join(assembly.directory, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { file?: string } }>;
  };
  const assetManifests = Object.values(manifest.artifacts).filter((a) => a.type === 'cdk:asset-manifest' && a.properties?.file?.startsWith(stackName));
  const files = assetManifests.flatMap((a) =>
    Object.values(
      (
        JSON.parse(readFileSync(join(assembly.directory, a.properties?.file ?? ''), 'utf8')) as {
          files: Record<string, { source: { path: string; packaging: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>;
        }
      ).files,
    ),
  );
  const asset = files.find((f) => Object.values(f.destinations).some((d) => d.objectKey === code.S3Key && d.bucketName === code.S3Bucket['Fn::Sub']));
  if (!asset) throw new Error(`no asset in the cloud assembly is uploaded as ${code.S3Key}`);
  if (asset.source.packaging !== 'zip') throw new Error(`the function's asset is packaged as ${asset.source.packaging}, not zip`);

  return {
    outdir,
    template,
    functionId,
    roleId: role['Fn::GetAtt'][0],
    assetDir: join(assembly.directory, asset.source.path),
    handler: String(fn.Properties.Handler),
    runtime: String(fn.Properties.Runtime),
  };
}

/** The function's own environment variables, as synthesized, references resolved. */
export function functionEnvironment(d: Deployable, resolver: CfnResolver): Record<string, string> {
  const variables = (d.template.Resources[d.functionId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
  return resolver.resolve(variables) as Record<string, string>;
}

/** The only resource of a type, by logical id. */
export function onlyResource(template: Template, type: string): string {
  const ids = Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === type);
  if (ids.length !== 1 || !ids[0]) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}

export interface BundleRun<T> {
  readonly code: number | null;
  readonly outcome: { ok: boolean; result?: T; error?: { name: string; message: string; stack?: string } };
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One invocation of the bundle with `event`, in a separate process whose environment is what the Lambda runtime
 * sets plus `env` (the function's variables, the endpoints and credentials).
 */
export async function invokeBundle<T>(d: Deployable, env: Record<string, string>, event: unknown, resultFile: string): Promise<BundleRun<T>> {
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: `${d.functionId}-e2e`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    LAMBDA_TASK_ROOT: d.assetDir,
    _HANDLER: d.handler,
    TZ: ':UTC',
    ...env,
  };
  const { code, stdout, stderr } = await run(process.execPath, [RUNNER, d.assetDir, d.handler, JSON.stringify(event), resultFile], full);
  const outcome = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as BundleRun<T>['outcome']) : { ok: false };
  return { code, outcome, stdout, stderr };
}

/** Runs a process without blocking this one's event loop: the local endpoints live here. */
function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
