/**
 * Rendering one aggregator's digest into SNS publications. Pure: no SDK, no clock, no I/O.
 *
 * A digest is one part per aggregator per run, published once per format (formats.ts): an `email` (subject and
 * plain text), a `json` body, and, in part 1, one `sms` telling of the notice kinds chosen by smsNotices. It is
 * split into numbered, self-contained parts only when a publication would not fit in one SNS message (256 KiB
 * for the message and its attributes together); past MAX_PARTS the last part summarises the remaining sources by
 * counts, so every notice is carried by exactly one part.
 */
import type { Digest, MonitorNotice, NoticeKind, SourceNotice } from '../notices';
import { DEFAULTS } from '../settings';
import { oneLine } from './charset';
import { footer, header, monitorBlock, summaryText } from './email';
import { SMS_TEXT_MAX, type DeliveryFormat, type Severity } from './formats';
import { digestJsonText, sourceNoticeJson } from './json-format';
import { FIELD_MAX, MAX_PARTS, PART_BUDGET_BYTES } from './limits';
import { publishedBytes, type DigestPart, type MessageAttributes, type Publication, type RenderOptions } from './message';
import { layout, pack, renderItems, type Item, type Layout } from './pack';
import { KIND_ORDER, smsText, subjectLine } from './wording';

interface PartContent {
  readonly listed: readonly Item[];
  readonly summarised: readonly SourceNotice[];
}

const severityOf = (kinds: readonly NoticeKind[]): Severity =>
  kinds.includes('failure') || kinds.includes('monitor-error') ? 'error' : kinds.includes('reminder') ? 'warning' : 'info';

function attributesOf(format: DeliveryFormat, digest: Digest, notices: readonly SourceNotice[], monitor: MonitorNotice | undefined): MessageAttributes {
  const present = new Set<NoticeKind>(notices.map((n) => n.kind));
  if (monitor) present.add(monitor.kind);
  const kinds = KIND_ORDER.filter((k) => present.has(k));
  return {
    format,
    aggregator: oneLine(digest.aggregator, FIELD_MAX.aggregator),
    kinds,
    severity: severityOf(kinds),
    statuses: [...new Set(notices.map((n) => oneLine(n.condition, FIELD_MAX.status)))].sort().slice(0, 20),
    count: notices.length,
  };
}

function emailAndJson(
  digest: Digest,
  l: Layout,
  content: PartContent,
  part: number,
  parts: number,
  position: number,
  options: RenderOptions,
): { email: Publication; json: Publication; notices: SourceNotice[]; monitor: MonitorNotice | undefined } {
  const aggregator = oneLine(digest.aggregator, FIELD_MAX.aggregator);
  const monitor = part === 1 ? digest.monitor : undefined;
  const counts = { listed: content.listed.length, summarised: content.summarised.length, position };
  const text =
    header(digest, aggregator, counts, part, parts) +
    (monitor ? monitorBlock(monitor, digest, aggregator) : '') +
    renderItems(l, content.listed) +
    (content.summarised.length > 0 ? summaryText(content.summarised, aggregator) : '') +
    footer(aggregator, options);
  const notices = [...content.listed.map((i) => i.notice), ...content.summarised];
  const subject = subjectLine(digest, part, parts);
  const json = digestJsonText(digest, {
    part,
    parts,
    monitor,
    // Serialised again rather than kept from the packing: only the parts sent need them in memory.
    notices: content.listed.map((i) => JSON.stringify(sourceNoticeJson(i.notice))),
    omitted: content.summarised,
  });
  return {
    email: { format: 'email', subject, message: text, attributes: attributesOf('email', digest, notices, monitor) },
    json: { format: 'json', subject, message: json, attributes: attributesOf('json', digest, notices, monitor) },
    notices,
    monitor,
  };
}

/** The digest's one SMS: the notices of the kinds chosen, counted; none when the digest has none of them. */
function smsPublication(digest: Digest, kinds: readonly NoticeKind[]): Publication | undefined {
  const sources = digest.sources.filter((n) => kinds.includes(n.kind));
  const monitor = digest.monitor && kinds.includes(digest.monitor.kind) ? digest.monitor : undefined;
  if (sources.length === 0 && monitor === undefined) return undefined;
  const told: Digest = { aggregator: digest.aggregator, at: digest.at, sources, ...(monitor ? { monitor } : {}) };
  return { format: 'sms', message: smsText(told, SMS_TEXT_MAX), attributes: attributesOf('sms', digest, sources, monitor) };
}

/**
 * Bytes a part needs besides its listed sources, per format: header, monitor notice, footer, attributes and the
 * json envelope, measured on a part rendered with no sources, plus room for the larger numbers of a real part.
 * (The summary past MAX_PARTS goes in a last part that lists nothing.)
 */
function overhead(digest: Digest, l: Layout, options: RenderOptions): { email: number; json: number } {
  const empty = emailAndJson(digest, l, { listed: [], summarised: [] }, 1, MAX_PARTS, 0, options);
  return { email: publishedBytes(empty.email) + 4_000, json: publishedBytes(empty.json) + 4_000 };
}

/** Renders a digest as SNS publications: [] when there is nothing to say, else one part or numbered parts. */
export function renderDigest(digest: Digest, options: RenderOptions = {}): DigestPart[] {
  if (digest.sources.length === 0 && digest.monitor === undefined) return [];
  const aggregator = oneLine(digest.aggregator, FIELD_MAX.aggregator);
  const l = layout(digest, aggregator, options);
  const fixed = overhead(digest, l, options);
  let chunks = pack(l, { email: PART_BUDGET_BYTES - fixed.email, json: PART_BUDGET_BYTES - fixed.json });
  let summarised: SourceNotice[] = [];
  if (chunks.length > MAX_PARTS) {
    const kept = chunks.slice(0, MAX_PARTS - 1);
    summarised = chunks.slice(MAX_PARTS - 1).flatMap((c) => c.map((i) => i.notice));
    chunks = [...kept, []];
  }
  if (chunks.length === 0) chunks = [[]];
  const parts = chunks.length;
  const sms = smsPublication(digest, options.smsNotices ?? DEFAULTS.smsNotices);
  let position = 0;
  return chunks.map((listed, index) => {
    const part = index + 1;
    const rendered = emailAndJson(digest, l, { listed, summarised: index === parts - 1 ? summarised : [] }, part, parts, position, options);
    position += listed.length;
    // The SMS goes last in part 1: a failed e-mail or json publication then costs no SMS twice.
    const publications = [rendered.email, rendered.json, ...(part === 1 && sms ? [sms] : [])];
    for (const p of publications) assertFits(p, part, parts);
    return { part, parts, publications, notices: rendered.notices, ...(rendered.monitor ? { monitor: rendered.monitor } : {}) };
  });
}

/**
 * The packing counts every byte and the summary is bounded (25 codes per section), so this never fires; it guards
 * that arithmetic, failing loudly in tests rather than handing SNS a message it would reject.
 */
function assertFits(p: Publication, part: number, parts: number): void {
  const bytes = publishedBytes(p);
  if (bytes > PART_BUDGET_BYTES) {
    throw new Error(`digest part ${part}/${parts} (${p.format}) is ${bytes} bytes, over the ${PART_BUDGET_BYTES}-byte budget`);
  }
}
