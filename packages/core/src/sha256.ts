import { CandorError } from './errors';

/**
 * Lower-case hex SHA-256 of a UTF-8 string, synchronously, everywhere: Node's native hash when the
 * runtime offers it (`process.getBuiltinModule`, no import, so browser bundles are unaffected),
 * else a small pure-JavaScript SHA-256 (browsers, edge runtimes). All give identical digests.
 * Throws `core/invalid_input` (path `text`) when `text` is not a string.
 *
 * @example
 * sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export function sha256Hex(text: string): string {
  if (typeof text !== 'string') {
    throw new CandorError('core/invalid_input', 'text: must be a string', {
      path: 'text',
      value: text,
    });
  }
  if (native === undefined) native = detectNativeSha256();
  return native === null ? jsSha256Hex(text) : native(text);
}

type NativeHash = (text: string) => string;
let native: NativeHash | null | undefined;

function detectNativeSha256(): NativeHash | null {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    // One-shot `crypto.hash` (Node ≥ 20.12): every Node with `getBuiltinModule` (≥ 20.16) has it.
    // A runtime without it gets the pure-JavaScript digest: identical, only slower.
    const hash = (
      proc?.getBuiltinModule?.('node:crypto') as
        | { hash?(algorithm: 'sha256', text: string, encoding: 'hex'): string }
        | undefined
    )?.hash;
    return typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : null;
  } catch {
    return null;
  }
}

// SHA-256 (FIPS 180-4) in plain JavaScript: the synchronous fallback where the runtime has no
// native hash. Small on purpose, so browser bundles stay small; tested against Node's native
// digest on random input.

// Round constants and initial state: the first 32 bits of the fractional parts of the cube roots
// of the first 64 primes and the square roots of the first 8 primes (FIPS 180-4, 4.2.2 and 5.3.3).
let K: Uint32Array | undefined;
let H0: Uint32Array | undefined;

function constants(): void {
  K = new Uint32Array(64);
  H0 = new Uint32Array(8);
  const fraction = (x: number) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (!prime) continue;
    if (found < 8) H0[found] = fraction(Math.sqrt(n));
    K[found++] = fraction(Math.cbrt(n));
  }
}

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Lower-case hex SHA-256 of the UTF-8 bytes of `text`, in plain JavaScript. Internal: exported
 * for the test that compares it with the native digest.
 *
 * @example
 * jsSha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export function jsSha256Hex(text: string): string {
  if (K === undefined) constants();
  const k = K!;
  const data = encoder.encode(text);
  const blocks = (data.length + 72) >> 6; // message + 0x80 + 64-bit length, in 64-byte blocks
  const bytes = new Uint8Array(blocks * 64);
  bytes.set(data);
  bytes[data.length] = 0x80;
  const view = new DataView(bytes.buffer);
  view.setUint32(bytes.length - 8, Math.floor(data.length / 2 ** 29));
  view.setUint32(bytes.length - 4, data.length * 8);
  const h = H0!.slice();
  const w = new Uint32Array(64);
  for (let offset = 0; offset < bytes.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + 4 * i);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = w[i - 16]! + s0 + w[i - 7]! + s1;
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let f = h[5]!;
    let g = h[6]!;
    let hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // A Uint32Array keeps each sum modulo 2^32.
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }
  let out = '';
  for (let i = 0; i < 8; i++) out += h[i]!.toString(16).padStart(8, '0');
  return out;
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
