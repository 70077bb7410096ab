import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionOf } from './index';

/** 32-bit FNV-1a written out from its definition, over Node's own UTF-8 encoding. */
function fnv1a(text: string): number {
  let h = 2166136261;
  for (const byte of Buffer.from(text, 'utf8')) {
    h = Number((BigInt((h ^ byte) >>> 0) * 16777619n) % 2n ** 32n);
  }
  return h;
}

describe('partitionOf', () => {
  it('is 32-bit FNV-1a of the UTF-8 bytes (the published test vectors), modulo the count', () => {
    const whole = 2 ** 31;
    expect(partitionOf('', whole)).toBe(0x811c9dc5 % whole);
    expect(partitionOf('a', whole)).toBe(0xe40c292c % whole);
    expect(partitionOf('foobar', whole)).toBe(0xbf9cf968 % whole);
    // Pinned: a new version must route every existing subject where the old one did.
    expect(['cus_ana', 'cus_ben', 'cus_chloé', '顧客_1'].map((s) => partitionOf(s, 8))).toEqual([
      7, 0, 1, 7,
    ]);
  });

  it('matches FNV-1a for any subject and stays within the partitions', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 2 ** 31 }), (s, n) => {
        const p = partitionOf(s, n);
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
        expect(p).toBe(fnv1a(s) % n);
      }),
    );
  });

  it('spreads subjects evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const p = partitionOf(`cus_${i.toString(36)}`, 16);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    for (const n of counts) expect(Math.abs(n - 1_000)).toBeLessThan(150);
  });

  it('rejects a subject that is not a string and a count that is not a positive integer', () => {
    expect(() => partitionOf(42 as never, 8)).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: { path: 'subject', value: 42 },
      }),
    );
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31 + 1, '8'])
      expect(() => partitionOf('cus_ana', bad as never)).toThrow(
        expect.objectContaining({
          code: 'core/invalid_input',
          details: expect.objectContaining({ path: 'partitions' }),
        }),
      );
  });
});
