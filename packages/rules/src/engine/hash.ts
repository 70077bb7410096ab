/** The char codes of the lowercase hex digits. */
const DIGITS = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** The hex digit of `x`'s four bits from `shift`. */
const digit = (x: number, shift: number): number => DIGITS[(x >>> shift) & 15] as number;

/**
 * `prop_` and sixteen lowercase hex digits: `a`'s eight, then `b`'s, as unsigned 32-bit numbers.
 * One flat string, made at once (`(x >>> 0).toString(16)` takes a slow path above 2^30, and a
 * string joined from parts is a rope to flatten on first use).
 */
function propHex(a: number, b: number): string {
  return String.fromCharCode(
    112, // p
    114, // r
    111, // o
    112, // p
    95, // _
    digit(a, 28),
    digit(a, 24),
    digit(a, 20),
    digit(a, 16),
    digit(a, 12),
    digit(a, 8),
    digit(a, 4),
    digit(a, 0),
    digit(b, 28),
    digit(b, 24),
    digit(b, 20),
    digit(b, 16),
    digit(b, 12),
    digit(b, 8),
    digit(b, 4),
    digit(b, 0),
  );
}

/**
 * @internal A 64-bit, 16-hex-digit hash of `text` (two 32-bit FNV-style lanes): proposal ids and
 * absence schedule keys. Not cryptographic; stable across versions.
 */
export function hash(text: string): string {
  const [a, b] = hashState(text);
  return propHex(a, b).slice(5);
}

/** @internal The hash's two lanes after `text`: where {@link hashOn} continues from. */
export type HashState = readonly [a: number, b: number];

/** @internal The state {@link hash} reaches after reading `text`. */
export function hashState(text: string): HashState {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return [a, b];
}

/**
 * @internal `prop_` and `hash(prefix + first + ':' + second)`, from `hashState(prefix)` (its lanes
 * `a` and `b`): a proposal id. The shared prefix is read once, and the parts are read where they
 * are (no joined string to flatten).
 */
export function hashOn(a: number, b: number, first: string, second: string): string {
  for (let i = 0; i < first.length; i++) {
    const c = first.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  a = Math.imul(a ^ 58 /* ':' */, 0x01000193);
  b = Math.imul(b ^ 58, 0x5bd1e995) ^ (b >>> 15);
  for (let i = 0; i < second.length; i++) {
    const c = second.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return propHex(a, b);
}
