/**
 * The deployable artifact for the end-to-end tests: the app synthesized as `cdk deploy` would (esbuild bundling
 * included), the worker's and the dispatcher's bundles taken from the cloud assembly (the directories that would
 * be zipped and uploaded), their environments from the template with CloudFormation references resolved; and one
 * invocation of a bundle alone in its own Node.js process, as the Lambda runtime runs it (a tick through the
 * engine is the lab's: test/faults/support/lab.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnResolver, Template } from '../support/cloudformation';
import { synthesizeArtifact, type LocalAccount, type WorkflowArtifact } from '../support/workflow-artifact';

const RUNNER = fileURLToPath(new URL('./invoke-bundle.mjs', import.meta.url));

/**
 * The deployable engine (test/support/workflow-artifact.ts): the cloud assembly, the state machine's definition,
 * the worker's and the dispatcher's bundles. `functionId`, `roleId`, `assetDir`, `handler` and `runtime` are the
 * worker's, as before the engine.
 */
export interface Deployable extends WorkflowArtifact {
  readonly functionId: string;
  readonly roleId: string;
  readonly assetDir: string;
  readonly handler: string;
  readonly runtime: string;
}

/** The app as `cdk synth -c key=value ...` builds it (cdk.json's flags included), into a temporary cloud assembly. */
export function synthesizeDeployable(stackName: string, context: Record<string, unknown>, target: LocalAccount = { region: 'us-east-1', accountId: '123456789012' }): Deployable {
  const outdir = mkdtempSync(join(tmpdir(), 'aggwatch-e2e-'));
  const artifact = synthesizeArtifact(outdir, stackName, context, target);
  const { worker } = artifact;
  return { ...artifact, functionId: worker.logicalId, roleId: worker.roleId, assetDir: worker.assetDir, handler: worker.handler, runtime: worker.runtime };
}

/** A function's own environment variables (default the worker's), as synthesized, references resolved. */
export function functionEnvironment(d: Deployable, resolver: CfnResolver, functionId = d.functionId): Record<string, string> {
  const variables = (d.template.Resources[functionId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
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
