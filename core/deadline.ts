/**
 * The run's own deadline. Lambda ends a function at its timeout wherever it is; the monitor stops itself first,
 * at a point where stopping loses nothing, and fails loudly.
 */
import { AggwatchError } from './errors';

/** Time left in the run, and how much of it must be left for what comes after the current step. */
export interface Deadline {
  readonly remainingMs: () => number;
  readonly reserveMs: number;
}

/** The run's time is running out: stop before the platform cuts the function off half-way. */
export class DeadlineError extends AggwatchError {
  override readonly name = 'DeadlineError';
  readonly code = 'DeadlineExceeded';
}

/** Throws a DeadlineError, with the message `explain` gives, once less than the reserve (plus `extraMs`) is left. */
export function checkDeadline(
  deadline: Deadline | undefined,
  extraMs: number,
  explain: (leftMs: number, neededMs: number) => string,
): void {
  if (!deadline) return;
  const left = Math.round(deadline.remainingMs());
  const needed = Math.round(deadline.reserveMs + extraMs);
  if (left < needed) throw new DeadlineError(explain(left, needed));
}
