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
  notify: z.object({ step: z.literal('notify'), runAt: time, aggregator: name }),
  finalize: z.object({ step: z.literal('finalize'), runAt: time, notified: z.array(notified) }),
} as const satisfies Record<(typeof STEPS)[number], unknown>;

/** Whether an event asks for a step at all (has a `step` field): the old scheduled invocation has none. */
export function isStepEvent(event: unknown): event is { readonly step: unknown } & Readonly<Record<string, unknown>> {
  return typeof event === 'object' && event !== null && 'step' in event;
}

export function parseStepInput(event: { readonly step: unknown } & Readonly<Record<string, unknown>>): StepInput {
  const { step } = event;
  if (typeof step !== 'string' || !(STEPS as readonly string[]).includes(step)) {
    throw new StepInputError(`Unknown step ${JSON.stringify(step)}. Allowed: ${STEPS.join(', ')}.`);
  }
  const parsed = SCHEMAS[step as keyof typeof SCHEMAS].safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new StepInputError(`Invalid input of step ${JSON.stringify(step)}: ${problems}. Got ${JSON.stringify(event).slice(0, 500)}.`);
  }
  return parsed.data as StepInput;
}
