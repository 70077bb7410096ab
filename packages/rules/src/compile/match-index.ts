import type { JsonValue } from '@candor/core';
import { alternativeGates, conjuncts, type GatePlan, gateCount, gatePlan } from './gate-plan';
import type { PNode } from './program';
import type { Resolved, SlotTable } from './slots';
import type { CNode, CompiledRule, Slots } from './types';

/**
 * @internal Units sharing a required numeric comparison on one slot, sorted by threshold. A unit
 * is a conjunction the index counts: a candidate's own gate leaves, or one alternative of its
 * `any`.
 */
export interface ThresholdGate {
  readonly probe: CompiledRule;
  readonly slot: number;
  readonly op: 'gt' | 'gte' | 'lt' | 'lte';
  readonly keys: Float64Array;
  readonly units: Int32Array;
}

/** @internal Units sharing `eq`/`in` leaves (or, negative, `neq`/`notIn`/`not`) on one slot. */
export interface ValueGate {
  readonly probe: CompiledRule;
  readonly slot: number;
  /** A positive gate counts the units its value names; a negative one the others of `every`. */
  readonly negative: boolean;
  readonly units: Map<unknown, Int32Array>;
  /** Negative: the units with a negative leaf on the slot (once per leaf). */
  readonly every: Int32Array;
}

export interface ThresholdIndex {
  readonly gates: readonly ThresholdGate[];
  readonly valueGates: readonly ValueGate[];
  /** The candidate's alternatives are units `altFrom[k]` to `altTo[k]` (none when equal). */
  readonly altFrom: Int32Array;
  readonly altTo: Int32Array;
  /**
   * What is left to evaluate once the gates passed: the program without its gate leaves (a gate
   * passes exactly when its leaf is true), `null` when nothing is left.
   */
  readonly residual: ReadonlyArray<PNode | null>;
  /** The candidates' ids (read without touching the rules). */
  readonly ids: readonly string[];
  /**
   * The count each unit starts from: minus the number of gate leaves it needs to pass (units below
   * `candidates.length` are the candidates' own, the rest alternatives of their `any`; the one-leaf
   * alternatives of a rule share a unit that needs one), plus its negative gate leaves (counted as
   * holding, as most do: an evaluation takes back the few that fail instead of adding all the
   * others). A unit's gates all pass when its count reaches zero.
   */
  readonly start: Int8Array;
  /** Per-evaluation pass counts (evaluation is synchronous, so one buffer per index suffices). */
  readonly scratch: Int8Array;
  busy: boolean;
  /** A spare buffer for an engine's scan (which holds one for a whole evaluation), when free. */
  spare: Int8Array | null;
}

/** How many of the sorted `keys` are `< x`. */
function countBelow(keys: Float64Array, x: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `keys` sorted ascending, with `units` in the same order: a typed-array sort (no comparator
 * calls), then each unit is placed after the equal keys already placed.
 */
function sortByKey(
  keys: readonly number[],
  units: readonly number[],
): { keys: Float64Array; units: Int32Array } {
  const n = keys.length;
  const sorted = new Float64Array(keys).sort();
  const placed = new Int32Array(n);
  const ordered = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const at = countBelow(sorted, keys[i] as number);
    ordered[at + (placed[at] as number)] = units[i] as number;
    placed[at] = (placed[at] as number) + 1;
  }
  return { keys: sorted, units: ordered };
}

/** Lists up to this long are deduplicated by scanning, longer ones with a `Set`. */
const SHORT_LIST = 32;
const THRESHOLD_OPS: readonly ThresholdGate['op'][] = ['gt', 'gte', 'lt', 'lte'];

