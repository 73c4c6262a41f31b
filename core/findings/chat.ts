/**
 * A digest as an Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification: the SNS
 * message body it renders in Slack or Microsoft Teams. Pure.
 *
 * The format (Admin Guide, "Custom notifications using Amazon Q Developer in chat applications"): `version` "1.0"
 * and `source` "custom" required; optional `id`; `content` with `textType` (only "client-markdown" is supported:
 * rendered in the chat platform's own markdown), `title`, `description`, `nextSteps` (list), `keywords` (list);
 * `metadata` with `threadId` (groups updates in one thread, if the channel allows threads), `summary`,
 * `eventType`, `relatedResources`, `additionalContext`.
 *
 * AWS publishes no length limits for these fields. The message is a summary, bounded well below what the chat
 * platforms take (Slack: 3,000 characters of text in a section block; Microsoft Teams: about 28 KB a message),
 * whichever of them the service renders into: the full list stays in the e-mail digest, the events and the
 * findings. So the limits below hold whichever answer is right.
 */
import { hintFor, type HintScope } from './hints';
import type { Digest, MonitorNotice, SourceNotice, SourceNoticeKind } from '../notices';
import { digestId } from './ids';
import { cut, isoOr, oneLine, utf8Bytes } from './text';

export const CHAT_TITLE_MAX = 250;
export const CHAT_DESCRIPTION_MAX = 3_000;
export const CHAT_NEXT_STEPS_MAX = 5;
export const CHAT_STEP_MAX = 600;
export const CHAT_KEYWORDS_MAX = 10;
export const CHAT_KEYWORD_MAX = 50;
/** The whole message, in UTF-8 bytes: under Teams' 28 KB with room to spare, far under SNS's 256 KiB. */
export const CHAT_MESSAGE_MAX_BYTES = 20_000;
/** Sources listed one by one per section; the rest are counted. */
export const CHAT_LISTED_PER_SECTION = 10;

export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

export interface ChatMessage {
  /** JSON.stringify(notification): the SNS Message (MessageStructure string). */
  readonly message: string;
  readonly notification: ChatNotification;
  /** What the message carries (listed or counted): mark delivered once SNS accepted it. */
  readonly notices: readonly SourceNotice[];
  readonly monitor?: MonitorNotice;
}

const SECTIONS: readonly [SourceNoticeKind, string][] = [
  ['failure', 'New failures'],
  ['reminder', 'Still failing (reminder)'],
  ['recovery', 'Recovered'],
];

/** The digest's chat message; undefined when there is nothing to say. */
export function renderChatNotification(digest: Digest): ChatMessage | undefined {
  if (digest.sources.length === 0 && digest.monitor === undefined) return undefined;
  const aggregator = oneLine(digest.aggregator, 256);
  const counts = countsPhrase(digest);
  const failing = digest.sources.some((n) => n.kind !== 'recovery') || digest.monitor?.kind === 'monitor-error';
  const notification: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: digestId(['chat', digest.aggregator, digest.at, ...digest.sources.map((n) => `${n.kind}:${n.state.sourceId}:${n.state.region}`)]),
    content: {
      textType: 'client-markdown',
      title: cut(`${failing ? ':rotating_light:' : ':white_check_mark:'} AWS Config aggregator ${plain(aggregator)}: ${counts}`, CHAT_TITLE_MAX),
      description: description(digest),
      nextSteps: nextSteps(digest, aggregator),
      keywords: keywords(digest, aggregator),
    },
    metadata: {
      threadId: `config-aggregator-watch-${digestId(['thread', digest.aggregator]).slice(0, 16)}`,
      summary: cut(`${aggregator}: ${counts}`, CHAT_TITLE_MAX),
      eventType: 'ConfigAggregatorSourceDigest',
      relatedResources: [],
      additionalContext: { aggregator, runAt: isoOr(digest.at, digest.at), sources: String(digest.sources.length) },
    },
  };
  const message = JSON.stringify(notification);
  if (utf8Bytes(message) > CHAT_MESSAGE_MAX_BYTES) {
    // The bounds above make this unreachable; a guard that fails loudly rather than hand a chat platform a reject.
    throw new Error(`chat notification for ${aggregator} is ${utf8Bytes(message)} bytes, over ${CHAT_MESSAGE_MAX_BYTES}`);
  }
  return { message, notification, notices: digest.sources, ...(digest.monitor ? { monitor: digest.monitor } : {}) };
}

