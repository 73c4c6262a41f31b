/**
 * Rendering one aggregator's digest into SNS messages: an e-mail body, an SMS and a short default text,
 * with message attributes for subscription filter policies. Pure: no SDK, no clock, no I/O.
 *
 * A digest is one message per aggregator per run. It is split into numbered, self-contained parts only when
 * it would not fit in one SNS message (256 KiB for the message and its attributes together); past MAX_PARTS
 * the last part summarises the remaining sources by counts, so every notice is carried by exactly one message.
 */
import type { SourceState } from './model';
import type { Digest, MonitorNotice, NoticeKind, SourceNotice, SourceNoticeKind } from './notices';
// eslint-disable-next-line import-x/no-restricted-paths -- known violation, removed by the digest split (issue 16)
import { keys } from '../adapters/store/table-schema';

/** SNS Publish limit for the message plus its attributes, in UTF-8 bytes. */
export const SNS_MAX_BYTES = 262_144;
/** What a part may weigh: below the limit, with room for the request's own rounding and future fields. */
export const PART_BUDGET_BYTES = 240_000;
/** Beyond this many parts, the last one summarises the rest instead of listing it. */
export const MAX_PARTS = 10;
/** SNS: an e-mail subject is ASCII, has no line breaks and is shorter than 100 characters. */
export const SUBJECT_MAX = 99;
/** One SMS segment of GSM-7 characters. */
export const SMS_MAX = 160;

export interface MessageAttributes {
  readonly aggregator: string;
  readonly kind: NoticeKind[];
  readonly statuses: string[];
  readonly count: number;
}

export interface OutboundMessage {
  readonly subject: string;
  /** JSON.stringify({ default, email, sms }), for MessageStructure 'json'. */
  readonly message: string;
  readonly attributes: MessageAttributes;
  /** The source notices this message carries, listed or summarised: mark them notified once SNS accepts it. */
  readonly notices: readonly SourceNotice[];
  readonly monitor?: MonitorNotice;
  readonly part: number;
  readonly parts: number;
}

export interface RenderOptions {
  /** The history table's name, shown next to the DynamoDB key. */
  readonly tableName?: string;
}

/** The attributes as SNS Publish takes them. Shared by the notifier and the size check so they cannot drift. */
export interface WireAttribute {
  readonly DataType: 'String' | 'String.Array' | 'Number';
  readonly StringValue: string;
}

export function wireAttributes(a: MessageAttributes): Record<keyof MessageAttributes, WireAttribute> {
  return {
    aggregator: { DataType: 'String', StringValue: a.aggregator },
    kind: { DataType: 'String.Array', StringValue: JSON.stringify(a.kind) },
    statuses: { DataType: 'String.Array', StringValue: JSON.stringify(a.statuses) },
    count: { DataType: 'Number', StringValue: String(a.count) },
  };
}

