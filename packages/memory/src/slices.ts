import { ancestorsOf, type PurposeId } from '@candor/core';
import { contradictionsOf } from './fold';
import type { Memory } from './schema';
import { mustRemember } from './select';

/**
 * What a recall for one purpose may need of a subject's active memories: every one that serves
 * the purpose (or one of its parents) or must be remembered, in the order of
 * `foldMemories(entries).active` (others may be among them: a recall judges each again), with
 * how many active memories there are in all and every contradiction between them, by id.
 *
 * @example
 * const view = purposeMemories(foldMemories(entries).active, 'service.proactive_support');
 */
export interface PurposeMemories {
  readonly memories: readonly Memory[];
  /** How many active memories the subject has in all. */
  readonly count: number;
  /** Every pair of active memories that contradict each other, as ids. */
  readonly contradictions: readonly (readonly [string, string])[];
}

/**
 * One slice of a subject's active memories: the memories and their positions in the active list.
 *
 * @example
 * const { positions, memories } = slices.get('marketing') ?? { positions: [], memories: [] };
 */
export interface MemorySlice {
  readonly positions: readonly number[];
  readonly memories: readonly Memory[];
}

/**
 * A subject's active memories cut so that a recall reads only what its purpose may use: one
 * slice per purpose the memories name, and one ({@link MUST_REMEMBER}) of the open complaints
 * and support cases, with the count and contradictions of the whole. A store keeps it with every
 * write; {@link sliceKeysFor} says which slices a purpose needs and {@link joinSlices} puts them
 * together.
 *
 * @example
 * const { count, contradictions, slices } = sliceMemories(foldMemories(entries).active);
 */
export interface MemorySlices {
  readonly count: number;
  readonly contradictions: readonly (readonly [string, string])[];
  readonly slices: ReadonlyMap<string, MemorySlice>;
}

/**
 * The key of the slice of open complaints and support cases: not a purpose id, so no purpose's
 * slice can take its place.
 *
 * @example
 * sliceKeysFor('service.support'); // ['service', 'service.support', '!must_remember']
 */
export const MUST_REMEMBER = '!must_remember';

/**
 * Cuts a subject's active memories (`foldMemories(entries).active`) into {@link MemorySlices}.
 *
 * @example
 * const sliced = sliceMemories(active);
 */
export function sliceMemories(active: readonly Memory[]): MemorySlices {
  const slices = new Map<string, { positions: number[]; memories: Memory[] }>();
  const add = (key: string, position: number, memory: Memory) => {
    let slice = slices.get(key);
    if (slice === undefined) {
      slice = { positions: [], memories: [] };
      slices.set(key, slice);
    }
    // A memory naming one purpose twice is kept once.
    if (slice.positions.at(-1) === position) return;
    slice.positions.push(position);
    slice.memories.push(memory);
  };
  active.forEach((memory, position) => {
    for (const purpose of memory.purposes) add(purpose, position, memory);
    if (mustRemember(memory)) add(MUST_REMEMBER, position, memory);
  });
  return {
    count: active.length,
    contradictions: contradictionsOf(active).map(([a, b]) => [a.id, b.id] as const),
    slices,
  };
}

/**
 * The slices a recall for `purpose` reads: the purpose's own, its parents', and the open
 * complaints and cases.
 *
 * @example
 * sliceKeysFor('service.proactive_support'); // ['service', 'service.proactive_support', '!must_remember']
 */
export function sliceKeysFor(purpose: PurposeId): string[] {
  return [...ancestorsOf(purpose), MUST_REMEMBER];
}

/**
 * Puts the slices a purpose needs back together: their memories in the active list's order,
 * each once.
 *
 * @example
 * const view = joinSlices(sliced.count, sliced.contradictions, keys.map((k) => sliced.slices.get(k)));
 */
export function joinSlices(
  count: number,
  contradictions: PurposeMemories['contradictions'],
  slices: Iterable<MemorySlice | undefined>,
): PurposeMemories {
  const at = new Map<number, Memory>();
  for (const slice of slices) {
    if (slice === undefined) continue;
    slice.positions.forEach((position, i) => {
      at.set(position, slice.memories[i] as Memory);
    });
  }
  const memories = [...at.keys()].sort((a, b) => a - b).map((p) => at.get(p) as Memory);
  return { memories, count, contradictions };
}

/**
 * What a recall for `purpose` needs of the active memories (see {@link PurposeMemories}),
 * computed from all of them: what a store's `readForPurpose` must equal.
 *
 * @example
 * purposeMemories(foldMemories(entries).active, 'marketing');
 */
export function purposeMemories(active: readonly Memory[], purpose: PurposeId): PurposeMemories {
  const { count, contradictions, slices } = sliceMemories(active);
  return joinSlices(
    count,
    contradictions,
    sliceKeysFor(purpose).map((key) => slices.get(key)),
  );
}
