import { type Fact, isWithin } from '@candor/core';
import { parseDuration } from '../time';
import type { WindowSpec } from '../types';
import type { CompiledRule, Slots, WindowSlot } from './types';

/** The slots a fact path feeds, and the rest of each slot's path inside the fact's value. */
class Feed {
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

/**
 * @internal What a rule set reads, numbered: one slot per fact path and per window (slot 0 holds
 * the evaluation instant), built while the rules compile (`slotOf`, `windowSlot`). Once sealed
 * with the compiled rules, it reads an event's facts into the slots once (`resolveAll`), and gives
 * each data-category signature its view of them (`viewOf`): values of facts outside the rule's
 * categories blanked.
 */
export class SlotTable {
  /** Each slot's fact path; null for slot 0 and for window slots. */
  readonly paths: (string | null)[] = [null];
  readonly windows: WindowSlot[] = [];
  readonly #slotIndex = new Map<string, number>();
  readonly #windowIndex = new Map<string, WindowSlot>();
  /** Each signature's data categories, and the fact slots its rules read. */
  readonly #signatureCategories: Array<readonly string[]> = [];
  readonly #signatureSlots: number[][] = [];
  /** For each slot: the signatures whose rules read it. */
  #slotReaders: number[][] = [];
  /** For each fact category: which signatures may read it (memoized across events). */
  readonly #readableBy = new Map<string, Uint8Array>();
  /** Which slots each fact path feeds, memoized per distinct fact path seen in events. */
  readonly #feeds = new Map<string, Feed>();
  /** The feed last used for the fact at each position (events mostly repeat their paths). */
  readonly #feedAt: Feed[] = [];
  /** Slot arrays start as copies of this one: packed (no holes), so reading a slot needs no check. */
  #unset: undefined[] = [];

  /** The slot fed by fact path `path` (numbered on first use). */
  readonly slotOf = (path: string): number => {
    let i = this.#slotIndex.get(path);
    if (i === undefined) {
      i = this.paths.length;
      this.paths.push(path);
      this.#slotIndex.set(path, i);
    }
    return i;
  };

  /** The slot of a window aggregate (equal windows over one category share a slot). */
  readonly windowSlot = (spec: WindowSpec, category: string): number => {
    const key = JSON.stringify([
      spec.event,
      parseDuration(spec.within),
      spec.agg,
      spec.field ?? null,
      spec.where ?? null,
      category,
    ]);
    let w = this.#windowIndex.get(key);
    if (w === undefined) {
      w = {
        slot: this.paths.length,
        key,
        spec,
        withinMs: parseDuration(spec.within) as number,
        category,
      };
      this.paths.push(null);
      this.windows.push(w);
      this.#windowIndex.set(key, w);
    }
    return w.slot;
  };

  /** How many distinct data-category signatures the rules have (the number of views). */
  get signatures(): number {
    return this.#signatureCategories.length;
  }

  /** Numbers the rules' signatures (`sigIndex`) and records which slots each one reads. */
  seal(compiled: readonly CompiledRule[]): void {
    const slotPaths = this.paths;
    const signatureCategories = this.#signatureCategories;
    const signatureSlots = this.#signatureSlots;
    const signatureIndex = new Map<string, number>();
    for (let r = 0; r < compiled.length; r++) {
      const c = compiled[r] as CompiledRule;
      let k = signatureIndex.get(c.signature);
      if (k === undefined) {
        k = signatureCategories.length;
        signatureIndex.set(c.signature, k);
        signatureCategories.push(c.rule.dataCategories);
        signatureSlots.push([]);
      }
      (c as { sigIndex: number }).sigIndex = k;
      const list = signatureSlots[k] as number[];
      for (let i = 0; i < c.slots.length; i++) {
        const slot = c.slots[i] as number;
        if (slot !== 0 && slotPaths[slot] !== null && !list.includes(slot)) list.push(slot);
      }
    }
    const slotReaders: number[][] = slotPaths.map(() => []);
    signatureSlots.forEach((slots, k) => {
      for (const slot of slots) (slotReaders[slot] as number[]).push(k);
    });
    this.#slotReaders = slotReaders;
    this.#unset = slotPaths.map(() => undefined);
  }

