/**
 * The deployable artifact for the end-to-end tests: the app synthesized as `cdk deploy` would (esbuild bundling
 * included), the worker's and the dispatcher's bundles taken from the cloud assembly (the directories that would
 * be zipped and uploaded), their environments from the template with CloudFormation references resolved. The
 * bundles run on the engine through the lab (test/faults/support/lab.ts: a tick, or `invokeWorker` for one
 * invocation of the worker alone).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnResolver, Template } from '../support/cloudformation';
import { synthesizeArtifact, type LocalAccount, type WorkflowArtifact } from '../support/workflow-artifact';

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
