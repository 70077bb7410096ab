import { type Fact, isWithin } from '@candor/core';
import { createCtx } from './compile/context';
import {
  buildThresholdIndex,
  type ThresholdGate,
  type ThresholdIndex,
  type ValueGate,
} from './compile/match-index';
import { type PNode, run } from './compile/program';
import { compileOne } from './compile/rule';
import { Feed, prop, type Resolved, walk } from './compile/slots';
import { TracedMatch, traceNode } from './compile/trace';
import type {
  CompiledRule,
  CompiledRuleSet,
  RuleMatch,
  Slots,
  TraceNode,
  WindowSlot,
} from './compile/types';
import { requireObject, rulesError } from './errors';
import { parseDuration } from './time';
import type { Rule, WindowSpec } from './types';

/**
 * Compiles and indexes rules: validates every field (typed `rules/*` errors naming the rule id and
 * the JSON path), turns conditions into closures (never `eval` or `new Function`), and indexes
 * rules by the event types that trigger them. Compile once, evaluate many times.
 *
 * @example
 * const set = compileRules([cardExpiry, stormRebooking]);
 * set.candidates('flight.weather_risk').length; // 1
 */
export function compileRules(
  rules: readonly Rule[],
  options: { root?: string } = {},
): CompiledRuleSet {
  const root = options.root ?? 'rules';
  if (!Array.isArray(rules))
    throw rulesError('rules/invalid_rule', 'rules must be an array', undefined, root, rules);
  if (rules.length > 100_000)
    throw rulesError(
      'rules/too_large',
      'a rule set may hold at most 100,000 rules',
      undefined,
      root,
    );
  const slotPaths: (string | null)[] = [null];
  const slotIndex = new Map<string, number>();
  const windows: WindowSlot[] = [];
  const windowIndex = new Map<string, WindowSlot>();
  const slotOf = (path: string): number => {
    let i = slotIndex.get(path);
    if (i === undefined) {
      i = slotPaths.length;
      slotPaths.push(path);
      slotIndex.set(path, i);
    }
    return i;
  };
  const windowSlot = (spec: WindowSpec, category: string): number => {
    const key = JSON.stringify([
      spec.event,
      parseDuration(spec.within),
      spec.agg,
      spec.field ?? null,
      spec.where ?? null,
      category,
    ]);
    let w = windowIndex.get(key);
    if (w === undefined) {
      w = {
        slot: slotPaths.length,
        key,
        spec,
        withinMs: parseDuration(spec.within) as number,
        category,
      };
      slotPaths.push(null);
      windows.push(w);
      windowIndex.set(key, w);
    }
    return w.slot;
  };
  const compiled: CompiledRule[] = [];
  const byId = new Map<string, CompiledRule>();
  const ctx = createCtx(slotOf, windowSlot);
  rules.forEach((rule, order) => {
    const at = `${root}[${order}]`;
    const c = compileOne(rule, at, order, ctx);
    if (byId.has(c.id))
      throw rulesError(
        'rules/duplicate_rule',
        `rule id "${c.id}" appears twice`,
        c.id,
        `${at}.id`,
        c.id,
      );
    byId.set(c.id, c);
    compiled.push(c);
  });
  const byType = new Map<string, CompiledRule[]>();
  const wildcard: CompiledRule[] = [];
  const timed: CompiledRule[] = [];
  for (let r = 0; r < compiled.length; r++) {
    const c = compiled[r] as CompiledRule;
    const trigger = c.rule.trigger;
    if (trigger.type !== 'event') {
      timed.push(c);
      continue;
    }
    const events = trigger.events;
    for (let e = 0; e < events.length; e++) {
      const type = events[e] as string;
      if (events.indexOf(type) !== e) continue;
      if (type === '*') wildcard.push(c);
      else {
        const list = byType.get(type);
        if (list) list.push(c);
        else byType.set(type, [c]);
      }
    }
  }
  // Threshold index: rules that need `slot > k` (etc.) to hold are found on sorted keys.
  const thresholdIndexes = new Map<readonly CompiledRule[], ThresholdIndex>();
  // The last index used (events mostly come in runs of one type): no map lookup then.
  let lastCandidates: readonly CompiledRule[] | null = null;
  let lastIndex: ThresholdIndex | null = null;
  const thresholdIndex = (candidates: readonly CompiledRule[]): ThresholdIndex => {
    if (candidates === lastCandidates) return lastIndex as ThresholdIndex;
    let index = thresholdIndexes.get(candidates);
    if (index === undefined) {
      index = buildThresholdIndex(candidates, slotPaths.length);
      thresholdIndexes.set(candidates, index);
    }
    lastCandidates = candidates;
    lastIndex = index;
    return index;
  };
  const merged = new Map<string, readonly CompiledRule[]>();
  for (const [type, list] of byType) {
    merged.set(
      type,
      wildcard.length === 0 ? list : [...list, ...wildcard].sort((a, b) => a.order - b.order),
    );
  }
  // Which slots each fact path feeds, memoized per distinct fact path seen in events.
  const feeds = new Map<string, Feed>();
  const feedsOf = (factPath: string): Feed => {
    let feed = feeds.get(factPath);
    if (feed === undefined) {
      const targets: Array<{ slot: number; rest: readonly string[] }> = [];
      const prefix = `${factPath}.`;
      slotPaths.forEach((p, slot) => {
        if (p === null) return;
        if (p === factPath) targets.push({ slot, rest: [] });
        else if (p.startsWith(prefix))
          targets.push({ slot, rest: p.slice(prefix.length).split('.') });
      });
      feed = new Feed(factPath, targets);
      if (feeds.size > 10_000) feeds.clear();
      feeds.set(factPath, feed);
    }
    return feed;
  };
  const signatureCategories: Array<readonly string[]> = [];
  const signatureIndex = new Map<string, number>();
  const signatureSlots: number[][] = [];
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
  // For each slot: the signatures whose rules read it.
  const slotReaders: number[][] = slotPaths.map(() => []);
  signatureSlots.forEach((slots, k) => {
    for (const slot of slots) (slotReaders[slot] as number[]).push(k);
  });
  // For each fact category: which signatures may read it (memoized across events).
  const readableBy = new Map<string, Uint8Array>();
  const readers = (category: string): Uint8Array => {
    let r = readableBy.get(category);
    if (r === undefined) {
      r = new Uint8Array(signatureCategories.length);
      for (let k = 0; k < r.length; k++)
        r[k] = (signatureCategories[k] as readonly string[]).some((d) => isWithin(category, d))
          ? 1
          : 0;
      if (readableBy.size > 10_000) readableBy.clear();
      readableBy.set(category, r);
    }
    return r;
  };
  const feedAt: Feed[] = [];
  /** Every slot's value, read once per event; `restricted` when some rule may not see one. */
  // Slot arrays start as copies of this one: packed (no holes), so reading a slot needs no check.
  const unset: undefined[] = slotPaths.map(() => undefined);
  const resolveAll = (facts: readonly Fact[], now: number): Resolved => {
    const values: unknown[] = unset.slice();
    const sources: (Fact | undefined)[] = unset.slice();
    let restricted = false;
    values[0] = now;
    for (let f = 0; f < facts.length; f++) {
      const fact = facts[f] as Fact;
      // Events mostly list the same paths in the same order: check the last feed at `f` first.
      let feed = feedAt[f];
      if (feed === undefined || feed.path !== fact.path) {
        feed = feedsOf(fact.path);
        if (f < 64) feedAt[f] = feed;
      }
      const slots = feed.slots;
      if (slots.length === 0) continue;
      let r = feed.categoryReaders;
      if (r === null || feed.category !== fact.category) {
        r = readers(fact.category);
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
      }
    }
    return { values, sources, restricted };
  };
  /** The slots as rules of signature `k` may see them: values of facts outside its categories blanked. */
  const restrict = (base: Resolved, k: number): Slots => {
    if (!base.restricted) return base;
    const slots = signatureSlots[k] as number[];
    let values: unknown[] | null = null;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const source = base.sources[slot];
      const r = source === undefined ? undefined : readers(source.category);
      if (r !== undefined && r[k] === 0) {
        if (values === null) values = base.values.slice();
        values[slot] = undefined;
      }
    }
    return values === null ? base : { values, sources: base.sources };
  };
  /** Signature `k`'s view of the slots (`views` caches them; null: every view is the base). */
  const viewOf = (base: Resolved, views: (Slots | undefined)[] | null, k: number): Slots => {
    if (views === null) return base;
    let view = views[k];
    if (view === undefined) {
      view = restrict(base, k);
      views[k] = view;
    }
    return view;
  };
  const resolver = (facts: readonly Fact[], now: number): ((rule: CompiledRule) => Slots) => {
    let base: Resolved | null = null;
    const views: (Slots | undefined)[] = new Array(signatureCategories.length);
    return (rule) => {
      let v = views[rule.sigIndex];
      if (v === undefined) {
        if (base === null) base = resolveAll(facts, now);
        v = restrict(base, rule.sigIndex);
        views[rule.sigIndex] = v;
      }
      return v;
    };
  };
  const trace = (
    rule: CompiledRule,
    slots: Slots,
    redact?: (category: string) => boolean,
  ): TraceNode =>
    rule.root === null
      ? { path: 'conditions', kind: 'all', outcome: 'pass', children: [] }
      : traceNode(rule.root, slots, redact, rule.prefix.length);
  return {
    rules: compiled,
    size: compiled.length,
    slotPaths,
    windows,
    timed,
    resolve: (facts, now, rule) => resolver(facts, now)(rule),
    resolver,
    trace,
    get: (id) => byId.get(id),
    candidates: (type) => merged.get(type) ?? wildcard,
    match(event, matchOptions = {}) {
      if (typeof event !== 'object' || event === null || !Array.isArray(event.facts))
        throw rulesError(
          'rules/invalid_event',
          'an event with a facts array is required',
          undefined,
          'event',
          event,
        );
      requireObject(matchOptions, 'options');
      const out: RuleMatch[] = [];
      const candidates = merged.get(event.type) ?? wildcard;
      // No closure is created per event: loaders that name functions (tsx) make that costly.
      const base = resolveAll(event.facts, event.at);
      const views: (Slots | undefined)[] | null = base.restricted
        ? new Array(signatureCategories.length)
        : null;
      const withTrace = matchOptions.trace === true;
      const index = thresholdIndex(candidates);
      // One scratch buffer per index; a re-entrant call (a fact getter calling match) gets its own.
      const reentrant = index.busy;
      const pass = reentrant ? index.start.slice() : index.scratch;
      if (!reentrant) {
        pass.set(index.start);
        index.busy = true;
      }
      try {
        // Count, per unit, the gate leaves that pass (up from minus the number it needs).
        const values = base.values;
        for (let g = 0; g < index.gates.length; g++) {
          const gate = index.gates[g] as ThresholdGate;
          const x =
            views === null
              ? values[gate.slot]
              : viewOf(base, views, gate.probe.sigIndex).values[gate.slot];
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
        for (let g = 0; g < index.valueGates.length; g++) {
          const gate = index.valueGates[g] as ValueGate;
          const x =
            views === null
              ? values[gate.slot]
              : viewOf(base, views, gate.probe.sigIndex).values[gate.slot];
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
        const { altFrom, altTo, residual, ids } = index;
        const count = candidates.length;
        for (let k = 0; k < count; k++) {
          if ((pass[k] as number) < 0) continue;
          const to = altTo[k] as number;
          let u = altFrom[k] as number;
          if (u !== to) {
            // A shared unit counts every alternative that holds; the others never pass zero.
            while (u < to && (pass[u] as number) < 0) u++;
            if (u === to) continue;
          }
          // Every gate passed: only the rest of the program (no gate leaves) is left to run.
          const rule = candidates[k] as CompiledRule;
          const slots = views === null ? base : viewOf(base, views, rule.sigIndex);
          const program = residual[k] as PNode | null;
          if (program === null || run(program, slots.values) === 1)
            out.push(
              withTrace
                ? new TracedMatch(ids[k] as string, rule, slots)
                : { ruleId: ids[k] as string },
            );
        }
      } finally {
        if (!reentrant) index.busy = false;
      }
      return out;
    },
  };
}
