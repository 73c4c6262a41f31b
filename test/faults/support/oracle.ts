/**
 * The oracle: what the table and the subscribers must have seen, computed from what Config served, independently
 * of the monitor's code, and compared with what the faulty runs and their clean follow-up left behind.
 *
 * - Current state: every source of the simulated organization, in its status with its error code; none removed,
 *   none owing a notice (a FAILED source carries the FAILED marker, no other source carries one).
 * - History: every transition between the snapshots Config served at the recorded run times (first seen, status
 *   changed, error code changed, removed), each exactly once by key, and nothing else.
 * - Notices: every failure, recovery and removal the snapshots imply, at least once. More than once only for a
 *   copy SNS accepted whose marker its execution did not write before the execution ended or published the notice
 *   again (the ledger tells exactly which): that is the design's at-least-once window, and the number of extra
 *   copies is bounded by it. Outside that window, exactly once.
 * - Subscribers' view: for every source, the last notice about it agrees with its status now.
 * - Every publication is valid for its format: String structure, e-mail text well formed with an ASCII subject,
 *   SMS one GSM-7 segment once SNS prefixed the topic's display name, json of the documented schema and version.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { RecordedRequest } from '../../../tools/local/fake-server';
import type { PublishedMessage } from '../../../tools/local/fake-sns';
import { refKey, type SimulatedSource } from '../../../tools/local/simulated-organization';
import { keys } from '../../../adapters/store/table-schema';
import { DELIVERY_FORMATS, DIGEST_JSON_SCHEMA, DIGEST_JSON_VERSION, SMS_TEXT_MAX } from '../../../core/digest';
import { wireKey, type Lab, type Observation, type WireBatch } from './lab';

export type Item = Record<string, unknown>;

export async function scanTable(lab: Lab): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await lab.local.dynamodb.documentClient.send(
      new ScanCommand({ TableName: lab.local.tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

// ---- history ------------------------------------------------------------------------------------------------

/** One history entry as a comparable line: aggregator, source key, run time, event, from > to. */
const historyLine = (aggregator: string, source: string, at: string, event: string, from: string | undefined, to: string) =>
  `${aggregator} ${source} ${at} ${event} ${from ?? '-'}>${to}`;

/** The transitions between consecutive snapshots (staleness off): what reconcile must record, by run time. */
export function expectedHistory(aggregator: string, observations: readonly Observation[]): string[] {
  const lines: string[] = [];
  let previous = new Map<string, SimulatedSource>();
  for (const { at, sources } of observations) {
    const current = new Map(sources.map((s) => [refKey(s), s] as const));
    for (const [key, s] of current) {
      const p = previous.get(key);
      if (!p) lines.push(historyLine(aggregator, key, at, 'FIRST_SEEN', undefined, s.status));
      else if (p.status !== s.status) lines.push(historyLine(aggregator, key, at, 'STATUS_CHANGED', p.status, s.status));
      else if ((p.errorCode ?? '') !== (s.errorCode ?? '')) lines.push(historyLine(aggregator, key, at, 'ERROR_CHANGED', p.status, s.status));
    }
    for (const [key, p] of previous) {
      if (!current.has(key)) lines.push(historyLine(aggregator, key, at, 'REMOVED', p.status, 'REMOVED'));
    }
    previous = current;
  }
  return lines.sort();
}

export function actualHistory(items: readonly Item[], aggregator: string): string[] {
  return items
    .filter((i) => String(i.pk).startsWith(`SRC#${aggregator}#`))
    .map((i) => {
      const key = `${String(i.sourceType)}#${String(i.sourceId)}#${String(i.region)}`;
      // The key is derived from the entry itself: a second entry for the same transition needs another key.
      expect(i.sk).toBe(keys.historySk(String(i.at), { sourceType: String(i.sourceType), sourceId: String(i.sourceId), region: String(i.region) }, String(i.event)));
      return historyLine(aggregator, key, String(i.at), String(i.event), i.fromStatus as string | undefined, String(i.toStatus));
    })
    .sort();
}