/** What SNS counts against its limit: the message and each attribute's name, type and value (subject added for margin). */
export function publishedBytes(m: Pick<OutboundMessage, 'subject' | 'message' | 'attributes'>): number {
  let bytes = utf8(m.message) + utf8(m.subject);
  for (const [name, attr] of Object.entries(wireAttributes(m.attributes))) {
    bytes += utf8(name) + utf8(attr.DataType) + utf8(attr.StringValue);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// Remediation hints
// ---------------------------------------------------------------------------------------------------------------

/**
 * What to do about an error code. AWS publishes no list of LastErrorCode values (the API reference types it as a
 * plain string), so entries match loosely: case-insensitive, separators and an Exception/Error suffix ignored, on
 * the words a code is made of. The causes are the documented ones:
 * - Config developer guide, "Authorizing aggregator accounts": an ACCOUNT source needs an authorization for the
 *   aggregator account and region in each source region (PutAggregationAuthorization); aggregators do not enable
 *   AWS Config in a source account or region.
 * - Config API reference, PutConfigurationAggregator and OrganizationAggregationSource: an ORGANIZATION source needs
 *   the management account or a registered delegated administrator, all features enabled, and an IAM role (RoleArn)
 *   to read the organization (AWS managed policy AWSConfigRoleForOrganizations).
 * - Config API exceptions OrganizationAccessDeniedException, NoAvailableOrganizationException,
 *   OrganizationAllFeaturesNotEnabledException, InvalidRoleException, NoSuchConfigurationAggregatorException.
 * - Opt-in regions are disabled until an account enables them (Account Management guide).
 * An entry that matches but has no text for the source type (or for the monitor) falls through to the next one.
 */
interface Hint {
  readonly match: RegExp;
  readonly account?: string;
  readonly organization?: string;
  /** For a monitor notice (the aggregator itself could not be read). */
  readonly monitor?: string;
}

const ORG_SETUP =
  'The aggregator account must be the management account or a delegated administrator registered for ' +
  'config.amazonaws.com, the organization must have all features enabled, and the role in the aggregator ' +
  '(RoleArn) must trust config.amazonaws.com and carry the AWSConfigRoleForOrganizations policy.';
const REGION =
  'The region is not enabled in the source account (opt-in region): enable it (aws account enable-region) or ' +
  'remove it from the aggregator regions.';
const CONFIG_OFF =
  'AWS Config is not recording in the source account and region; aggregators do not enable it. Start a ' +
  'configuration recorder there, or remove the region from the aggregator.';
const STALE_HINT =
  'The source reports SUCCEEDED but has not updated for longer than the stale threshold: check that AWS Config ' +
  'still records there and that the aggregation is intact.';
const OUTDATED_HINT =
  'AWS Config reports the aggregated data as not the most recent. Usually transient; if it lasts, check the ' +
  'source recorder and its authorization or role.';

const HINTS: readonly Hint[] = [
  {
    match: /ALLFEATURES/,
    organization: 'Enable all features in AWS Organizations (aws organizations enable-all-features), not only consolidated billing.',
  },
  {
    match: /NOAVAILABLEORGANI[SZ]ATION|ORGANI[SZ]ATIONNOTFOUND/,
    organization: 'The organization is no longer available to the aggregator account (it left the organization or the organization was deleted): recreate the aggregator from the management account or a delegated administrator.',
  },
  {
    match: /ORGANI[SZ]ATIONACCESSDENIED/,
    organization: `The management account or delegated administrator changed, or the aggregator belongs to a previous organization: delete and recreate the aggregator. ${ORG_SETUP}`,
  },
  {
    match: /INVALIDROLE|ROLENOT|ROLEDOES|ROLEMISSING|NOROLE|ASSUMEROLE/,
    organization: 'The role in the aggregator (RoleArn) is missing or cannot be assumed: restore it with a trust policy for config.amazonaws.com and the AWSConfigRoleForOrganizations policy, or point the aggregator at a valid role.',
  },
  { match: /REGIONNOT|REGIONDISABLED|OPTIN|NOTENABLEDREGION/, account: REGION, organization: REGION },
  { match: /RECORDER|CONFIGNOTENABLED|CONFIGDISABLED|NOTRECORDING/, account: CONFIG_OFF, organization: CONFIG_OFF },
  {
    match: /NOSUCHCONFIGURATIONAGGREGATOR|AGGREGATORNOTFOUND/,
    monitor: 'The aggregator does not exist in the monitor\'s account and region (deleted or renamed): fix the AGGREGATORS setting or recreate the aggregator.',
  },
  {
    match: /THROTTL|RATEEXCEEDED|TOOMANYREQUESTS/,
    monitor: 'AWS Config throttled the monitor; the next run retries. If it persists, run less often or watch fewer aggregators per run.',
  },
  {
    match: /AUTHORI[SZ]|ACCESSDENIED|FORBIDDEN|PERMISSION/,
    account: 'The source account has not authorized this aggregator: in the source account and region, authorize the aggregator account and region (Config console > Authorizations, or aws configservice put-aggregation-authorization --authorized-account-id <aggregator account> --authorized-aws-region <aggregator region>). One authorization is needed per source region.',
    organization: ORG_SETUP,
    monitor: 'The monitor\'s role may not call config:DescribeConfigurationAggregatorSourcesStatus here: check its IAM policy and any SCP.',
  },
  { match: /^STALE$/, account: STALE_HINT, organization: STALE_HINT },
  { match: /^OUTDATED$/, account: OUTDATED_HINT, organization: OUTDATED_HINT },
];

export type HintScope = 'ACCOUNT' | 'ORGANIZATION' | 'monitor';

/** The remediation hint for an error code (or, without a code, a condition such as STALE), if one is known. */
export function hintFor(code: string, scope: HintScope): string | undefined {
  const key = code.toUpperCase().replace(/[^A-Z0-9]/g, '').replace(/(EXCEPTION|ERROR|FAULT)$/, '');
  for (const hint of HINTS) {
    if (!hint.match.test(key)) continue;
    const text = hint[scope === 'ORGANIZATION' ? 'organization' : scope === 'ACCOUNT' ? 'account' : 'monitor'];
    if (text !== undefined) return text;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Text hygiene: every value from Config is free text of any length
// ---------------------------------------------------------------------------------------------------------------

const LIMIT = { message: 600, code: 120, id: 128, region: 64, status: 40, type: 40, aggregator: 256 } as const;
// Control characters are exactly what this strips: a message's line breaks would break the e-mail's layout.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One line of at most `max` UTF-16 units: no control characters, no broken surrogate pair. */
export function clip(text: string, max: number, ellipsis = '…'): string {
  const clean = text
    .slice(0, max * 2 + 16) // bound the regex work on 10 KB messages
    .replace(CONTROL, ' ')
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max - ellipsis.length);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + ellipsis;
}

/** Printable ASCII only (SNS subjects): accents dropped, anything else becomes '?'. */
export function toAscii(text: string): string {
  return replaceChars(text, (c) => c >= ' ' && c <= '~');
}

/** The printable ASCII characters in the GSM 03.38 basic set: one SMS segment holds 160 of them. */
const GSM_BASIC_ASCII = /^[A-Za-z0-9 @$_!"#%&'()*+,\-./:;<=>?]$/;
const GSM_LOOKALIKE: Readonly<Record<string, string>> = { '[': '(', ']': ')', '{': '(', '}': ')', '\\': '/', '|': '/', '~': '-', '^': '-', '`': "'" };

/** GSM-7 basic characters only (no extension table, which costs two septets): the rest is replaced. */
export function toGsm7(text: string): string {
  return replaceChars(
    text.replace(/[\u2018\u2019\u201b]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[\u2013\u2014]/g, '-').replace(/\u2026/g, '...'),
    (c) => GSM_BASIC_ASCII.test(c),
    GSM_LOOKALIKE,
  );
}

function replaceChars(text: string, keep: (c: string) => boolean, lookalike: Readonly<Record<string, string>> = {}): string {
  let out = '';
  for (const c of text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/\s+/g, ' ')) {
    out += keep(c) ? c : (lookalike[c] ?? '?');
  }
  return out.trim();
}

/** Cuts `text` to `max` characters with an ASCII ellipsis. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
/** Bytes a piece of text adds once it is a JSON string value inside the message. */
const jsonBytes = (s: string) => utf8(JSON.stringify(s)) - 2;

// ---------------------------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------------------------

function isoTime(value: string | undefined): string {
  if (value === undefined) return 'unknown';
  const t = Date.parse(value);
  return Number.isNaN(t) ? clip(value, 40) : new Date(t).toISOString();
}

/** "2d 3h", "3h 15m", "3h", "45m", "<1m"; empty when either time is unknown or in the future. */
export function duration(from: string | undefined, to: string): string {
  const ms = from === undefined ? Number.NaN : Date.parse(to) - Date.parse(from);
  if (!(ms >= 0)) return '';
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return m > 0 ? `${m}m` : '<1m';
}

const withRelative = (iso: string | undefined, at: string, words: (d: string) => string) => {
  const d = duration(iso, at);
  return d === '' ? isoTime(iso) : `${isoTime(iso)} (${words(d)})`;
};

// ---------------------------------------------------------------------------------------------------------------
// Counting
// ---------------------------------------------------------------------------------------------------------------

const SECTIONS: readonly SourceNoticeKind[] = ['failure', 'reminder', 'recovery'];
const SECTION_TITLE: Readonly<Record<SourceNoticeKind, string>> = {
  failure: 'NEW FAILURES',
  reminder: 'STILL FAILING (reminder)',
  recovery: 'RECOVERED',
};
const KIND_ORDER: readonly NoticeKind[] = ['failure', 'reminder', 'recovery', 'monitor-error'];

const NO_CODE = '(no error code)';
/** The group a failing source is listed under: its error code, or its condition when Config gave no code. */
const groupKey = (n: SourceNotice) => (n.state.errorCode ? clip(n.state.errorCode, LIMIT.code) : `${NO_CODE} ${clip(n.condition, LIMIT.status)}`);

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Most frequent first, then by name: stable output for the same input. */
const byCount = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const ofKind = (notices: readonly SourceNotice[], kind: SourceNoticeKind) => notices.filter((n) => n.kind === kind);

/** "12 new FAILED, 3 still failing, 2 recovered, monitor error": the digest's counts, for subject, SMS and default. */
function countsPhrase(digest: Digest): string {
  const phrases: string[] = [];
  if (digest.monitor) phrases.push(digest.monitor.kind === 'monitor-error' ? 'monitor error' : 'monitor recovered');
  const failures = ofKind(digest.sources, 'failure');
  if (failures.length > 0) {
    const conditions = new Set(failures.map((n) => n.condition));
    const [only] = conditions;
    phrases.push(`${failures.length} new ${conditions.size === 1 && only !== undefined ? toAscii(clip(only, 12)) : 'failures'}`);
  }
  const reminders = ofKind(digest.sources, 'reminder').length;
  if (reminders > 0) phrases.push(`${reminders} still failing`);
  const recoveries = ofKind(digest.sources, 'recovery').length;
  if (recoveries > 0) phrases.push(`${recoveries} recovered`);
  return phrases.join(', ');
}

/** The most frequent error code among new failures (or, without any, among reminders). */
function topError(digest: Digest): { code: string; count: number } | undefined {
  const failing = ofKind(digest.sources, 'failure');
  const pool = (failing.length > 0 ? failing : ofKind(digest.sources, 'reminder')).filter((n) => n.state.errorCode);
  const [top] = byCount(countBy(pool, groupKey));
  return top && { code: top[0], count: top[1] };
}

// ---------------------------------------------------------------------------------------------------------------
// Short versions: subject, SMS, default
// ---------------------------------------------------------------------------------------------------------------

const partLabel = (part: number, parts: number) => (parts > 1 ? ` (part ${part}/${parts})` : '');

/** "[aggwatch] org-agg: 12 new FAILED, 2 recovered (part 2/5)": the aggregator name gives way first. */
function subjectLine(digest: Digest, part: number, parts: number): string {
  const tail = `: ${countsPhrase(digest)}${partLabel(part, parts)}`;
  const name = toAscii(digest.aggregator);
  for (const prefix of ['[aggwatch] ', '']) {
    const room = SUBJECT_MAX - prefix.length - tail.length;
    if (room >= Math.min(name.length, 12)) return prefix + cut(name, room) + tail;
  }
  return cut(toAscii(`${digest.aggregator}${tail}`), SUBJECT_MAX);
}

/** "org-agg: 12 new FAILED, 3 recovered. Top error: AUTH_X (8)": one GSM-7 segment. */
function smsText(digest: Digest, part: number, parts: number): string {
  const top = topError(digest);
  const counts = toGsm7(countsPhrase(digest));
  const suffix = parts > 1 ? ` (${part}/${parts})` : '';
  const name = toGsm7(digest.aggregator);
  const monitor = digest.monitor?.kind === 'monitor-error' ? digest.monitor.code : undefined;
  const detail = top ? `. Top error: ${cut(toGsm7(top.code), 40)} (${top.count})` : monitor ? `: ${cut(toGsm7(monitor), 40)}` : '';
  // The detail is dropped before the aggregator name shrinks below 12 characters.
  for (const tail of [`: ${counts}${detail}${suffix}`, `: ${counts}${suffix}`]) {
    const room = SMS_MAX - tail.length;
    if (room >= Math.min(name.length, 12)) return cut(name, room) + tail;
  }
  return cut(`${name}: ${counts}`, SMS_MAX);
}

function defaultText(digest: Digest, part: number, parts: number): string {
  const top = topError(digest);
  const monitor = digest.monitor?.kind === 'monitor-error' ? ` Monitor error: ${clip(digest.monitor.code, LIMIT.code)}.` : '';
  const topText = top ? ` Top error: ${top.code} (${top.count}).` : '';
  return `AWS Config aggregator ${clip(digest.aggregator, LIMIT.aggregator)}: ${countsPhrase(digest)}.${topText}${monitor}${partLabel(part, parts)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// E-mail blocks
// ---------------------------------------------------------------------------------------------------------------

/** Quotes a command-line argument unless it is plainly safe. */
const shellArg = (s: string) => (/^[\w.:@/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function historyLines(aggregator: string, s: SourceState): string[] {
  return [
    `      history:     npx aggwatch history --aggregator ${shellArg(aggregator)} --source ${shellArg(clip(s.sourceId, LIMIT.id))} --source-region ${shellArg(clip(s.region, LIMIT.region))}`,
    `      DynamoDB:    pk = ${keys.historyPk(aggregator, clip(s.sourceId, LIMIT.id))}`,
  ];
}

const sourceTitle = (s: SourceState) => `${clip(s.sourceId, LIMIT.id)} (${clip(s.sourceType, LIMIT.type)}), ${clip(s.region, LIMIT.region)}`;

/** A failing source (new or reminder): everything needed to act without opening the console. */
function failingBlock(n: SourceNotice, digest: Digest, aggregator: string): string {
  const s = n.state;
  const status = n.condition === s.status ? clip(s.status, LIMIT.status) : `${clip(n.condition, LIMIT.status)} (LastUpdateStatus ${clip(s.status, LIMIT.status)})`;
  const lines = [
    `  - ${sourceTitle(s)}`,
    `      status:      ${status}`,
    `      error code:  ${s.errorCode ? clip(s.errorCode, LIMIT.code) : 'none reported'}`,
    `      message:     ${s.errorMessage ? clip(s.errorMessage, LIMIT.message) : 'none reported'}`,
    `      since:       ${withRelative(s.since, digest.at, (d) => `for ${d}`)}`,
    `      last update: ${withRelative(s.lastUpdateTime, digest.at, (d) => `${d} before this run`)}`,
    ...historyLines(aggregator, s),
  ];
  return `${lines.join('\n')}\n`;
}

function recoveryBlock(n: SourceNotice, digest: Digest, aggregator: string): string {
  const s = n.state;
  const was = clip(n.condition, LIMIT.status);
  const what = n.removed
    ? `removed from the aggregator ${withRelative(s.removedAt, digest.at, (d) => `${d} ago`)}; it was ${was}`
    : `no longer ${was}: now ${clip(s.status, LIMIT.status)} since ${isoTime(s.since)}, last update ${isoTime(s.lastUpdateTime)}`;
  return `${[`  - ${sourceTitle(s)}: ${what}`, ...historyLines(aggregator, s)].join('\n')}\n`;
}

function groupHeader(code: string, count: number, members: readonly SourceNotice[]): string {
  const title = code.startsWith(NO_CODE) ? code : `Error code ${code}`;
  const types = [...new Set(members.map((n): HintScope => (n.state.sourceType === 'ORGANIZATION' ? 'ORGANIZATION' : 'ACCOUNT')))].sort();
  const hintKey = code.startsWith(NO_CODE) ? code.slice(NO_CODE.length + 1) : code;
  const hints = types.map((t) => [t, hintFor(hintKey, t)] as const).filter((h): h is readonly [HintScope, string] => h[1] !== undefined);
  const distinct = new Set(hints.map((h) => h[1]));
  let hintLines: string[];
  if (hints.length === 0) {
    hintLines = [`  No remediation hint for this code: the raw code is "${code}"; see each source's message.`];
  } else if (distinct.size === 1 && hints.length === types.length) {
    hintLines = [`  What to do: ${hints[0]?.[1]}`];
  } else {
    hintLines = hints.map(([t, text]) => `  What to do (${t} sources): ${text}`);
  }
  return `\n  ${title}: ${count} source${count === 1 ? '' : 's'} in this digest\n${hintLines.join('\n')}\n`;
}

function monitorBlock(m: MonitorNotice, digest: Digest, aggregator: string): string {
  const code = clip(m.code, LIMIT.code);
  const message = clip(m.message, LIMIT.message);
  if (m.kind === 'recovery') {
    return `\nMONITOR RECOVERED\n  Aggregator ${aggregator} can be read again. It had failed with ${code}: ${message} (since ${isoTime(m.since)}).\n`;
  }
  const hint = hintFor(m.code, 'monitor');
  return [
    '',
    `MONITOR ERROR${m.reminder ? ' (reminder)' : ''}`,
    `  Aggregator ${aggregator} could not be read: ${code}: ${message}`,
    `  Since ${withRelative(m.since, digest.at, (d) => `for ${d}`)}. Its sources' status is unknown until this is fixed.`,
    hint ? `  What to do: ${hint}` : `  No remediation hint for this code: the raw code is "${code}".`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Layout: items in e-mail order, then packed into parts by size
// ---------------------------------------------------------------------------------------------------------------

/** One listed source, with the headings it needs when it starts a section or a group in a part. */
interface Item {
  readonly notice: SourceNotice;
  readonly section: SourceNoticeKind;
  readonly group: string;
  readonly block: string;
  readonly bytes: number;
}

interface Layout {
  readonly items: Item[];
  readonly sectionTitles: ReadonlyMap<SourceNoticeKind, string>;
  readonly groupHeaders: ReadonlyMap<string, string>;
}

const compareSources = (a: SourceNotice, b: SourceNotice) =>
  a.state.sourceId.localeCompare(b.state.sourceId) || a.state.region.localeCompare(b.state.region) || a.state.sourceType.localeCompare(b.state.sourceType);

const groupId = (section: SourceNoticeKind, group: string) => `${section}\u0000${group}`;

function layout(digest: Digest, aggregator: string): Layout {
  const items: Item[] = [];
  const sectionTitles = new Map<SourceNoticeKind, string>();
  const groupHeaders = new Map<string, string>();
  for (const section of SECTIONS) {
    const notices = ofKind(digest.sources, section);
    if (notices.length === 0) continue;
    sectionTitles.set(section, `\n${SECTION_TITLE[section]}: ${notices.length}\n`);
    if (section === 'recovery') {
      for (const n of [...notices].sort(compareSources)) {
        const block = recoveryBlock(n, digest, aggregator);
        items.push({ notice: n, section, group: '', block, bytes: jsonBytes(block) });
      }
      continue;
    }
    const groups = groupBy(notices, groupKey);
    for (const [code, count] of byCount(countBy(notices, groupKey))) {
      const members = groups.get(code) ?? [];
      groupHeaders.set(groupId(section, code), groupHeader(code, count, members));
      for (const n of [...members].sort(compareSources)) {
        const block = failingBlock(n, digest, aggregator);
        items.push({ notice: n, section, group: code, block, bytes: jsonBytes(block) });
      }
    }
  }
  return { items, sectionTitles, groupHeaders };
}

/** Greedy packing in e-mail order; a heading's bytes count in every part where its section or group appears. */
function pack(l: Layout, capacity: number): Item[][] {
  const chunks: Item[][] = [];
  let chunk: Item[] = [];
  let used = 0;
  for (const item of l.items) {
    const cost = (start: boolean) => {
      const prev = start ? undefined : chunk.at(-1);
      const newSection = prev?.section !== item.section;
      const newGroup = newSection || prev?.group !== item.group;
      return (
        item.bytes +
        (newSection ? jsonBytes(l.sectionTitles.get(item.section) ?? '') : 0) +
        (newGroup ? jsonBytes(l.groupHeaders.get(groupId(item.section, item.group)) ?? '') : 0)
      );
    };
    if (chunk.length > 0 && used + cost(false) > capacity) {
      chunks.push(chunk);
      chunk = [];
      used = 0;
    }
    used += cost(chunk.length === 0);
    chunk.push(item);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function renderItems(l: Layout, chunk: readonly Item[]): string {
  let out = '';
  let prev: Item | undefined;
  for (const item of chunk) {
    if (prev?.section !== item.section) out += l.sectionTitles.get(item.section) ?? '';
    if (prev?.section !== item.section || prev.group !== item.group) out += l.groupHeaders.get(groupId(item.section, item.group)) ?? '';
    out += item.block;
    prev = item;
  }
  return out;
}

/** The last part past MAX_PARTS: counts per section, condition and error code, and how to list them. */
function summaryText(notices: readonly SourceNotice[], aggregator: string): string {
  const lines = [`\n${notices.length} more source${notices.length === 1 ? '' : 's'} in this digest, not listed one by one (the digest would exceed ${MAX_PARTS} messages):`];
  for (const section of SECTIONS) {
    const members = ofKind(notices, section);
    if (members.length === 0) continue;
    const conditions = byCount(countBy(members, (n) => clip(n.condition, LIMIT.status))).map(([c, k]) => `${c} ${k}`);
    lines.push(`  ${SECTION_TITLE[section]}: ${members.length} (${conditions.join(', ')})`);
    if (section === 'recovery') continue;
    const codes = byCount(countBy(members, groupKey));
    for (const [code, count] of codes.slice(0, 25)) lines.push(`    ${code}: ${count}`);
    if (codes.length > 25) lines.push(`    ${codes.length - 25} other error codes: ${codes.slice(25).reduce((sum, [, k]) => sum + k, 0)}`);
  }
  const statuses = [...new Set(notices.filter((n) => n.kind !== 'recovery').map((n) => clip(n.condition, LIMIT.status)))].sort();
  lines.push('  List them with:');
  for (const status of statuses.length > 0 ? statuses : ['FAILED']) {
    lines.push(`    npx aggwatch current --aggregator ${shellArg(aggregator)} --status ${shellArg(status)}`);
  }
  return `${lines.join('\n')}\n`;
}

function footer(aggregator: string, options: RenderOptions): string {
  const table = options.tableName ? `DynamoDB table ${options.tableName}` : 'DynamoDB (the monitor\'s table)';
  return [
    '',
    'HOW TO QUERY HISTORY',
    `  One source:   npx aggwatch history --aggregator ${shellArg(aggregator)} --source <source id> --source-region <region>`,
    `  All failing:  npx aggwatch current --aggregator ${shellArg(aggregator)} --status FAILED`,
    `  ${table}: query pk = "${keys.historyPk(aggregator, '<source id>')}"; sort key "H#<time>#<type>#<region>".`,
    '',
  ].join('\n');
}

interface PartContent {
  readonly listed: readonly Item[];
  readonly summarised: readonly SourceNotice[];
}

function header(digest: Digest, aggregator: string, content: PartContent, part: number, parts: number, position: number): string {
  const lines = [
    `AWS Config aggregator ${aggregator}: source status digest${partLabel(part, parts)}`,
    `Run at ${isoTime(digest.at)}`,
    `This digest: ${countsPhrase(digest)}.`,
  ];
  if (parts > 1) {
    const listed = content.listed.length;
    const what = [
      ...(listed > 0 ? [`lists sources ${position + 1} to ${position + listed}`] : []),
      ...(content.summarised.length > 0 ? [`summarises the last ${content.summarised.length}`] : []),
    ];
    const of = what.length > 0 ? `${what.join(' and ')} of ${digest.sources.length} sources` : 'carries the monitor notice';
    lines.push(`Part ${part} of ${parts} ${of}. Each part stands on its own.`);
  }
  return `${lines.join('\n')}\n`;
}

function attributesOf(digest: Digest, notices: readonly SourceNotice[], monitor: MonitorNotice | undefined): MessageAttributes {
  const kinds = new Set<NoticeKind>(notices.map((n) => n.kind));
  if (monitor) kinds.add(monitor.kind);
  return {
    aggregator: clip(digest.aggregator, LIMIT.aggregator),
    kind: KIND_ORDER.filter((k) => kinds.has(k)),
    statuses: [...new Set(notices.map((n) => clip(n.condition, LIMIT.status)))].sort().slice(0, 20),
    count: notices.length,
  };
}

function renderPart(digest: Digest, l: Layout, content: PartContent, part: number, parts: number, position: number, options: RenderOptions): OutboundMessage {
  const aggregator = clip(digest.aggregator, LIMIT.aggregator);
  const monitor = part === 1 ? digest.monitor : undefined;
  const email =
    header(digest, aggregator, content, part, parts, position) +
    (monitor ? monitorBlock(monitor, digest, aggregator) : '') +
    renderItems(l, content.listed) +
    (content.summarised.length > 0 ? summaryText(content.summarised, aggregator) : '') +
    footer(aggregator, options);
  const notices = [...content.listed.map((i) => i.notice), ...content.summarised];
  return {
    subject: subjectLine(digest, part, parts),
    message: JSON.stringify({ default: defaultText(digest, part, parts), email, sms: smsText(digest, part, parts) }),
    attributes: attributesOf(digest, notices, monitor),
    notices,
    ...(monitor ? { monitor } : {}),
    part,
    parts,
  };
}

/**
 * Bytes a part needs besides its listed sources: header, monitor notice, footer, summary, short versions,
 * attributes and JSON punctuation, measured on a part rendered with no sources, plus room for the larger
 * numbers and the summary of a real part.
 */
function overhead(digest: Digest, l: Layout, options: RenderOptions): number {
  const empty = renderPart(digest, l, { listed: [], summarised: [] }, 1, MAX_PARTS, 0, options);
  return publishedBytes(empty) + 4_000;
}

/** Renders a digest as SNS messages: [] when there is nothing to say, else one message or numbered parts. */
export function renderDigest(digest: Digest, options: RenderOptions = {}): OutboundMessage[] {
  if (digest.sources.length === 0 && digest.monitor === undefined) return [];
  const aggregator = clip(digest.aggregator, LIMIT.aggregator);
  const l = layout(digest, aggregator);
  let chunks = pack(l, PART_BUDGET_BYTES - overhead(digest, l, options));
  let summarised: SourceNotice[] = [];
  if (chunks.length > MAX_PARTS) {
    const kept = chunks.slice(0, MAX_PARTS - 1);
    summarised = chunks.slice(MAX_PARTS - 1).flatMap((c) => c.map((i) => i.notice));
    chunks = [...kept, []];
  }
  if (chunks.length === 0) chunks = [[]];
  const parts = chunks.length;
  let position = 0;
  return chunks.map((listed, index) => {
    const isLast = index === parts - 1;
    const message = renderPart(digest, l, { listed, summarised: isLast ? summarised : [] }, index + 1, parts, position, options);
    position += listed.length;
    assertFits(message);
    return message;
  });
}

/**
 * The packing counts every byte and the summary is bounded (25 codes per section), so this never fires; it guards
 * that arithmetic, failing loudly in tests rather than handing SNS a message it would reject.
 */
function assertFits(m: OutboundMessage): void {
  const bytes = publishedBytes(m);
  if (bytes > PART_BUDGET_BYTES) {
    throw new Error(`digest part ${m.part}/${m.parts} is ${bytes} bytes, over the ${PART_BUDGET_BYTES}-byte budget`);
  }
}
