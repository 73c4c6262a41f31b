import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_PACKED_BYTES, RecordTooLargeError, pack, unpack } from '../../adapters/store/packing';

const noise = (bytes: number) => randomBytes(bytes).toString('base64');

describe('packing records into items', () => {
  it('packs a small list into one value and unpacks it unchanged', () => {
    // Prepare
    const records = [{ a: 1, s: 'x' }, { a: 2 }];
    // Act
    const packed = pack(records, () => 'record');
    // Assess
    expect(packed).toHaveLength(1);
    expect(packed[0]!.count).toBe(2);
    expect(unpack(packed[0]!.value)).toEqual(records);
  });

  it('packs an empty list into one empty value', () => {
    const packed = pack([], () => 'record');
    expect(packed.map((p) => p.count)).toEqual([0]);
    expect(unpack(packed[0]!.value)).toEqual([]);
  });

  it('cuts incompressible records into values each within the bound, keeping their order', () => {
    // Prepare: ~2.7 MB of noise
    const records = Array.from({ length: 2_000 }, (_, i) => ({ i, noise: noise(1_000) }));
    // Act
    const packed = pack(records, () => 'record');
    // Assess
    expect(packed.length).toBeGreaterThanOrEqual(Math.ceil((2_000 * 1_000) / MAX_PACKED_BYTES));
    for (const p of packed) expect(p.value.length).toBeLessThanOrEqual(MAX_PACKED_BYTES);
    expect(packed.flatMap((p) => unpack<{ i: number }>(p.value)).map((r) => r.i)).toEqual(records.map((r) => r.i));
    expect(packed.reduce((n, p) => n + p.count, 0)).toBe(2_000);
  });

  it('keeps to a smaller bound by halving', () => {
    const records = Array.from({ length: 64 }, () => noise(300));
    const packed = pack(records, () => 'record', 2_048);
    for (const p of packed) expect(p.value.length).toBeLessThanOrEqual(2_048);
    expect(packed.flatMap((p) => unpack<string>(p.value))).toEqual(records);
  });

  it('refuses a record too large alone, naming it', () => {
    expect(() => pack([noise(10), noise(400 * 1024)], (r) => `record of ${r.length} chars`)).toThrow(RecordTooLargeError);
    expect(() => pack([noise(400 * 1024)], () => 'the big one')).toThrow(/the big one takes \d+ bytes compressed/);
  });

  it('refuses a value that is not a packed list', async () => {
    const { gzipSync } = await import('node:zlib');
    expect(() => unpack(gzipSync('{"a":1}'))).toThrow('A packed value holds object, not a list of records');
  });
});
