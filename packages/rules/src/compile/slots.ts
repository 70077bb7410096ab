import type { Slots } from './types';

/** The slots a fact path feeds, and the rest of each slot's path inside the fact's value. */
export class Feed {
  readonly path: string;
  readonly slots: Int32Array;
  readonly rests: ReadonlyArray<readonly string[]>;
  #readers: Uint8Array | null = null;
  #blocks = false;
  /** The last category seen on this path and its readers (a path rarely changes category). */
  category: string | null = null;
  categoryReaders: Uint8Array | null = null;

  constructor(path: string, targets: ReadonlyArray<{ slot: number; rest: readonly string[] }>) {
    this.path = path;
    this.slots = Int32Array.from(targets, (t) => t.slot);
    this.rests = targets.map((t) => t.rest);
  }

  /**
   * Whether a fact readable by the signatures `readers` marks may not be seen by some rule that
   * reads one of these slots (memoized for the last category: a path rarely changes category).
   */
  blocks(readers: Uint8Array, slotReaders: readonly (readonly number[])[]): boolean {
    if (readers !== this.#readers) {
      let blocks = false;
      for (const slot of this.slots)
        for (const k of slotReaders[slot] as readonly number[]) if (readers[k] === 0) blocks = true;
      this.#readers = readers;
      this.#blocks = blocks;
    }
    return this.#blocks;
  }
}

/** Every slot of one event, before each rule's view restricts it to its data categories. */
export interface Resolved extends Slots {
  /** Whether some rule reads a slot it may not see (its view then blanks it). */
  readonly restricted: boolean;
}

/** @internal Reads a path's value out of a fact value; functions (inherited methods) read as missing. */
export function walk(value: unknown, rest: readonly string[]): unknown {
  let v = value;
  for (let i = 0; i < rest.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[rest[i] as string];
  }
  return typeof v === 'function' ? undefined : v;
}

/** `value[key]`, read as `walk` reads it (the common one-segment case, without the loop). */
export function prop(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'function' ? undefined : v;
}
