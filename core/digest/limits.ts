/**
 * The limits a digest respects: SNS's own, and the field lengths that keep any one source, whatever Config sent,
 * from breaking them. Sources: Amazon SNS API Reference, Publish (Message, Subject, MessageAttributes); Amazon SNS
 * Developer Guide, message attributes and mobile text messaging (SMS).
 */

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

/** How many UTF-16 units each free-text field keeps once cleaned (see oneLine). */
export const FIELD_MAX = { message: 600, code: 120, id: 128, region: 64, status: 40, type: 40, aggregator: 256 } as const;

export const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');