export function buildThresholdIndex(
  candidates: readonly CompiledRule[],
  slotCount: number,
): ThresholdIndex {
  const plans = candidates.map(gatePlan);
  let units = candidates.length;
  for (let position = 0; position < plans.length; position++)
    units += (plans[position] as GatePlan).altUnits;
  const need = new Uint8Array(units);
  const altFrom = new Int32Array(candidates.length);
  const altTo = new Int32Array(candidates.length);
  // Groups are keyed by signature, slot and operator, as one number (no string per leaf).
  const thresholds = new Map<
    number,
    {
      probe: CompiledRule;
      slot: number;
      op: ThresholdGate['op'];
      keys: number[];
      units: number[];
    }
  >();
  const values = new Map<
    number,
    {
      probe: CompiledRule;
      slot: number;
      negative: boolean;
      units: Map<unknown, number[]>;
      every: number[];
    }
  >();
  const threshold = (rule: CompiledRule, unit: number, slot: number, op: number, k: number) => {
    const key = (rule.sigIndex * slotCount + slot) * 4 + op;
    let group = thresholds.get(key);
    if (group === undefined) {
      group = { probe: rule, slot, op: THRESHOLD_OPS[op] as 'gt', keys: [], units: [] };
      thresholds.set(key, group);
    }
    group.keys.push(k);
    group.units.push(unit);
  };
  const value = (group: { units: Map<unknown, number[]> }, v: unknown, unit: number) => {
    const list = group.units.get(v);
    if (list === undefined) group.units.set(v, [unit]);
    else list.push(unit);
  };
  /** Adds the gate leaves of conjunct `n` (see `gateCount`) to `unit`. */
  const add = (rule: CompiledRule, unit: number, n: CNode) => {
    const leaf = n.kind === 'not' ? (n.children[0] as CNode) : n;
    const slot = leaf.slot as number;
    const op = leaf.op;
    const k = leaf.expected;
    if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
      threshold(rule, unit, slot, THRESHOLD_OPS.indexOf(op), k as number);
      return;
    }
    if (op === 'between') {
      threshold(rule, unit, slot, 1, (k as number[])[0] as number);
      threshold(rule, unit, slot, 3, (k as number[])[1] as number);
      return;
    }
    const negative = n !== leaf || op === 'neq' || op === 'notIn';
    const key = (rule.sigIndex * slotCount + slot) * 2 + (negative ? 1 : 0);
    let group = values.get(key);
    if (group === undefined) {
      group = { probe: rule, slot, negative, units: new Map(), every: [] };
      values.set(key, group);
    }
    if (negative) group.every.push(unit);
    // Every leaf counts once (two leaves wanting the same value count twice, as `need` does).
    if (!Array.isArray(k)) value(group, k, unit);
    else if (k.length <= SHORT_LIST) {
      for (let j = 0; j < k.length; j++) {
        const v = k[j] as JsonValue;
        if (k.indexOf(v) === j) value(group, v, unit);
      }
    } else for (const v of new Set(k)) value(group, v, unit);
  };
  /** Adds the gate leaves of the conjuncts of `n` that have gates to `unit`. */
  const addAll = (rule: CompiledRule, unit: number, n: CNode) => {
    if (n.kind !== 'all') {
      if (gateCount(n) > 0) add(rule, unit, n);
      return;
    }
    const list = conjuncts(n);
    for (let i = 0; i < list.length; i++) {
      const c = list[i] as CNode;
      if (gateCount(c) > 0) add(rule, unit, c);
    }
  };
  let next = candidates.length;
  for (let position = 0; position < candidates.length; position++) {
    const rule = candidates[position] as CompiledRule;
    const plan = plans[position] as GatePlan;
    const own = plan.conjuncts;
    for (let i = 0; i < own.length; i++) {
      const c = own[i] as CNode;
      if (gateCount(c) > 0) add(rule, position, c);
    }
    need[position] = plan.gates;
    altFrom[position] = next;
    // Alternatives of one leaf share a unit that needs one pass; longer ones get a unit each.
    const any = plan.any;
    let shared = -1;
    for (let a = 0; any !== null && a < any.children.length; a++) {
      const alt = any.children[a] as CNode;
      const gates = alternativeGates(alt);
      if (gates === 1) {
        if (shared === -1) shared = next++;
        addAll(rule, shared, alt);
        need[shared] = 1;
        continue;
      }
      addAll(rule, next, alt);
      need[next] = gates;
      next++;
    }
    altTo[position] = next;
  }
  // `need` is at most MAX_GATES_PER_RULE (32) per unit: counts stay within an Int8Array.
  const start = Int8Array.from(need, (n) => -n);
  for (const g of values.values())
    for (let j = 0; j < g.every.length; j++) {
      const unit = g.every[j] as number;
      start[unit] = (start[unit] as number) + 1;
    }
  const gates: ThresholdGate[] = [];
  for (const g of thresholds.values()) {
    const sorted = sortByKey(g.keys, g.units);
    gates.push({ probe: g.probe, slot: g.slot, op: g.op, keys: sorted.keys, units: sorted.units });
  }
  return {
    gates,
    valueGates: Array.from(values.values(), (g) => ({
      probe: g.probe,
      slot: g.slot,
      negative: g.negative,
      units: new Map(Array.from(g.units, ([v, list]) => [v, Int32Array.from(list)])),
      every: Int32Array.from(g.every),
    })),
    altFrom,
    altTo,
    residual: plans.map((p) => p.residual),
    ids: candidates.map((c) => c.id),
    start,
    scratch: new Int8Array(units),
    busy: false,
    spare: new Int8Array(units),
  };
}