/** Free text from Config as inline code: no markdown, no mention, no link survives in it. */
function code(text: string, max: number): string {
  const clean = oneLine(text, max).replace(/`/g, "'");
  return clean === '' ? '`(none)`' : `\`${clean}\``;
}

/** Text outside code spans: the characters chat markdown gives meaning to are removed. */
const plain = (text: string) => text.replace(/[*_~`<>|@]/g, '');

function countsPhrase(digest: Digest): string {
  const phrases: string[] = [];
  if (digest.monitor) phrases.push(digest.monitor.kind === 'monitor-error' ? 'monitor error' : 'monitor recovered');
  const n = (kind: SourceNoticeKind) => digest.sources.filter((s) => s.kind === kind).length;
  const conditions = new Set(digest.sources.filter((s) => s.kind === 'failure').map((s) => plain(oneLine(s.condition, 12))));
  if (n('failure') > 0) phrases.push(`${n('failure')} new${conditions.size === 1 ? ` ${[...conditions][0]}` : ''}`);
  if (n('reminder') > 0) phrases.push(`${n('reminder')} still failing`);
  if (n('recovery') > 0) phrases.push(`${n('recovery')} recovered`);
  return phrases.join(', ');
}

function description(digest: Digest): string {
  const parts: string[] = [];
  const m = digest.monitor;
  if (m) {
    parts.push(
      m.kind === 'monitor-error'
        ? `*Monitor error${m.reminder ? ' (reminder)' : ''}:* the aggregator could not be read since ${isoOr(m.since, digest.at)}: ${code(m.code, 80)} ${code(m.message, 200)}`
        : `*Monitor recovered:* the aggregator can be read again (it failed with ${code(m.code, 80)}).`,
    );
  }
  for (const [kind, title] of SECTIONS) {
    const members = digest.sources.filter((n) => n.kind === kind).sort(bySource);
    if (members.length === 0) continue;
    const lines = members.slice(0, CHAT_LISTED_PER_SECTION).map((n) => line(n, digest.at));
    if (members.length > CHAT_LISTED_PER_SECTION) lines.push(`…and ${members.length - CHAT_LISTED_PER_SECTION} more`);
    parts.push(`*${title}: ${members.length}*\n${lines.join('\n')}`);
  }
  // Whole lines only: a cut never leaves half a code span behind.
  let out = '';
  for (const part of parts.flatMap((p) => p.split('\n'))) {
    const next = out === '' ? part : `${out}\n${part}`;
    if (next.length > CHAT_DESCRIPTION_MAX - 40) return `${out}\n…(more in the e-mail digest)`;
    out = next;
  }
  return out;
}

function line(n: SourceNotice, at: string): string {
  const s = n.state;
  const where = `${code(s.sourceId, 64)} ${code(s.region, 32)}`;
  if (n.kind === 'recovery') {
    return n.removed ? `• ${where} removed from the aggregator (was ${code(n.condition, 20)})` : `• ${where} no longer ${code(n.condition, 20)}`;
  }
  const err = s.errorCode ? ` ${code(s.errorCode, 60)}` : '';
  return `• ${where} ${code(n.condition, 20)}${err} since ${isoOr(s.since, at).slice(0, 16).replace('T', ' ')} UTC`;
}

const bySource = (a: SourceNotice, b: SourceNotice) =>
  a.state.sourceId.localeCompare(b.state.sourceId) || a.state.region.localeCompare(b.state.region);

function nextSteps(digest: Digest, aggregator: string): string[] {
  const steps: string[] = [];
  const m = digest.monitor;
  if (m?.kind === 'monitor-error') {
    const hint = hintFor(m.code, 'monitor');
    if (hint) steps.push(hint);
  }
  const failing = digest.sources.filter((n) => n.kind !== 'recovery');
  for (const [codeOrCondition, scope] of topCodes(failing)) {
    const hint = hintFor(codeOrCondition, scope);
    if (hint && !steps.includes(hint)) steps.push(hint);
    if (steps.length >= CHAT_NEXT_STEPS_MAX - 1) break;
  }
  const shellSafe = /^[\w.-]+$/.test(aggregator) ? aggregator : `'${aggregator.replace(/'/g, `'\\''`)}'`;
  const conditions = [...new Set(failing.map((n) => oneLine(n.condition, 20)))].filter((c) => /^[A-Z_]+$/.test(c)).sort();
  if (conditions.length > 0) steps.push(`List them: npx aggwatch current --aggregator ${shellSafe} --status ${conditions.join(',')}`);
  return steps.slice(0, CHAT_NEXT_STEPS_MAX).map((s) => cut(s, CHAT_STEP_MAX));
}

/** Error codes (or conditions, without a code) by frequency, with the scope their hint is looked up in. */
function topCodes(notices: readonly SourceNotice[]): [string, HintScope][] {
  const counts = new Map<string, { n: number; scope: HintScope }>();
  for (const n of notices) {
    const key = n.state.errorCode ?? n.condition;
    const scope: HintScope = n.state.sourceType === 'ORGANIZATION' ? 'ORGANIZATION' : 'ACCOUNT';
    const entry = counts.get(`${scope}\u0000${key}`) ?? { n: 0, scope };
    entry.n++;
    counts.set(`${scope}\u0000${key}`, entry);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => [k.split('\u0000')[1] ?? '', v.scope]);
}

function keywords(digest: Digest, aggregator: string): string[] {
  const words = new Set<string>(['aws-config', cut(plain(aggregator), CHAT_KEYWORD_MAX)]);
  for (const n of digest.sources) words.add(cut(plain(oneLine(n.condition, 40)), CHAT_KEYWORD_MAX));
  if (digest.monitor?.kind === 'monitor-error') words.add('monitor-error');
  return [...words].filter((w) => w !== '').slice(0, CHAT_KEYWORDS_MAX);
}
