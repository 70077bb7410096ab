import type { Fact } from '@candor/core';
import { countGates, type MatchIndexes, type ThresholdIndex } from './match-index';
import type { PNode } from './program';
import type { Resolved, SlotTable } from './slots';
import type { CompiledRule, EventScan, Slots } from './types';

/**
 * @internal An {@link EventScan}: the slots read once, the views made on demand, and the gate
 * counts in a buffer of their own (an engine's scan lives across calls to its ports, which may
 * call `match` themselves): the index's spare one, given back by `release`.
 */
class Scan implements EventScan {
  readonly #table: SlotTable;
  readonly #base: Resolved;
  readonly #views: (Slots | undefined)[] | null;
  readonly #index: ThresholdIndex;
  readonly #pass: Int8Array;

  constructor(
    table: SlotTable,
    indexes: MatchIndexes,
    facts: readonly Fact[],
    now: number,
    candidates: readonly CompiledRule[],
  ) {
    const base = table.resolveAll(facts, now);
    const views = base.restricted ? new Array<Slots | undefined>(table.signatures) : null;
    const index = indexes.of(candidates);
    // The index's spare buffer, unless another scan holds it (a port that evaluates re-entrantly).
    let pass = index.spare;
    if (pass === null) pass = index.start.slice();
    else {
      index.spare = null;
      pass.set(index.start);
    }
    countGates(index, table, base, views, pass);
    this.#table = table;
    this.#base = base;
    this.#views = views;
    this.#index = index;
    this.#pass = pass;
  }

  view(rule: CompiledRule): Slots {
    return this.viewAt(rule.sigIndex);
  }

  viewAt(sigIndex: number): Slots {
    return this.#views === null
      ? this.#base
      : this.#table.viewOf(this.#base, this.#views, sigIndex);
  }

  passes(k: number): boolean {
    const pass = this.#pass;
    if ((pass[k] as number) < 0) return false;
    const index = this.#index;
    const to = index.altTo[k] as number;
    let u = index.altFrom[k] as number;
    if (u === to) return true;
    // A shared unit counts every alternative that holds; the others never pass zero.
    while (u < to && (pass[u] as number) < 0) u++;
    return u !== to;
  }

  residual(k: number): PNode | null {
    return this.#index.residual[k] as PNode | null;
  }

  release(): void {
    if (this.#index.spare === null) this.#index.spare = this.#pass;
  }
}

/** @internal Scans an event's facts for `candidates` (a list `candidates(type)` returned). */
export function scanEvent(
  table: SlotTable,
  indexes: MatchIndexes,
  facts: readonly Fact[],
  now: number,
  candidates: readonly CompiledRule[],
): EventScan {
  return new Scan(table, indexes, facts, now, candidates);
}
