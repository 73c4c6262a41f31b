/**
 * Text hygiene: every value from Config is free text of any length, and each channel takes a narrower alphabet
 * (one e-mail line; an ASCII subject; GSM-7 for one SMS segment).
 */

// Control characters are exactly what this strips: a message's line breaks would break the e-mail's layout.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * One line of at most `max` UTF-16 units: control characters and runs of white space become one space, a broken
 * surrogate pair becomes U+FFFD, and a longer text is cut (never inside a pair) and ends with `ellipsis`.
 */
export function oneLine(text: string, max: number, ellipsis = '…'): string {
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

/** Cuts an ASCII or GSM-7 text to `max` characters, ending with an ASCII "..." when cut. */
export function cutWithDots(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}
