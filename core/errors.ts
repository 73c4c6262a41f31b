/**
 * The base of every error this project throws. Each carries a stable `code` (what a run records and notifies
 * about an aggregator it could not watch, what callers branch on) and the error it wraps as `cause` (ErrorOptions),
 * so callers test `instanceof AggwatchError` and read `code` instead of guessing at the shape of what was thrown.
 */
export abstract class AggwatchError extends Error {
  /** Stable and machine-readable; never reworded (stored as an aggregator's monitor error code). */
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The code of anything thrown: ours carry one; Node.js system errors (ECONNREFUSED, ETIMEDOUT, ...) carry theirs in
 * `code` (https://nodejs.org/api/errors.html#errorcode); AWS SDK service errors are named after the exception
 * (`name`, such as ThrottlingException); anything else is its `name`.
 */
export function errorCode(e: unknown): string {
  if (e instanceof AggwatchError) return e.code;
  if (!(e instanceof Error)) return 'Error';
  return systemErrorCode(e) ?? e.name;
}

/** The code of a Node.js system error (https://nodejs.org/api/errors.html#class-systemerror), if `e` is one. */
export function systemErrorCode(e: Error): string | undefined {
  if (e instanceof AggwatchError) return undefined;
  const { code } = e as NodeJS.ErrnoException;
  return typeof code === 'string' ? code : undefined;
}
