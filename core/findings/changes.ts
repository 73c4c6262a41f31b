/**
 * What the integrations are told about, beyond the digest's notices: a source that stays in its alert condition
 * but reports a different error code. The digest stays quiet about it until the next reminder; an event consumer
 * or a Security Hub finding should not. Pure.
 */
import { alertCondition, type Digest, type MonitorNotice, type NoticePolicy, type SourceNotice } from '../notices';
import type { SourceState } from '../model';

export interface ErrorCodeChange {
  readonly kind: 'error-code-changed';
  /** The freshest known state of the source (its new error code). */
  readonly state: SourceState;
  /** The alert condition it stays in. */
  readonly condition: string;
  /** The error code last delivered for it ('' for none). */
  readonly previousErrorCode: string;
}

/** One thing the integrations deliver, and what to mark once a service accepted it. */
export type Notice =
  | { readonly kind: 'source'; readonly notice: SourceNotice }
  | { readonly kind: 'error-code'; readonly change: ErrorCodeChange }
  | { readonly kind: 'monitor'; readonly notice: MonitorNotice };

/**
 * The error code last delivered for a state: a marker written, like the notice markers, only once the services
 * accepted the change. `undefined`: not known (a state written before the marker existed): no change is owed, so
 * a deployment does not announce every failing source's current code once. `''`: delivered with no code.
 */
export type DeliveredErrorCode = (state: SourceState) => string | undefined;

/**
 * The error-code changes owed: sources whose alert was already delivered (their notice marker is the current
 * condition), not owed a failure or recovery notice this run, whose error code differs from the one delivered.
 */
export function decideErrorCodeChanges(
  states: Iterable<SourceState>,
  policy: NoticePolicy,
  delivered: DeliveredErrorCode,
): ErrorCodeChange[] {
  const changes: ErrorCodeChange[] = [];
  for (const state of states) {
    const condition = alertCondition(state, policy);
    if (condition === undefined || state.notifiedCondition !== condition) continue;
    const previous = delivered(state);
    if (previous === undefined || previous === (state.errorCode ?? '')) continue;
    changes.push({ kind: 'error-code-changed', state, condition, previousErrorCode: previous });
  }
  return changes;
}

/** Everything one run owes the integrations for one aggregator, in a stable order: monitor first, then sources. */
export function noticesOf(digest: Digest, changes: readonly ErrorCodeChange[] = []): Notice[] {
  const notices: Notice[] = [];
  if (digest.monitor) notices.push({ kind: 'monitor', notice: digest.monitor });
  for (const notice of digest.sources) notices.push({ kind: 'source', notice });
  const covered = new Set(digest.sources.map((n) => keyOf(n.state)));
  for (const change of changes) {
    // A source that also has a notice this run is told about once, by the notice (it carries the new code).
    if (!covered.has(keyOf(change.state))) notices.push({ kind: 'error-code', change });
  }
  return notices;
}

const keyOf = (s: SourceState) => [s.aggregator, s.sourceType, s.sourceId, s.region].join('\u0000');
