import { createCtx } from './compile/context';
import { countGates, MatchIndexes } from './compile/match-index';
import { type PNode, run } from './compile/program';
import { compileOne } from './compile/rule';
import { scanEvent } from './compile/scan';
import { SlotTable } from './compile/slots';
import { TracedMatch, traceRule } from './compile/trace';
import { indexTriggers } from './compile/triggers';
import type { CompiledRule, CompiledRuleSet, RuleMatch, Slots } from './compile/types';
import { requireObject, rulesError } from './errors';
import type { Rule } from './types';

/**
 * What marks a set `compileRules` made (an engine takes these, or a list of rules): a registered
 * symbol, so a set made by the other build (ESM or CommonJS) or another copy of the package is
 * one too.
 */
const COMPILED = /* @__PURE__ */ Symbol.for('@candor/rules.CompiledRuleSet');

/** @internal Whether `value` is a set `compileRules` made (by any copy of this package). */
export const isCompiledRuleSet = (value: unknown): value is CompiledRuleSet =>
  typeof value === 'object' &&
  value !== null &&
  (value as Record<symbol, unknown>)[COMPILED] === true;

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
  // 1. Each rule, validated and compiled; the slot table numbers what they read.
  const table = new SlotTable();
  const compiled: CompiledRule[] = [];
  const byId = new Map<string, CompiledRule>();
  const ctx = createCtx(table.slotOf, table.windowSlot);
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
  // Contextual fallbacks are rules of their own, numbered after the rules and reached only
  // through them (never a trigger's candidate).
  const fallbacks: CompiledRule[] = [];
  for (const c of compiled) {
    if (c.contextual === null) continue;
    (c.contextual as { order: number }).order = compiled.length + fallbacks.length;
    fallbacks.push(c.contextual);
  }
  // 2. The trigger index, the slot table's views, and the match indexes (built on first use).
  const triggers = indexTriggers(compiled);
  table.seal(fallbacks.length === 0 ? compiled : [...compiled, ...fallbacks]);
  const indexes = new MatchIndexes(table.paths.length);
  const set: CompiledRuleSet = {
    rules: compiled,
    size: compiled.length,
    fallbacks,
    slotPaths: table.paths,
    windows: table.windows,
    timed: triggers.timed,
    resolve: (facts, now, rule) => table.resolver(facts, now)(rule),
    resolver: (facts, now) => table.resolver(facts, now),
    trace: traceRule,
    scan: (facts, now, candidates) => scanEvent(table, indexes, facts, now, candidates),
    get: (id) => byId.get(id),
    candidates: triggers.candidates,
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
      // 3. Candidates, and every slot read once (no closure is created per event: loaders that
      // name functions, such as tsx, make that costly).
      const candidates = triggers.candidates(event.type);
      const base = table.resolveAll(event.facts, event.at);
      const views: (Slots | undefined)[] | null = base.restricted
        ? new Array(table.signatures)
        : null;
      const withTrace = matchOptions.trace === true;
      const index = indexes.of(candidates);
      // One scratch buffer per index; a re-entrant call (a fact getter calling match) gets its own.
      const reentrant = index.busy;
      const pass = reentrant ? index.start.slice() : index.scratch;
      if (!reentrant) {
        pass.set(index.start);
        index.busy = true;
      }
      try {
        // 4. The index: gate leaves counted per unit, on each rule's view of the slots.
        countGates(index, table, base, views, pass);
        // 5. Run what the gates left of each candidate whose gates all passed; 6. trace on read.
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
          const rule = candidates[k] as CompiledRule;
          const slots = views === null ? base : table.viewOf(base, views, rule.sigIndex);
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
  Object.defineProperty(set, COMPILED, { value: true });
  return set;
}
