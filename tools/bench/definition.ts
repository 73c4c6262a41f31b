/**
 * The run's state machine the benchmark executes on the local Step Functions endpoint: the synthesized stack's own
 * (lib/monitor/workflow.ts), its function ARNs resolved to local ones by tools/local/state-machine-definition.ts and
 * validated there with asl-validator.
 */
import { stateMachineDefinitions } from '../local/state-machine-definition';

export interface BenchDefinition {
  readonly definition: unknown;
  /** The function ARNs the Tasks invoke (all of them are the worker). */
  readonly functionArns: readonly string[];
  /** The synthesized stack's definition (the only source: one definition of the workflow). */
  readonly source: 'template';
}

/** The one state machine of `template` whose Tasks invoke Lambda functions; throws naming what was found otherwise. */
export function benchDefinition(template: unknown): BenchDefinition {
  const machines = stateMachineDefinitions(template).filter((m) => Object.keys(m.functions).length > 0);
  const run = machines[0];
  if (!run || machines.length > 1) {
    throw new Error(`Expected one state machine invoking a Lambda function in the synthesized stack, found ${machines.length ? machines.map((m) => m.logicalId).join(', ') : 'none'}`);
  }
  return { definition: run.definition, functionArns: Object.values(run.functions), source: 'template' };
}
