/**
 * Lists of records packed into items: JSON, gzip-compressed (node:zlib), cut so that every packed value stays under a
 * byte bound. Staged observations and journals are read back whole by the run that wrote them and never queried by
 * attribute, so they need no per-field attributes: compressed, a staged item of ~60 sources is ~2 KB instead of ~15 KB,
 * and a write unit covers 1 KB of item (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html:
 * a binary attribute's size is its raw byte length).
 *
 * The bound keeps each item below DynamoDB's item size limit of 400 KB, attribute names and values together
 * (DynamoDB Developer Guide, "Service, account, and table quotas",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { AggwatchError } from '../../core/errors';
import type { Interner } from '../../core/interner';

/** Bytes of packed value per item at most: the 400 KB limit less ample room for the keys and the other attributes. */
export const MAX_PACKED_BYTES = 350 * 1024;

/** Raw JSON packed per try: compressed, a group this size is well under MAX_PACKED_BYTES unless it is incompressible. */
const GROUP_JSON_BYTES = 1024 * 1024;

/** One record too large for an item even alone (a source whose error message is hundreds of KB). */
export class RecordTooLargeError extends AggwatchError {
  override readonly name = 'RecordTooLargeError';
  readonly code = 'RecordTooLarge';
}

/**
 * Packs `records` in order into as few values as it can, each at most `maxBytes`: records are grouped by their JSON
 * size, and a group whose compressed form is still too large is halved until it fits. `describe` names a record
 * for the error when one alone cannot fit.
 */
export function pack<T>(records: readonly T[], describe: (record: T) => string, maxBytes = MAX_PACKED_BYTES): Packed[] {
  const out: Packed[] = [];
  let group: T[] = [];
  let groupBytes = 0;
  for (const record of records) {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    if (group.length > 0 && groupBytes + bytes > GROUP_JSON_BYTES) {
      packGroup(group, describe, maxBytes, out);
      group = [];
      groupBytes = 0;
    }
    group.push(record);
    groupBytes += bytes + 1;
  }
  if (group.length > 0 || out.length === 0) packGroup(group, describe, maxBytes, out);
  return out;
}

/** One packed value and the number of records in it. */
export interface Packed {
  readonly value: Buffer;
  readonly count: number;
}

function packGroup<T>(group: readonly T[], describe: (record: T) => string, maxBytes: number, out: Packed[]): void {
  const packed = gzipSync(JSON.stringify(group));
  if (packed.length <= maxBytes) {
    out.push({ value: packed, count: group.length });
    return;
  }
  if (group.length === 1) {
    throw new RecordTooLargeError(
      `${describe(group[0]!)} takes ${packed.length} bytes compressed, more than the ${maxBytes} an item can hold ` +
        '(DynamoDB items are at most 400 KB)',
    );
  }
  const half = Math.ceil(group.length / 2);
  packGroup(group.slice(0, half), describe, maxBytes, out);
  packGroup(group.slice(half), describe, maxBytes, out);
}

/** The records of one packed value; with `strings`, repeated string values share one copy. */
export function unpack<T>(packed: Uint8Array, strings?: Interner): T[] {
  const text = gunzipSync(packed).toString('utf8');
  const records: unknown = strings
    ? JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? strings.get(value) : value))
    : JSON.parse(text);
  if (!Array.isArray(records)) throw new TypeError(`A packed value holds ${typeof records}, not a list of records`);
  return records as T[];
}
