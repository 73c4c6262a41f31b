/**
 * Delivering a batch to a service that accepts or refuses each item on its own (PutEvents' FailedEntryCount,
 * BatchImportFindings' FailedFindings): resend only what failed with a retryable code, back off between
 * attempts, and report exactly what was accepted and what was not. The caller marks the accepted items delivered
 * and leaves the rest owed: nothing is lost, and a duplicate can only come from a resend after an answer that
 * never arrived (at-least-once).
 *
 * Retries are p-retry's (exponential backoff with jitter, abort on a permanent error). The SDK client retries a
 * throttled or failed request itself before this sees an error; this layer also covers the per-item failures the
 * SDK reports as a success.
 */
import pRetry, { AbortError } from 'p-retry';
import { checkDeadline, type Deadline } from '../core/deadline';
import { AggwatchError, errorCode } from '../core/errors';

export interface DeliveryOptions {
  /** Calls at most, the first included (default 5). */
  readonly attempts?: number;
  /** Backoff before the first resend, doubled each time (default 200 ms), and its ceiling (default 5 s). */
  readonly minTimeoutMs?: number;
  readonly maxTimeoutMs?: number;
  /** Jitter (default true; tests turn it off). */
  readonly randomize?: boolean;
  /** The run's deadline: no attempt starts once less than its reserve (plus `attemptMs`) is left. */
  readonly deadline?: Deadline;
  /** What one call may take, kept in reserve before an attempt starts (default 5 s). */
  readonly attemptMs?: number;
}

/** One item's answer, in the order of the items sent. */
export type ItemOutcome = { readonly ok: true; readonly id?: string } | { readonly ok: false; readonly code: string; readonly message: string };

export interface Delivered<T> {
  readonly item: T;
  /** The service's id for it (EventBridge's EventId), when it gives one. */
  readonly id?: string;
}

export interface Undelivered<T> {
  readonly item: T;
  readonly code: string;
  readonly message: string;
  /** Refused for good (a permanent code), rather than still failing when the attempts ran out. */
  readonly permanent: boolean;
}

export interface DeliveryReport<T> {
  readonly delivered: Delivered<T>[];
  readonly undelivered: Undelivered<T>[];
  readonly calls: number;
}

export interface DeliveryPolicy<T> {
  /** Sends the items; returns one outcome per item, in order. Throws for an error of the whole call. */
  readonly call: (items: readonly T[]) => Promise<ItemOutcome[]>;
  /** Whether an item refused with this code may be accepted if sent again. */
  readonly retryableItem: (code: string) => boolean;
}

const DEFAULTS = { attempts: 5, minTimeoutMs: 200, maxTimeoutMs: 5_000, attemptMs: 5_000 } as const;

/** Errors of a whole call worth another attempt: throttling, the service's own failures, the network. */
const TRANSIENT_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UnexpectedAnswer',
]);

/** An answer that does not match the request (fewer results, failures without ids): trusted for no item. */
export class UnexpectedAnswerError extends AggwatchError {
  override readonly name = 'UnexpectedAnswerError';
  readonly code = 'UnexpectedAnswer';
}

export function isTransientError(e: unknown): boolean {
  // A network failure arrives wrapped (fetch's TypeError, an SDK error) with the system error as its cause.
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (TRANSIENT_CODES.has(errorCode(c))) return true;
  }
  const meta = (e as { $metadata?: { httpStatusCode?: number }; $fault?: string } | undefined) ?? {};
  const status = meta.$metadata?.httpStatusCode;
  return meta.$fault === 'server' || (status !== undefined && (status >= 500 || status === 429));
}

/** Some items are still failing when the attempt ends: try again with those. */
class ItemsFailed extends Error {
  override readonly name = 'ItemsFailed';
}

export async function deliver<T>(items: readonly T[], policy: DeliveryPolicy<T>, options: DeliveryOptions = {}): Promise<DeliveryReport<T>> {
  const attempts = Math.max(1, options.attempts ?? DEFAULTS.attempts);
  const delivered: Delivered<T>[] = [];
  const permanent: Undelivered<T>[] = [];
  let pending: readonly T[] = items;
  let lastFailures = new Map<T, { code: string; message: string }>();
  let calls = 0;
  if (items.length === 0) return { delivered, undelivered: [], calls };

  const attempt = async () => {
    checkDeadline(options.deadline, options.attemptMs ?? DEFAULTS.attemptMs, (left, needed) => `${left} ms left, ${needed} ms needed to send ${pending.length} more`);
    calls++;
    let outcomes: ItemOutcome[];
    try {
      outcomes = await policy.call(pending);
    } catch (e) {
      throw isTransientError(e) ? e : new AbortError(e instanceof Error ? e : new Error(String(e)));
    }
    if (outcomes.length !== pending.length) {
      // The services answer item for item; an answer that does not is not trusted for any of them.
      throw new UnexpectedAnswerError(`the service answered for ${outcomes.length} of ${pending.length} items`);
    }
    const failures = new Map<T, { code: string; message: string }>();
    outcomes.forEach((o, i) => {
      const item = pending[i] as T;
      if (o.ok) delivered.push(o.id !== undefined ? { item, id: o.id } : { item });
      else if (policy.retryableItem(o.code)) failures.set(item, { code: o.code, message: o.message });
      else permanent.push({ item, code: o.code, message: o.message, permanent: true });
    });
    pending = [...failures.keys()];
    lastFailures = failures;
    if (pending.length > 0) throw new ItemsFailed(`${pending.length} items failed`);
  };

  try {
    await pRetry(attempt, {
      retries: attempts - 1,
      factor: 2,
      minTimeout: options.minTimeoutMs ?? DEFAULTS.minTimeoutMs,
      maxTimeout: options.maxTimeoutMs ?? DEFAULTS.maxTimeoutMs,
      randomize: options.randomize ?? true,
      // A deadline is final: no more attempts, and what is pending stays owed.
      shouldRetry: ({ error }) => errorCode(error) !== 'DeadlineExceeded',
    });
  } catch (e) {
    const whole = !(e instanceof ItemsFailed);
    const code = errorCode(e);
    const message = e instanceof Error ? e.message : String(e);
    const rest = pending.map((item): Undelivered<T> => {
      const last = whole ? undefined : lastFailures.get(item);
      return { item, code: last?.code ?? code, message: last?.message ?? message, permanent: whole && !isTransientError(e) && code !== 'DeadlineExceeded' };
    });
    return { delivered, undelivered: [...permanent, ...rest], calls };
  }
  return { delivered, undelivered: permanent, calls };
}

/** "a (Code: message), b (...) and 3 more": what was not delivered, for an error message. */
export function listUndelivered<T>(undelivered: readonly Undelivered<T>[], name: (item: T) => string, max = 5): string {
  const shown = undelivered.slice(0, max).map((u) => `${name(u.item)} (${u.code}: ${u.message.slice(0, 200)})`);
  const more = undelivered.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
