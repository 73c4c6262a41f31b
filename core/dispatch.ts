/**
 * The dispatcher's decisions (lambda/dispatcher.ts runs them against Step Functions): one execution at a time, an
 * idempotent start per scheduled tick, and the notice obligations an earlier execution could not record carried
 * into the next one's input (docs/decisions/engine.md, "One execution at a time, idempotent starts" and gap 1;
 * docs/reliability.md). Pure: the executions come in as plain data, the decisions go out as plain data.
 */
import * as z from 'zod/mini';
import type { SkippedRun } from './model';
import { WORKFLOW, type CarriedObligation, type ExecutionInput } from './workflow';

/** An execution as ListExecutions lists it (the fields the decisions read). */
export interface ExecutionSummary {
  readonly name: string;
  readonly executionArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE (ExecutionListItem, Step Functions API Reference). */
  readonly status: string;
  /** ISO 8601. */
  readonly startDate: string;
}

/** What DescribeExecution tells of a closed execution (the fields the decisions read). */
export interface ExecutionDetail {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly input?: string;
}

/** What to do with a tick, given the executions running now. */
export type TickDecision =
  /** This tick's execution is already running: a re-delivered event. Start nothing. */
  | { readonly action: 'already-running'; readonly execution: ExecutionSummary }
  /** An earlier run is still running: start nothing, record the tick as skipped. */
  | { readonly action: 'skip'; readonly running: ExecutionSummary; readonly skipped: SkippedRun }
  /** Nothing is running: look at the previous execution and start this tick's. */
  | { readonly action: 'start' };

/**
 * The decision for the tick at `runAt` (execution `name`), given every RUNNING execution of the state machine and
 * the time now. With several running (only if someone started one by hand), the oldest is named: it is the one
 * that outlasted the schedule.
 */
export function decideTick(runAt: string, name: string, running: readonly ExecutionSummary[], now: Date): TickDecision {
  const own = running.find((e) => e.name === name);
  if (own) return { action: 'already-running', execution: own };
  const [oldest] = [...running].sort((a, b) => Date.parse(a.startDate) - Date.parse(b.startDate));
  if (!oldest) return { action: 'start' };
  return {
    action: 'skip',
    running: oldest,
    skipped: {
      runAt,
      outcome: 'skipped',
      execution: name,
      runningExecution: oldest.name,
      runningSince: oldest.startDate,
      runningForMs: Math.max(0, now.getTime() - Date.parse(oldest.startDate)),
    },
  };
}

/**
 * The execution before this tick's: the newest one that is not running and not this tick's own (which may be
 * listed already when the event is re-delivered). ListExecutions lists the newest first ("Results are sorted by
 * time, with the most recent execution first", ListExecutions, Step Functions API Reference); sorted again by start
 * date here all the same, so the choice never rests on the order of a page.
 */
export function previousExecution(recent: readonly ExecutionSummary[], name: string): ExecutionSummary | undefined {
  return [...recent]
    .filter((e) => e.name !== name && e.status !== 'RUNNING')
    .sort((a, b) => Date.parse(b.startDate) - Date.parse(a.startDate))[0];
}

/** Only an execution that did not succeed can leave obligations behind: DescribeExecution is called for it alone. */
export function mayLeaveObligations(previous: ExecutionSummary): boolean {
  return previous.status !== 'SUCCEEDED';
}

const obligationSchema = z.object({
  aggregator: z.string().check(z.minLength(1)),
  monitorError: z.optional(z.object({ code: z.string(), message: z.string(), since: z.string() })),
  monitorErrorNotifiedAt: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)))),
});
const notifyResultSchema = z.object({ aggregator: z.string(), obligation: z.nullable(obligationSchema) });

/** The obligations carried into the next execution, and what could not be read (logged; never blocks a run). */
export interface Carried {
  readonly carried: CarriedObligation[];
  readonly problems: string[];
}

