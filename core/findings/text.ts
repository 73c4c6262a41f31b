/**
 * Text hygiene for the integration formats. Every value that comes from AWS Config (ids, codes, messages) is free
 * text of any length; each output has its own published limits, counted in characters (ASFF, chat) or UTF-8 bytes
 * (EventBridge). Kept here rather than borrowed from the digest renderer so that the digest can change its own
 * wording rules without moving these limits.
 */

// Control characters are what this strips: a line break in a title or an id would break the line it sits in.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One line of at most `max` UTF-16 units, whitespace collapsed, never ending in half a surrogate pair. */
export function oneLine(text: string, max: number): string {
  return cut(
    text
      .slice(0, max * 2 + 16)
      .replace(CONTROL, ' ')
      .replace(LONE_SURROGATE, '\ufffd')
      .replace(/\s+/g, ' ')
      .trim(),
    max,
  );
}

/** At most `max` UTF-16 units, line breaks kept (descriptions), other control characters removed. */
export function block(text: string, max: number): string {
  const clean = text
    .slice(0, max * 2 + 16)
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex -- control characters but the line break are what this removes
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]+/g, ' ')
    .replace(LONE_SURROGATE, '\ufffd')
    .trim();
  return cut(clean, max);
}

/** Cuts to `max` UTF-16 units with an ellipsis, without splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.max(0, max - 1));
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${head}…`;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A timestamp in the one ISO 8601 form every output accepts (YYYY-MM-DDTHH:MM:SS.mmmZ), or `fallback`. */
export function isoOr(value: string | undefined, fallback: string): string {
  const t = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}
