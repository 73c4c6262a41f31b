/**
 * The function's steps, one kind per Task invocation (core/workflow.ts STEPS): the input validated first
 * (core/workflow-input.ts), then the step it names.
 */
import type { BeginResult, FinalizeResult, NotifyResult, ReadRoundResult, ReconcileProgress, StepInput } from '../../core/workflow';
import { begin } from './begin';
import type { StepContext, StepDeps } from './deps';
import { finalize } from './finalize';
import { notifyAggregator } from './notify';
import { readRound } from './read-round';
import { reconcileUnit } from './reconcile';

export type StepResult = BeginResult | ReadRoundResult | ReconcileProgress | NotifyResult | FinalizeResult;

export async function runStep(deps: StepDeps, input: StepInput, ctx: StepContext): Promise<StepResult> {
  switch (input.step) {
    case 'begin':
      return begin(deps, input);
    case 'read':
      return readRound(deps, input, ctx);
    case 'reconcile':
      return reconcileUnit(deps, input, ctx);
    case 'notify':
      return notifyAggregator(deps, input, ctx);
    case 'finalize':
      return finalize(deps, input, ctx);
  }
}

export type { StepContext, StepDeps } from './deps';