// ---- notices --------------------------------------------------------------------------------------------------

export type NoticeKind = 'failure' | 'reminder' | 'recovery' | 'removed' | 'monitor-error' | 'monitor-recovery';

export interface Notice {
  readonly aggregator: string;
  readonly kind: NoticeKind;
  /** Source key (sourceType#sourceId#region) for source notices; the error code for monitor errors. */
  readonly subject: string;
}

export const noticeId = (n: Notice): string => `${n.aggregator} ${n.kind} ${n.subject}`;
export const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

const SECTION: Readonly<Record<string, NoticeKind>> = {
  'NEW FAILURES': 'failure',
  'STILL FAILING (reminder)': 'reminder',
  RECOVERED: 'recovery',
};

export const formatOf = (m: PublishedMessage): string => String(m.attributes.format?.value ?? '');

/** The notices a digest part carries, read from its e-mail publication as the e-mail subscriber would (none from the others). */
export function noticesIn(m: PublishedMessage): Notice[] {
  if (formatOf(m) !== 'email') return [];
  const aggregator = String(m.attributes.aggregator?.value ?? '');
  const email = m.message;
  const notices: Notice[] = [];
  let section: NoticeKind | undefined;
  const lines = email.split('\n');
  lines.forEach((line, i) => {
    const heading = /^(NEW FAILURES|STILL FAILING \(reminder\)|RECOVERED): \d+$/.exec(line);
    if (heading) {
      section = SECTION[heading[1] ?? ''];
      return;
    }
    if (line === 'HOW TO QUERY HISTORY') section = undefined;
    if (/^MONITOR ERROR( \(reminder\))?$/.test(line)) {
      const code = /could not be read: ([^:]+):/.exec(lines[i + 1] ?? '')?.[1] ?? '?';
      notices.push({ aggregator, kind: 'monitor-error', subject: code });
      return;
    }
    if (line === 'MONITOR RECOVERED') {
      notices.push({ aggregator, kind: 'monitor-recovery', subject: '' });
      return;
    }
    const source = /^ {2}- (\S+) \(([^()]+)\), (\S+?)(?:: (removed from the aggregator|no longer).*)?$/.exec(line);
    if (source && section) {
      const [, id, type, region, how] = source;
      const kind = section === 'recovery' && how?.startsWith('removed') ? 'removed' : section;
      notices.push({ aggregator, kind, subject: `${type}#${id}#${region}` });
    }
  });
  return notices;
}

