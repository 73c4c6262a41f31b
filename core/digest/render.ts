/**
 * Rendering one aggregator's digest into SNS messages: an e-mail body, an SMS and a short default text, with
 * message attributes for subscription filter policies. Pure: no SDK, no clock, no I/O.
 *
 * A digest is one message per aggregator per run. It is split into numbered, self-contained parts only when it
 * would not fit in one SNS message (256 KiB for the message and its attributes together); past MAX_PARTS the last
 * part summarises the remaining sources by counts, so every notice is carried by exactly one message.
 */
import type { Digest, MonitorNotice, NoticeKind, SourceNotice } from '../notices';
import { oneLine } from './charset';
import { footer, header, monitorBlock, summaryText } from './email';
import { FIELD_MAX, MAX_PARTS, PART_BUDGET_BYTES } from './limits';
import { publishedBytes, type MessageAttributes, type OutboundMessage, type RenderOptions } from './message';
import { layout, pack, renderItems, type Item, type Layout } from './pack';
import { KIND_ORDER, defaultText, smsText, subjectLine } from './wording';

interface PartContent {
  readonly listed: readonly Item[];
  readonly summarised: readonly SourceNotice[];
}

function attributesOf(digest: Digest, notices: readonly SourceNotice[], monitor: MonitorNotice | undefined): MessageAttributes {
  const kinds = new Set<NoticeKind>(notices.map((n) => n.kind));
  if (monitor) kinds.add(monitor.kind);
  return {
    aggregator: oneLine(digest.aggregator, FIELD_MAX.aggregator),
    kind: KIND_ORDER.filter((k) => kinds.has(k)),
    statuses: [...new Set(notices.map((n) => oneLine(n.condition, FIELD_MAX.status)))].sort().slice(0, 20),
    count: notices.length,
  };
}

function renderPart(
  digest: Digest,
  l: Layout,
  content: PartContent,
  part: number,
  parts: number,
  position: number,
  options: RenderOptions,
): OutboundMessage {
  const aggregator = oneLine(digest.aggregator, FIELD_MAX.aggregator);
  const monitor = part === 1 ? digest.monitor : undefined;
  const counts = { listed: content.listed.length, summarised: content.summarised.length, position };
  const email =
    header(digest, aggregator, counts, part, parts) +
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
  const aggregator = oneLine(digest.aggregator, FIELD_MAX.aggregator);
  const l = layout(digest, aggregator, options);
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
