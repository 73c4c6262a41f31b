/**
 * The run's state machine as the app deploys it: the stack (lib/monitor-stack.ts, cdk.json's context and feature
 * flags, the local mode's settings as context keys) synthesized in this process with aws-cdk-lib, its
 * AWS::StepFunctions::StateMachine's definition taken from the template with its tokens resolved to local ARNs
 * (state-machine-definition.ts) and validated with asl-validator. The same synthesis `cdk synth` runs, so the
 * definition executed locally is the one deployed: Retry, Catch, Choice rules, MaxConcurrency and all.
 *
 * Bundling is skipped (cx-api BUNDLING_STACKS, `aws:cdk:bundling-stacks`, set to no stack: the context key the CDK CLI
 * sets to choose which stacks' assets are bundled): the local mode runs the functions' source in process, so the
 * esbuild bundles are not needed, and the definition does not depend on them (the bundle-level suites synthesize
 * with bundling, test/e2e/deployable.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, cx_api } from 'aws-cdk-lib';
import { MonitorStack } from '../../lib/monitor-stack';
import { stateMachineDefinition, type LocalTarget, type TemplateStateMachine } from './state-machine-definition';

/** The stack's name in the synthesized app (core/stack-outputs DEFAULT_STACK_NAME is the deployed default). */
const STACK = 'ConfigAggregatorWatchLocal';

export interface AppStateMachine extends TemplateStateMachine {
  /** The logical id and local ARN of the function every Task invokes (the monitor's worker). */
  readonly worker: { readonly logicalId: string; readonly arn: string; readonly timeoutMs: number };
  /** How long synthesis took, in ms. */
  readonly synthMs: number;
}

/** cdk.json's `context` block (feature flags included), so that this synthesis is `cdk synth`'s. */
function cdkJsonContext(): Record<string, unknown> {
  const file = new URL('../../cdk.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

/**
 * Synthesizes the app with `context` (context keys as `cdk synth -c key=value` takes them: lib/context-settings.ts)
 * and returns the run's state machine. Throws when the app has no state machine, or one whose Tasks invoke more
 * than one function.
 */
export function appStateMachine(context: Readonly<Record<string, unknown>>, target: LocalTarget = {}): AppStateMachine {
  const started = Date.now();
  const outdir = mkdtempSync(join(tmpdir(), 'aggwatch-local-synth-'));
  try {
    // The template's own checks (the built-in CloudFormation validation, cdk-nag, cfn-guard) are the infra tests';
    // here only the definition matters, validated below.
    const app = new App({ outdir, treeMetadata: false, builtinCloudFormationValidation: false, context: { ...cdkJsonContext(), ...context, [cx_api.BUNDLING_STACKS]: [] } });
    new MonitorStack(app, STACK);
    const template = app.synth().getStackByName(STACK).template as unknown;
    const machine = stateMachineDefinition(template, target);
    const functions = Object.entries(machine.functions);
    const [only] = functions;
    if (functions.length !== 1 || !only) {
      throw new Error(`The run's state machine ${machine.logicalId} should invoke one function (the worker), but invokes ${functions.map(([id]) => id).join(', ') || 'none'}`);
    }
    const [logicalId, arn] = only;
    // AWS::Lambda::Function Timeout: seconds, default 3 (CloudFormation resource reference).
    const timeout = (template as { Resources: Record<string, { Properties?: { Timeout?: unknown } }> }).Resources[logicalId]?.Properties?.Timeout;
    const timeoutMs = (typeof timeout === 'number' ? timeout : 3) * 1000;
    return { ...machine, worker: { logicalId, arn, timeoutMs }, synthMs: Date.now() - started };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
