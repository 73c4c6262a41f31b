/**
 * Validates what a Task sends the function (core/workflow.ts StepInput): the state machine builds these payloads,
 * but a hand-made invocation or a definition out of step with the function must fail clearly, naming the step, the
 * field and what is allowed, before anything is read or written.
 */
import * as z from 'zod/mini';
import { AggwatchError } from './errors';
import { STEPS, type StepInput } from './workflow';

export class StepInputError extends AggwatchError {
  override readonly name = 'StepInputError';
  readonly code = 'InvalidStepInput';
}

const time = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), { error: 'an ISO 8601 time' }));
const name = z.string().check(z.minLength(1, { error: 'a non-empty aggregator name' }));
const monitorError = z.object({ code: z.string(), message: z.string(), since: time });
const obligation = z.object({ aggregator: name, monitorError: z.optional(monitorError), monitorErrorNotifiedAt: time });
const rate = z.object({ rate: z.number().check(z.positive()), ceiling: z.nullable(z.number().check(z.positive())) });
const unit = z.object({ aggregator: name, shards: z.array(z.number().check(z.int(), z.nonnegative())).check(z.minLength(1)) });
const progress = z.object({ done: z.boolean(), shardIndex: z.number().check(z.int(), z.nonnegative()), bucket: z.number().check(z.int(), z.nonnegative()) });
const runError = z.object({ name: z.string(), message: z.string() });
const notified = z.object({ aggregator: name, published: z.number(), obligation: z.nullable(obligation), error: z.optional(runError) });

const SCHEMAS = {
  begin: z.object({ step: z.literal('begin'), at: time, carried: z.array(obligation) }),
  read: z.object({ step: z.literal('read'), runAt: time, rate, rounds: z.optional(z.number().check(z.int(), z.nonnegative())) }),
  reconcile: z.object({ step: z.literal('reconcile'), runAt: time, unit, progress: z.nullable(progress) }),
  notify: z.object({ step: z.literal('notify'), runAt: time, aggregator: name, lastAttempt: z.optional(z.boolean()) }),
  finalize: z.object({ step: z.literal('finalize'), runAt: time, notified: z.array(notified) }),
} as const satisfies Record<(typeof STEPS)[number], unknown>;

/**
 * The step input of an invocation, validated. An event that is not a step (no `step` field: say, a scheduled
 * EventBridge event sent to the worker instead of the dispatcher), an unknown step or a bad field fails, naming
 * what it got and what is allowed.
 */
export function parseStepInput(event: unknown): StepInput {
  if (typeof event !== 'object' || event === null || Array.isArray(event) || !('step' in event)) {
    throw new StepInputError(
      `Not a step of the run's workflow: got ${preview(event)}. The function runs one step per invocation, ` +
        `{"step": ...} with step one of ${STEPS.join(', ')} (core/workflow.ts), as the run's state machine sends it; ` +
        'the schedule invokes the dispatcher, which starts the execution.',
    );
  }
  const { step } = event as { readonly step: unknown };
  if (typeof step !== 'string' || !(STEPS as readonly string[]).includes(step)) {
    throw new StepInputError(`Unknown step ${JSON.stringify(step)}. Allowed: ${STEPS.join(', ')}.`);
  }
  const parsed = SCHEMAS[step as keyof typeof SCHEMAS].safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new StepInputError(`Invalid input of step ${JSON.stringify(step)}: ${problems}. Got ${preview(event)}.`);
  }
  return parsed.data as StepInput;
}

/** The event as JSON, cut to 500 characters (an event without a JSON form, such as undefined, by its type). */
function preview(event: unknown): string {
  const json = JSON.stringify(event) as string | undefined;
  return json === undefined ? String(event) : json.slice(0, 500);
}