  #feedsOf(factPath: string): Feed {
    let feed = this.#feeds.get(factPath);
    if (feed === undefined) {
      const targets: Array<{ slot: number; rest: readonly string[] }> = [];
      const prefix = `${factPath}.`;
      this.paths.forEach((p, slot) => {
        if (p === null) return;
        if (p === factPath) targets.push({ slot, rest: [] });
        else if (p.startsWith(prefix))
          targets.push({ slot, rest: p.slice(prefix.length).split('.') });
      });
      feed = new Feed(factPath, targets);
      if (this.#feeds.size > 10_000) this.#feeds.clear();
      this.#feeds.set(factPath, feed);
    }
    return feed;
  }

  /** Which signatures may read facts of `category`. */
  #readers(category: string): Uint8Array {
    let r = this.#readableBy.get(category);
    if (r === undefined) {
      const signatureCategories = this.#signatureCategories;
      r = new Uint8Array(signatureCategories.length);
      for (let k = 0; k < r.length; k++)
        r[k] = (signatureCategories[k] as readonly string[]).some((d) => isWithin(category, d))
          ? 1
          : 0;
      if (this.#readableBy.size > 10_000) this.#readableBy.clear();
      this.#readableBy.set(category, r);
    }
    return r;
  }

  /** Every slot's value, read once per event; `restricted` when some rule may not see one. */
  resolveAll(facts: readonly Fact[], now: number): Resolved {
    const unset = this.#unset;
    const feedAt = this.#feedAt;
    const slotReaders = this.#slotReaders;
    const values: unknown[] = unset.slice();
    const sources: (Fact | undefined)[] = unset.slice();
    let restricted = false;
    values[0] = now;
    let present = 1;
    for (let f = 0; f < facts.length; f++) {
      const fact = facts[f] as Fact;
      // Events mostly list the same paths in the same order: check the last feed at `f` first.
      let feed = feedAt[f];
      if (feed === undefined || feed.path !== fact.path) {
        feed = this.#feedsOf(fact.path);
        if (f < 64) feedAt[f] = feed;
      }
      const slots = feed.slots;
      if (slots.length === 0) continue;
      let r = feed.categoryReaders;
      if (r === null || feed.category !== fact.category) {
        r = this.#readers(fact.category);
        feed.category = fact.category;
        feed.categoryReaders = r;
      }
      if (!restricted && feed.blocks(r, slotReaders)) restricted = true;
      for (let t = 0; t < slots.length; t++) {
        const slot = slots[t] as number;
        const previous = sources[slot];
        if (previous !== undefined && previous.path.length >= fact.path.length) continue;
        const rest = feed.rests[t] as readonly string[];
        const v =
          rest.length === 0
            ? fact.value
            : rest.length === 1
              ? prop(fact.value, rest[0] as string)
              : walk(fact.value, rest);
        if (v === undefined) continue;
        values[slot] = v;
        sources[slot] = fact;
        if (slot < 32) present |= 1 << slot;
      }
    }
    return { values, sources, present, restricted };
  }

  /** The slots as rules of signature `k` may see them: values of facts outside its categories blanked. */
  restrict(base: Resolved, k: number): Slots {
    if (!base.restricted) return base;
    const slots = this.#signatureSlots[k] as number[];
    let values: unknown[] | null = null;
    let present = base.present;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const source = base.sources[slot];
      const r = source === undefined ? undefined : this.#readers(source.category);
      if (r !== undefined && r[k] === 0) {
        if (values === null) values = base.values.slice();
        values[slot] = undefined;
        if (slot < 32) present &= ~(1 << slot);
      }
    }
    return values === null ? base : { values, sources: base.sources, present };
  }

  /** Signature `k`'s view of the slots (`views` caches them; null: every view is the base). */
  viewOf(base: Resolved, views: (Slots | undefined)[] | null, k: number): Slots {
    if (views === null) return base;
    let view = views[k];
    if (view === undefined) {
      view = this.restrict(base, k);
      views[k] = view;
    }
    return view;
  }

  /** A per-event cache of views: `resolver(facts, now)(rule)` resolves the facts on first use. */
  resolver(facts: readonly Fact[], now: number): (rule: CompiledRule) => Slots {
    let base: Resolved | null = null;
    const views: (Slots | undefined)[] = new Array(this.signatures);
    return (rule) => {
      let v = views[rule.sigIndex];
      if (v === undefined) {
        if (base === null) base = this.resolveAll(facts, now);
        v = this.restrict(base, rule.sigIndex);
        views[rule.sigIndex] = v;
      }
      return v;
    };
  }
}
