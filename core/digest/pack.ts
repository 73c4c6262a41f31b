/**
 * Layout and packing: the listed sources in e-mail order (section, then error-code group, then source), each with
 * its size in the e-mail and in the json format, packed greedily into parts whose e-mail and json publications
 * both fit their byte budget. Both formats of a part list the same sources.
 */
import type { Digest, SourceNotice, SourceNoticeKind } from '../notices';
import { failingBlock, groupHeader, recoveryBlock } from './email';
import { sourceNoticeJson } from './json-format';
import { utf8 } from './limits';
import type { RenderOptions } from './message';
import { SECTIONS, SECTION_TITLE, byCount, countBy, groupBy, groupKey, ofKind } from './wording';

/** One listed source, with the headings it needs when it starts a section or a group in a part. */
export interface Item {
  readonly notice: SourceNotice;
  readonly section: SourceNoticeKind;
  readonly group: string;
  /** Its e-mail block, and the block's bytes. */
  readonly block: string;
  readonly bytes: number;
  /** Bytes of its json notice, with the comma before it. */
  readonly jsonBytes: number;
}

export interface Layout {
  readonly items: Item[];
  readonly sectionTitles: ReadonlyMap<SourceNoticeKind, string>;
  readonly groupHeaders: ReadonlyMap<string, string>;
}

const compareSources = (a: SourceNotice, b: SourceNotice) =>
  a.state.sourceId.localeCompare(b.state.sourceId) ||
  a.state.region.localeCompare(b.state.region) ||
  a.state.sourceType.localeCompare(b.state.sourceType);

const groupId = (section: SourceNoticeKind, group: string) => `${section}\u0000${group}`;

const item = (notice: SourceNotice, section: SourceNoticeKind, group: string, block: string): Item => ({
  notice,
  section,
  group,
  block,
  bytes: utf8(block),
  jsonBytes: utf8(JSON.stringify(sourceNoticeJson(notice))) + 1,
});

export function layout(digest: Digest, aggregator: string, options: RenderOptions): Layout {
  const items: Item[] = [];
  const sectionTitles = new Map<SourceNoticeKind, string>();
  const groupHeaders = new Map<string, string>();
  for (const section of SECTIONS) {
    const notices = ofKind(digest.sources, section);
    if (notices.length === 0) continue;
    sectionTitles.set(section, `\n${SECTION_TITLE[section]}: ${notices.length}\n`);
    if (section === 'recovery') {
      for (const n of [...notices].sort(compareSources)) {
        items.push(item(n, section, '', recoveryBlock(n, digest, aggregator, options)));
      }
      continue;
    }
    const groups = groupBy(notices, groupKey);
    for (const [code, count] of byCount(countBy(notices, groupKey))) {
      const members = groups.get(code) ?? [];
      groupHeaders.set(groupId(section, code), groupHeader(code, count, members));
      for (const n of [...members].sort(compareSources)) {
        items.push(item(n, section, code, failingBlock(n, digest, aggregator, options)));
      }
    }
  }
  return { items, sectionTitles, groupHeaders };
}

/** What a part may hold besides its fixed text, per format. */
export interface Capacity {
  readonly email: number;
  readonly json: number;
}

/**
 * Greedy packing in e-mail order: a source starts a new part when it would overflow either format. A heading's
 * bytes count in every part where its section or group appears.
 */
export function pack(l: Layout, capacity: Capacity): Item[][] {
  const chunks: Item[][] = [];
  let chunk: Item[] = [];
  let email = 0;
  let json = 0;
  for (const item of l.items) {
    const emailCost = (start: boolean) => {
      const prev = start ? undefined : chunk.at(-1);
      const newSection = prev?.section !== item.section;
      const newGroup = newSection || prev?.group !== item.group;
      return (
        item.bytes +
        (newSection ? utf8(l.sectionTitles.get(item.section) ?? '') : 0) +
        (newGroup ? utf8(l.groupHeaders.get(groupId(item.section, item.group)) ?? '') : 0)
      );
    };
    if (chunk.length > 0 && (email + emailCost(false) > capacity.email || json + item.jsonBytes > capacity.json)) {
      chunks.push(chunk);
      chunk = [];
      email = 0;
      json = 0;
    }
    email += emailCost(chunk.length === 0);
    json += item.jsonBytes;
    chunk.push(item);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The listed sources of one part, with each section title and group header where it starts in the part. */
export function renderItems(l: Layout, chunk: readonly Item[]): string {
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
