/**
 * The e-mail's blocks: header, one block per source, group headings with their remediation hint, the monitor
 * notice, the summary past MAX_PARTS and the footer on how to query history.
 */
import type { SourceState } from '../model';
import type { Digest, MonitorNotice, SourceNotice } from '../notices';
import { oneLine } from './charset';
import { currentCommand, historyCommand } from './commands';
import { hintFor, type HintScope } from './hints';
import { FIELD_MAX, MAX_PARTS } from './limits';
import type { HistoryKeyLayout, RenderOptions } from './message';
import { consoleUrl, latestReportKey, s3Uri, type ReportLink } from '../report/location';
import { isoTime, withRelative } from './time-text';
import { NO_CODE, SECTIONS, SECTION_TITLE, byCount, countBy, countsPhrase, groupKey, ofKind, partLabel } from './wording';

function historyLines(aggregator: string, s: SourceState, keys: HistoryKeyLayout | undefined): string[] {
  const sourceId = oneLine(s.sourceId, FIELD_MAX.id);
  return [
    `      history:     ${historyCommand(aggregator, { sourceId, region: oneLine(s.region, FIELD_MAX.region) })}`,
    ...(keys ? [`      DynamoDB:    pk = ${keys.pk(aggregator, sourceId)}`] : []),
  ];
}

const sourceTitle = (s: SourceState) =>
  `${oneLine(s.sourceId, FIELD_MAX.id)} (${oneLine(s.sourceType, FIELD_MAX.type)}), ${oneLine(s.region, FIELD_MAX.region)}`;

/** A failing source (new or reminder): everything needed to act without opening the console. */
export function failingBlock(n: SourceNotice, digest: Digest, aggregator: string, options: RenderOptions): string {
  const s = n.state;
  const status =
    n.condition === s.status
      ? oneLine(s.status, FIELD_MAX.status)
      : `${oneLine(n.condition, FIELD_MAX.status)} (LastUpdateStatus ${oneLine(s.status, FIELD_MAX.status)})`;
  const lines = [
    `  - ${sourceTitle(s)}`,
    `      status:      ${status}`,
    `      error code:  ${s.errorCode ? oneLine(s.errorCode, FIELD_MAX.code) : 'none reported'}`,
    `      message:     ${s.errorMessage ? oneLine(s.errorMessage, FIELD_MAX.message) : 'none reported'}`,
    `      since:       ${withRelative(s.since, digest.at, (d) => `for ${d}`)}`,
    `      last update: ${withRelative(s.lastUpdateTime, digest.at, (d) => `${d} before this run`)}`,
    ...historyLines(aggregator, s, options.historyKeys),
  ];
  return `${lines.join('\n')}\n`;
}

export function recoveryBlock(n: SourceNotice, digest: Digest, aggregator: string, options: RenderOptions): string {
  const s = n.state;
  const was = oneLine(n.condition, FIELD_MAX.status);
  const what = n.removed
    ? `removed from the aggregator ${withRelative(s.removedAt, digest.at, (d) => `${d} ago`)}; it was ${was}`
    : `no longer ${was}: now ${oneLine(s.status, FIELD_MAX.status)} since ${isoTime(s.since)}, last update ${isoTime(s.lastUpdateTime)}`;
  return `${[`  - ${sourceTitle(s)}: ${what}`, ...historyLines(aggregator, s, options.historyKeys)].join('\n')}\n`;
}

export function groupHeader(code: string, count: number, members: readonly SourceNotice[]): string {
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

export function monitorBlock(m: MonitorNotice, digest: Digest, aggregator: string): string {
  const code = oneLine(m.code, FIELD_MAX.code);
  const message = oneLine(m.message, FIELD_MAX.message);
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

/** The last part past MAX_PARTS: counts per section, condition and error code, and how to list them. */
export function summaryText(notices: readonly SourceNotice[], aggregator: string): string {
  const lines = [`\n${notices.length} more source${notices.length === 1 ? '' : 's'} in this digest, not listed one by one (the digest would exceed ${MAX_PARTS} messages):`];
  for (const section of SECTIONS) {
    const members = ofKind(notices, section);
    if (members.length === 0) continue;
    const conditions = byCount(countBy(members, (n) => oneLine(n.condition, FIELD_MAX.status))).map(([c, k]) => `${c} ${k}`);
    lines.push(`  ${SECTION_TITLE[section]}: ${members.length} (${conditions.join(', ')})`);
    if (section === 'recovery') continue;
    const codes = byCount(countBy(members, groupKey));
    for (const [code, count] of codes.slice(0, 25)) lines.push(`    ${code}: ${count}`);
    if (codes.length > 25) lines.push(`    ${codes.length - 25} other error codes: ${codes.slice(25).reduce((sum, [, k]) => sum + k, 0)}`);
  }
  const statuses = [...new Set(notices.filter((n) => n.kind !== 'recovery').map((n) => oneLine(n.condition, FIELD_MAX.status)))].sort();
  lines.push('  List them with:');
  for (const status of statuses.length > 0 ? statuses : ['FAILED']) {
    lines.push(`    ${currentCommand(aggregator, status)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function footer(aggregator: string, options: RenderOptions): string {
  const table = options.tableName ? `DynamoDB table ${options.tableName}` : "DynamoDB (the monitor's table)";
  const keys = options.historyKeys;
  return [
    '',
    'HOW TO QUERY HISTORY',
    `  One source:   ${historyCommand(aggregator)}`,
    `  All failing:  ${currentCommand(aggregator, 'FAILED')}`,
    ...(keys ? [`  ${table}: query pk = "${keys.pk(aggregator, '<source id>')}"; sort key "${keys.sk}".`] : []),
    ...(options.report ? reportLines(aggregator, options.report) : []),
    '',
  ].join('\n');
}

/** Where the aggregator's status report is (rewritten at each full sweep): its S3 URI and console page, no presigned URL. */
function reportLines(aggregator: string, link: ReportLink): string[] {
  const latest = latestReportKey(aggregator);
  const page = consoleUrl(link, latest);
  return [
    '',
    'STATUS REPORT (map of every source by region; rewritten at each full sweep)',
    `  ${s3Uri(link.bucket, latest)}`,
    ...(page ? [`  Console: ${page}`] : []),
  ];
}

/** What one part carries, for its header: how many sources it lists from which position, and how many it summarises. */
export interface PartCounts {
  readonly listed: number;
  readonly summarised: number;
  /** Sources listed by the parts before this one. */
  readonly position: number;
}

export function header(digest: Digest, aggregator: string, content: PartCounts, part: number, parts: number): string {
  const lines = [
    `AWS Config aggregator ${aggregator}: source status digest${partLabel(part, parts)}`,
    `Run at ${isoTime(digest.at)}`,
    `This digest: ${countsPhrase(digest)}.`,
  ];
  if (parts > 1) {
    const { listed, summarised, position } = content;
    const what = [
      ...(listed > 0 ? [`lists sources ${position + 1} to ${position + listed}`] : []),
      ...(summarised > 0 ? [`summarises the last ${summarised}`] : []),
    ];
    const of = what.length > 0 ? `${what.join(' and ')} of ${digest.sources.length} sources` : 'carries the monitor notice';
    lines.push(`Part ${part} of ${parts} ${of}. Each part stands on its own.`);
  }
  return `${lines.join('\n')}\n`;
}
