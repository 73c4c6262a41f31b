/**
 * The digest's words: how notices are counted, grouped and ordered, and the short texts (subject, SMS) that say it
 * in one line.
 */
import type { Digest, NoticeKind, SourceNotice, SourceNoticeKind } from '../notices';
import { cutWithDots, oneLine, toAscii, toGsm7 } from './charset';
import { FIELD_MAX, SUBJECT_MAX } from './limits';

export const SECTIONS: readonly SourceNoticeKind[] = ['failure', 'reminder', 'recovery'];
export const SECTION_TITLE: Readonly<Record<SourceNoticeKind, string>> = {
  failure: 'NEW FAILURES',
  reminder: 'STILL FAILING (reminder)',
  recovery: 'RECOVERED',
};
export const KIND_ORDER: readonly NoticeKind[] = ['failure', 'reminder', 'recovery', 'monitor-error'];

export const NO_CODE = '(no error code)';
/** The group a failing source is listed under: its error code, or its condition when Config gave no code. */
export const groupKey = (n: SourceNotice): string =>
  n.state.errorCode ? oneLine(n.state.errorCode, FIELD_MAX.code) : `${NO_CODE} ${oneLine(n.condition, FIELD_MAX.status)}`;

export function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Most frequent first, then by name: stable output for the same input. */
export const byCount = (counts: Map<string, number>): [string, number][] =>
  [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export const ofKind = (notices: readonly SourceNotice[], kind: SourceNoticeKind): SourceNotice[] => notices.filter((n) => n.kind === kind);

/** "12 new FAILED, 3 still failing, 2 recovered, monitor error": the digest's counts, for the subject, SMS and e-mail. */
export function countsPhrase(digest: Digest): string {
  const phrases: string[] = [];
  if (digest.monitor) phrases.push(digest.monitor.kind === 'monitor-error' ? 'monitor error' : 'monitor recovered');
  const failures = ofKind(digest.sources, 'failure');
  if (failures.length > 0) {
    const conditions = new Set(failures.map((n) => n.condition));
    const [only] = conditions;
    phrases.push(`${failures.length} new ${conditions.size === 1 && only !== undefined ? toAscii(oneLine(only, 12)) : 'failures'}`);
  }
  const reminders = ofKind(digest.sources, 'reminder').length;
  if (reminders > 0) phrases.push(`${reminders} still failing`);
  const recoveries = ofKind(digest.sources, 'recovery').length;
  if (recoveries > 0) phrases.push(`${recoveries} recovered`);
  return phrases.join(', ');
}

/** The most frequent error code among new failures (or, without any, among reminders). */
export function topError(digest: Digest): { code: string; count: number } | undefined {
  const failing = ofKind(digest.sources, 'failure');
  const pool = (failing.length > 0 ? failing : ofKind(digest.sources, 'reminder')).filter((n) => n.state.errorCode);
  const [top] = byCount(countBy(pool, groupKey));
  return top && { code: top[0], count: top[1] };
}

export const partLabel = (part: number, parts: number): string => (parts > 1 ? ` (part ${part}/${parts})` : '');

/** "[aggwatch] org-agg: 12 new FAILED, 2 recovered (part 2/5)": the aggregator name gives way first. */
export function subjectLine(digest: Digest, part: number, parts: number): string {
  const tail = `: ${countsPhrase(digest)}${partLabel(part, parts)}`;
  const name = toAscii(digest.aggregator);
  for (const prefix of ['[aggwatch] ', '']) {
    const room = SUBJECT_MAX - prefix.length - tail.length;
    if (room >= Math.min(name.length, 12)) return prefix + cutWithDots(name, room) + tail;
  }
  return cutWithDots(toAscii(`${digest.aggregator}${tail}`), SUBJECT_MAX);
}

/**
 * "org-agg: 12 new FAILED, 3 recovered. Top error: AUTH_X (8)": at most `max` GSM-7 basic characters, so that
 * one segment holds it. The detail is dropped before the aggregator name shrinks below 12 characters.
 */
export function smsText(digest: Digest, max: number): string {
  const top = topError(digest);
  const counts = toGsm7(countsPhrase(digest));
  const name = toGsm7(digest.aggregator);
  const monitor = digest.monitor?.kind === 'monitor-error' ? digest.monitor.code : undefined;
  const detail = top ? `. Top error: ${cutWithDots(toGsm7(top.code), 40)} (${top.count})` : monitor ? `: ${cutWithDots(toGsm7(monitor), 40)}` : '';
  for (const tail of [`: ${counts}${detail}`, `: ${counts}`]) {
    const room = max - tail.length;
    if (room >= Math.min(name.length, 12)) return cutWithDots(name, room) + tail;
  }
  return cutWithDots(`${name}: ${counts}`, max);
}
