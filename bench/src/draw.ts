import { rng } from './rules-generator.ts';

/**
 * Hands out each of the indices 0 … n−1 once, in a seeded random order (shuffled on first use),
 * so a benchmark never reads the same cold subject twice; throws once every index was drawn.
 *
 * @example
 * const { draw, drawMany } = createDraw(1_000_000, 20, 'scale bench');
 * const batch = drawMany(256);
 */
export function createDraw(
  n: number,
  seed: number,
  what: string,
): { draw: () => number; drawMany: (k: number) => number[] } {
  let shuffled: Int32Array | undefined;
  let drawn = 0;
  const draw = (): number => {
    if (shuffled === undefined) {
      const random = rng(seed);
      shuffled = new Int32Array(n);
      for (let i = 0; i < n; i++) shuffled[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = shuffled[i] as number;
        shuffled[i] = shuffled[j] as number;
        shuffled[j] = t;
      }
    }
    if (drawn === n) throw new Error(`${what}: every subject was drawn`);
    return shuffled[drawn++] as number;
  };
  return { draw, drawMany: (k) => Array.from({ length: k }, draw) };
}
