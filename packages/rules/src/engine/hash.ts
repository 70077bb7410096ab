/** Two-digit lowercase hex of each byte. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Eight lowercase hex digits of `x` as an unsigned 32-bit number. */
function hex32(x: number): string {
  // Byte by byte: `(x >>> 0).toString(16)` takes a slow path for numbers above 2^30.
  return (
    (HEX[(x >>> 24) & 255] as string) +
    (HEX[(x >>> 16) & 255] as string) +
    (HEX[(x >>> 8) & 255] as string) +
    (HEX[x & 255] as string)
  );
}

/**
 * @internal A 64-bit, 16-hex-digit hash of `text` (two 32-bit FNV-style lanes): proposal ids and
 * absence schedule keys. Not cryptographic; stable across versions.
 */
export function hash(text: string): string {
  const [a, b] = hashState(text);
  return hex32(a) + hex32(b);
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
 * @internal `hash(prefix + first + ':' + second)`, from `hashState(prefix)`: the shared prefix is
 * read once, and the parts are read where they are (no joined string to flatten).
 */
export function hashOn(state: HashState, first: string, second: string): string {
  let a = state[0];
  let b = state[1];
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
  return hex32(a) + hex32(b);
}
