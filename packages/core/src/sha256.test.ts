import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './index';
import { jsSha256Hex } from './sha256';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('gives the digest of UTF-8 text, for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(sha256Hex(text)).toBe(reference(text));
      }),
      { numRuns: 30 },
    );
    expect(sha256Hex('lone \uD800 surrogate')).toBe(reference('lone \uD800 surrogate'));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('has a pure-JavaScript fallback that matches at every length and for any text (property)', () => {
    expect(jsSha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // Around the 55/56/64-byte padding boundaries and across several blocks.
    for (let n = 0; n < 200; n++) {
      const text = 'a\u00e9'.repeat(n).slice(0, n);
      expect(jsSha256Hex(text)).toBe(reference(text));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(jsSha256Hex(text)).toBe(reference(text));
      }),
      { numRuns: 100 },
    );
  });
});