/**
 * @internal The match indexes of a rule set: one per candidate list (an event type's triggered
 * rules), built on first use and kept.
 */
export class MatchIndexes {
  readonly #slotCount: number;
  readonly #indexes = new Map<readonly CompiledRule[], ThresholdIndex>();
  // The last index used (events mostly come in runs of one type): no map lookup then.
  #lastCandidates: readonly CompiledRule[] | null = null;
  #lastIndex: ThresholdIndex | null = null;

  constructor(slotCount: number) {
    this.#slotCount = slotCount;
  }

  /** The index of `candidates` (the same array `candidates(type)` returns for a type). */
  of(candidates: readonly CompiledRule[]): ThresholdIndex {
    if (candidates === this.#lastCandidates) return this.#lastIndex as ThresholdIndex;
    let index = this.#indexes.get(candidates);
    if (index === undefined) {
      index = buildThresholdIndex(candidates, this.#slotCount);
      this.#indexes.set(candidates, index);
    }
    this.#lastCandidates = candidates;
    this.#lastIndex = index;
    return index;
  }
}

/**
 * @internal Counts into `pass` (a copy of `index.start`), per unit, the gate leaves that hold
 * for an event's slots: up from minus the number each unit needs. Each gate reads the view of
 * the rules it serves (`views` null: every view is `base`).
 */
export function countGates(
  index: ThresholdIndex,
  table: SlotTable,
  base: Resolved,
  views: (Slots | undefined)[] | null,
  pass: Int8Array,
): void {
  const values = base.values;
  const gates = index.gates;
  for (let g = 0; g < gates.length; g++) {
    const gate = gates[g] as ThresholdGate;
    const x =
      views === null
        ? values[gate.slot]
        : table.viewOf(base, views, gate.probe.sigIndex).values[gate.slot];
    if (typeof x !== 'number' || Number.isNaN(x)) continue;
    // Keys are sorted: the units that pass are a prefix (`gt`, `gte`) or a suffix (`lt`,
    // `lte`). Walk to its end (cheaper than a binary search here: each unit passed is
    // counted anyway), then count its units.
    const keys = gate.keys;
    const units = gate.units;
    const op = gate.op;
    let from = 0;
    let to = keys.length;
    if (op === 'gt') {
      while (from < to && (keys[from] as number) < x) from++;
      to = from;
      from = 0;
    } else if (op === 'gte') {
      while (from < to && (keys[from] as number) <= x) from++;
      to = from;
      from = 0;
    } else if (op === 'lt') while (to > from && (keys[to - 1] as number) > x) to--;
    else while (to > from && (keys[to - 1] as number) >= x) to--;
    if (op === 'lt' || op === 'lte') {
      from = to;
      to = keys.length;
    }
    for (let j = from; j < to; j++) {
      const unit = units[j] as number;
      pass[unit] = (pass[unit] as number) + 1;
    }
  }
  const valueGates = index.valueGates;
  for (let g = 0; g < valueGates.length; g++) {
    const gate = valueGates[g] as ValueGate;
    const x =
      views === null
        ? values[gate.slot]
        : table.viewOf(base, views, gate.probe.sigIndex).values[gate.slot];
    if (gate.negative) {
      // A negative leaf holds when its fact is present and not one of the values it names:
      // `start` counted every negative leaf as holding, take back those that do not.
      const failed = x === undefined ? gate.every : gate.units.get(x);
      if (failed !== undefined)
        for (let j = 0; j < failed.length; j++) {
          const unit = failed[j] as number;
          pass[unit] = (pass[unit] as number) - 1;
        }
      continue;
    }
    if (x === undefined) continue;
    const named = gate.units.get(x);
    if (named !== undefined)
      for (let j = 0; j < named.length; j++) {
        const unit = named[j] as number;
        pass[unit] = (pass[unit] as number) + 1;
      }
  }
}