/**
 * The obligations the previous execution leaves to this one:
 * - failed with `UnrecordedNotices`: the obligations in its cause, the JSON of its NotifyResults (the state
 *   machine's Unrecorded state: Finalize could not write what Notify had published);
 * - ended in any other way than success: the obligations it carried itself (its input's `carried`), since it may
 *   have ended before Begin wrote them. Begin keeps an aggregator record's newer notice over an older carried one.
 * Both together: the newest per aggregator (sorted by aggregator, so the same previous execution always gives the
 * same input, which the idempotent start relies on). Unreadable parts are left out and named in `problems`.
 */
export function carriedFrom(previous: ExecutionDetail): Carried {
  const problems: string[] = [];
  if (previous.status === 'SUCCEEDED') return { carried: [], problems };
  const fromCause =
    previous.status === 'FAILED' && previous.error === WORKFLOW.errors.unrecorded
      ? obligationsOf(previous.cause, 'cause', problems, (json) => {
          if (!Array.isArray(json)) throw new Error('not a JSON array of NotifyResults');
          return json.map((r) => ({ value: r, schema: notifyResultSchema }));
        }).flatMap((r) => (r.obligation ? [r.obligation] : []))
      : [];
  const fromInput = obligationsOf(previous.input, 'input', problems, (json) => {
    const carried = (json as { carried?: unknown } | null)?.carried;
    if (carried === undefined) return [];
    if (!Array.isArray(carried)) throw new Error('its `carried` is not an array');
    return carried.map((o) => ({ value: o, schema: obligationSchema }));
  });
  return { carried: mergeCarried(fromCause, fromInput), problems };
}

/**
 * Every valid element of a JSON text; each invalid element (and an unparseable text) is named in `problems`.
 * `elements` turns the parsed JSON into the elements to check, each with its schema.
 */
function obligationsOf<T>(
  text: string | undefined,
  what: string,
  problems: string[],
  elements: (json: unknown) => { value: unknown; schema: z.ZodMiniType<T> }[],
): T[] {
  if (text === undefined) {
    problems.push(`the previous execution's ${what} is missing`);
    return [];
  }
  let list: { value: unknown; schema: z.ZodMiniType<T> }[];
  try {
    list = elements(JSON.parse(text));
  } catch (e) {
    problems.push(`the previous execution's ${what} is unreadable (${(e as Error).message}): ${clip(text)}`);
    return [];
  }
  const valid: T[] = [];
  list.forEach(({ value, schema }, i) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) valid.push(parsed.data);
    else problems.push(`element ${i} of the previous execution's ${what} is not an obligation: ${clip(JSON.stringify(value))}`);
  });
  return valid;
}

/**
 * Union of obligation lists, the newest (monitorErrorNotifiedAt) per aggregator; on a tie the earlier list wins
 * (pass the newer source first). Each obligation rebuilt field by field, in a fixed order: the input's JSON is then
 * a function of the obligations alone.
 */
export function mergeCarried(...lists: readonly (readonly CarriedObligation[])[]): CarriedObligation[] {
  const newest = new Map<string, CarriedObligation>();
  for (const o of lists.flat()) {
    const kept = newest.get(o.aggregator);
    if (!kept || Date.parse(o.monitorErrorNotifiedAt) > Date.parse(kept.monitorErrorNotifiedAt)) newest.set(o.aggregator, o);
  }
  return [...newest.values()]
    .sort((a, b) => (a.aggregator < b.aggregator ? -1 : a.aggregator > b.aggregator ? 1 : 0))
    .map((o) => ({
      aggregator: o.aggregator,
      ...(o.monitorError
        ? { monitorError: { code: o.monitorError.code, message: o.monitorError.message, since: o.monitorError.since } }
        : {}),
      monitorErrorNotifiedAt: o.monitorErrorNotifiedAt,
    }));
}

/**
 * The execution's input as StartExecution takes it: the same tick and the same previous execution always give the
 * same text, so a re-delivery while the execution runs is answered with that execution (StartExecution is
 * idempotent for Standard workflows only for the same name and input).
 */
export function executionInput(at: string, carried: readonly CarriedObligation[]): string {
  const input: ExecutionInput = { at, carried: mergeCarried(carried) };
  return JSON.stringify(input);
}

function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