/** Source notices the snapshots imply (alertStatuses FAILED, recoveries notified), with their counts. */
export function expectedNotices(aggregator: string, observations: readonly Observation[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (kind: NoticeKind, subject: string) => {
    const id = noticeId({ aggregator, kind, subject });
    counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  let previous = new Map<string, SimulatedSource>();
  for (const { sources } of observations) {
    const current = new Map(sources.map((s) => [refKey(s), s] as const));
    for (const [key, s] of current) {
      const was = previous.get(key)?.status === 'FAILED';
      const is = s.status === 'FAILED';
      if (is && !was) add('failure', key);
      if (was && !is) add('recovery', key);
    }
    for (const [key, p] of previous) if (!current.has(key) && p.status === 'FAILED') add('removed', key);
    previous = current;
  }
  return counts;
}

// ---- message validity -------------------------------------------------------------------------------------------

/** GSM 03.38 basic character set: 160 of these fit one SMS segment (the extension table costs two septets). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What would make a subscriber's copy broken: returns the problems found (none: valid). */
export function messageProblems(m: PublishedMessage): string[] {
  const problems: string[] = [];
  const format = formatOf(m);
  if (m.messageStructure !== undefined) return [`published with MessageStructure ${m.messageStructure}: no attributes would be sent`];
  if (!(DELIVERY_FORMATS as readonly string[]).includes(format)) return [`format attribute ${JSON.stringify(format)}`];
  const text = m.message;
  if (format === 'sms') {
    if (m.subject !== undefined) problems.push('an SMS with a subject');
    if (text.length === 0 || text.length > SMS_TEXT_MAX) problems.push(`SMS of ${text.length} characters (at most ${SMS_TEXT_MAX} fit one segment with the display name)`);
    const outside = [...text].filter((c) => !GSM7_BASIC.has(c));
    if (outside.length > 0) problems.push(`SMS characters outside GSM-7 basic: ${JSON.stringify(outside.join(''))}`);
    return problems;
  }
  if (!m.subject || !/^[\x20-\x7e]{1,99}$/.test(m.subject)) problems.push(`subject not ASCII under 100: ${JSON.stringify(m.subject)}`);
  if (CONTROL_BUT_NEWLINE.test(text)) problems.push(`${format} has control characters`);
  if (LONE_SURROGATE.test(text)) problems.push(`${format} has a broken surrogate pair`);
  if (format === 'json') {
    try {
      const body = JSON.parse(text) as { schema?: unknown; version?: unknown };
      if (body.schema !== DIGEST_JSON_SCHEMA || body.version !== DIGEST_JSON_VERSION) problems.push(`json of schema ${String(body.schema)} version ${String(body.version)}`);
    } catch {
      problems.push('json that does not parse');
    }
  }
  return problems;
}

// ---- convergence --------------------------------------------------------------------------------------------

export interface ConvergeOptions {
  /** Aggregators to check (default: the lab's aggregators that exist in the organization). */
  readonly aggregators?: readonly string[];
  /** Skip the history check (a scenario that checks history its own way). */
  readonly skipHistory?: boolean;
  /**
   * Executions overlapped. Requests cannot be told apart by execution, so the at-least-once window is not
   * measured (duplicates are only counted); and a run may record what it saw after a newer run did, so history is
   * checked for convergence: every transition between the snapshots is recorded at its run time or later, and each
   * source's latest entry agrees with its status now.
   */
  readonly overlapping?: boolean;
  /**
   * A known gap (see the tests using it): the last monitor notice may be an error never followed by its recovery,
   * and the aggregator record may keep no error. Everything else is checked as usual.
   */
  readonly monitorErrorMayDangle?: boolean;
}

export interface Convergence {
  /** Published notices by identity. */
  readonly published: Map<string, number>;
  readonly expected: Map<string, number>;
  /** Per source notice: copies SNS accepted whose marker their execution did not then write. */
  readonly atRisk: Map<string, number>;
  /** Monitor notices SNS accepted whose aggregator record their execution did not then write. */
  readonly monitorAtRisk: number;
  /** Copies beyond the expected count. */
  readonly duplicates: number;
  /** Monitor notices in the order SNS accepted them. */
  readonly monitor: Notice[];
  readonly items: Item[];
}

/** Asserts the table and the subscribers converged to the organization, and returns the counts for the scenario. */
export async function assertConverged(lab: Lab, options: ConvergeOptions = {}): Promise<Convergence> {
  const items = await scanTable(lab);
  const aggregators = options.aggregators ?? lab.aggregators.filter((a) => lab.org.aggregator(a));

  // Every message valid for every protocol.
  const messages = lab.local.sns.published;
  for (const m of messages) expect(messageProblems(m), m.message.slice(0, 160)).toEqual([]);

  const expected = new Map<string, number>();
  for (const aggregator of aggregators) {
    const observations = [...(lab.observations.get(aggregator) ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    // Current state: the organization, with the markers of notices delivered.
    const states = items.filter((i) => String(i.pk).startsWith(`CUR#${aggregator}#`));
    const truth = lab.org.sources(aggregator);
    const view = (s: { status?: unknown; errorCode?: unknown; notifiedCondition?: unknown; removedAt?: unknown }) => ({
      status: s.status,
      errorCode: s.errorCode ?? null,
      marker: s.notifiedCondition ?? null,
      removed: s.removedAt !== undefined,
    });
    expect(Object.fromEntries(states.map((s) => [String(s.sk), view(s)])), `current state of ${aggregator}`).toEqual(
      Object.fromEntries(truth.map((s) => [refKey(s), view({ ...s, notifiedCondition: s.status === 'FAILED' ? 'FAILED' : undefined })])),
    );

    // The aggregator record keeps no error once a run succeeded (totalSources is not checked: it is only refreshed
    // by a full sweep, so a removal recorded by a run that died before putting the record is counted from the
    // next full sweep on; see the README).
    const meta = items.find((i) => i.pk === 'AGG' && i.sk === aggregator);
    if (!options.monitorErrorMayDangle) expect(meta?.monitorError, `monitor error left on ${aggregator}`).toBeUndefined();

    // History: exactly the transitions between the snapshots, by key.
    const want = expectedHistory(aggregator, observations);
    const have = actualHistory(items, aggregator);
    if (options.overlapping) assertHistoryConverged(aggregator, want, have, truth);
    else if (!options.skipHistory) expect(have, `history of ${aggregator}`).toEqual(want);

    for (const [id, n] of expectedNotices(aggregator, observations)) expected.set(id, n);
  }

  // Notices: each expected one at least once; more only inside the measured window.
  const published = new Map<string, number>();
  const atRisk = new Map<string, number>();
  const monitor: Notice[] = [];
  const order = [...messages].sort((a, b) => lab.acceptedAt(a) - lab.acceptedAt(b));
  for (const m of order) {
    for (const n of noticesIn(m)) {
      if (!aggregators.includes(n.aggregator)) continue;
      const id = noticeId(n);
      published.set(id, (published.get(id) ?? 0) + 1);
      if (n.kind.startsWith('monitor')) monitor.push(n);
    }
  }
  if (!options.overlapping) {
    // The window is the execution's: a marker may be written by another Task of it than the one that published
    // (Finalize records what Notify accepted), and a retried Task publishes again within the same execution.
    for (const run of lab.executions) {
      // Each accepted copy of a notice, and when the execution accepted the next copy of it (if it did).
      const copies = run.published
        .flatMap((m) => noticesIn(m).map((n) => ({ n, accepted: lab.acceptedAt(m) })))
        .filter((c) => aggregators.includes(c.n.aggregator))
        .sort((a, b) => a.accepted - b.accepted);
      copies.forEach((c, i) => {
        const next = copies.slice(i + 1).find((d) => noticeId(d.n) === noticeId(c.n))?.accepted ?? run.to;
        if (!markerWritten(lab, run.dynamodb, c.accepted, next, c.n)) atRisk.set(noticeId(c.n), (atRisk.get(noticeId(c.n)) ?? 0) + 1);
      });
    }
  }
  let duplicates = 0;
  const sourceIds = new Set([...published.keys(), ...expected.keys()].filter((id) => !/ monitor-/.test(id)));
  for (const id of sourceIds) {
    const want = expected.get(id) ?? 0;
    const got = published.get(id) ?? 0;
    expect(got, `notice ${id}: at least the ${want} expected`).toBeGreaterThanOrEqual(want);
    if (!options.overlapping) {
      expect(got - want, `notice ${id}: copies beyond ${want} only for accepted copies left unmarked`).toBeLessThanOrEqual(atRisk.get(id) ?? 0);
    }
    duplicates += got - want;
  }

  // The subscribers' view: the last notice about each source agrees with its status now.
  for (const aggregator of aggregators) {
    const last = new Map<string, NoticeKind>();
    for (const m of order) for (const n of noticesIn(m)) if (n.aggregator === aggregator && !n.kind.startsWith('monitor')) last.set(n.subject, n.kind);
    for (const s of lab.org.sources(aggregator)) {
      const kind = last.get(refKey(s));
      const alerting = kind === 'failure' || kind === 'reminder';
      expect(alerting, `${aggregator} ${refKey(s)} is ${s.status}; the last notice about it was ${kind ?? 'none'}`).toBe(s.status === 'FAILED');
    }
    const monitorLast = monitor.filter((n) => n.aggregator === aggregator).at(-1);
    if (!options.monitorErrorMayDangle) expect(monitorLast?.kind ?? 'none', `the last monitor notice about ${aggregator}`).not.toBe('monitor-error');
  }

  const monitorAtRisk = sum([...atRisk].filter(([id]) => / monitor-/.test(id)).map(([, n]) => n));
  for (const id of [...atRisk.keys()]) if (/ monitor-/.test(id)) atRisk.delete(id);
  return { published, expected, atRisk, monitorAtRisk, duplicates, monitor, items };
}

/** Overlapping runs: every expected transition recorded then or later, and the latest entry per source true now. */
export function assertHistoryConverged(aggregator: string, want: readonly string[], have: readonly string[], truth: readonly SimulatedSource[]): void {
  const parse = (line: string) => {
    const [, source = '', at = '', event = '', change = ''] = line.split(' ');
    return { source, at, event, change, to: change.split('>')[1] ?? '' };
  };
  const entries = have.map(parse);
  for (const line of want) {
    const w = parse(line);
    expect(
      entries.some((e) => e.source === w.source && e.event === w.event && e.change === w.change && e.at >= w.at),
      `history of ${aggregator}: ${line}, or later`,
    ).toBe(true);
  }
  for (const s of truth) {
    const latest = entries.filter((e) => e.source === refKey(s) && e.event !== 'ERROR_CHANGED').sort((a, b) => (a.at < b.at ? -1 : 1)).at(-1);
    expect(latest?.to, `latest history entry of ${aggregator} ${refKey(s)}`).toBe(s.status);
  }
}

/**
 * Whether the execution wrote the record that marks this copy of a notice as sent after SNS accepted it and before
 * it published the notice again (a Publish retried by the SDK, or by a retried Task, after SNS had accepted it).
 */
function markerWritten(lab: Lab, requests: readonly RecordedRequest[], accepted: number, until: number, n: Notice): boolean {
  const after = requests.filter((r) => r.status === 200 && lab.stampOf(r) > accepted && lab.stampOf(r) < until);
  let key: string;
  if (n.kind.startsWith('monitor')) {
    key = `${keys.aggregatorsPk}|${n.aggregator}`;
  } else {
    const [sourceType = '', sourceId = '', region = ''] = n.subject.split('#');
    const current = keys.current(n.aggregator, { sourceType, sourceId, region });
    key = `${String(current.pk)}|${String(current.sk)}`;
  }
  return after.some((r) => writtenKeys(lab, r).has(key));
}

/** The item keys (`pk|sk`) a successful write request wrote: what a fault bounced excluded. */
export function writtenKeys(lab: Lab, r: RecordedRequest): Set<string> {
  const input = r.input as Record<string, unknown>;
  const table = lab.local.tableName;
  const keyOf = (item: unknown) => {
    const k = item as Record<string, { S?: string }> | undefined;
    return `${k?.pk?.S ?? ''}|${k?.sk?.S ?? ''}`;
  };
  switch (r.operation) {
    case 'BatchWriteItem':
      return new Set(((input as unknown as WireBatch).RequestItems[table] ?? []).map(wireKey).filter((k) => !lab.bounced.get(r.seq)?.has(k)));
    case 'PutItem':
      return new Set([keyOf(input.Item)]);
    case 'UpdateItem':
      return new Set([keyOf(input.Key)]);
    case 'TransactWriteItems':
      return new Set(
        ((input.TransactItems ?? []) as Record<string, { Item?: unknown; Key?: unknown }>[]).flatMap((t) =>
          Object.entries(t)
            .filter(([op]) => op === 'Put' || op === 'Update')
            .map(([, w]) => keyOf(w.Item ?? w.Key)),
        ),
      );
    default:
      return new Set();
  }
}
