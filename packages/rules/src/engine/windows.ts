import { type Fact, type Instant, isWithin, type JsonValue, type SubjectId } from '@candor/core';
import type { CompiledRule, CompiledRuleSet, Slots, WindowSlot } from '../compile/types';
import type { PastEvent, StateView } from '../state';
import type { RuleEvent } from '../types';

/**
 * @internal The rule set's windows over past events: which fields of which event types to keep
 * (only those some window reads, and only from facts within the data category of every window
 * that reads them: a window never reads data its rule did not declare), how to aggregate them for
 * a rule, and how long state must be kept (`retention`: the longest window, cap, cooldown or
 * absence wait, at least two days).
 */
export class EventWindows {
  /** The windows each rule reads, by rule order (undefined: none). */
  readonly #byRule: (WindowSlot[] | undefined)[];
  /** Which event types feed windows, the paths each keeps, and the categories of the windows reading each. */
  readonly #fields = new Map<string, Map<string, string[]>>();
  readonly retention: number;

  constructor(set: CompiledRuleSet) {
    this.#byRule = [...set.rules, ...set.fallbacks].map((rule) => {
      const read = set.windows.filter((w) => rule.slots.includes(w.slot));
      return read.length === 0 ? undefined : read;
    });
    const windowFields = this.#fields;
    for (const w of set.windows) {
      const fields = windowFields.get(w.spec.event) ?? new Map<string, string[]>();
      const paths = Object.keys(w.spec.where ?? {});
      if (w.spec.field) paths.push(w.spec.field);
      for (const p of paths) fields.set(p, [...(fields.get(p) ?? []), w.category]);
      windowFields.set(w.spec.event, fields);
    }
    let retention = 2 * 86_400_000;
    for (const w of set.windows) retention = Math.max(retention, w.withinMs);
    for (const r of set.rules) {
      for (const c of r.caps)
        if (c.windowMs !== 'calendar_day') retention = Math.max(retention, c.windowMs);
      if (r.cooldownMs !== null) retention = Math.max(retention, r.cooldownMs);
    }
    // An `expect` event's answer is kept at least as long as the wait it answers.
    for (const r of set.timed)
      if (r.rule.trigger.type === 'absence') retention = Math.max(retention, r.withinMs);
    this.retention = retention;
  }

  /** What to keep of `event` for windows (null when no window reads its type). */
  pastEventOf(event: RuleEvent): PastEvent | null {
    const fields = this.#fields.get(event.type);
    if (fields === undefined) return null;
    const out: Record<string, JsonValue> = {};
    for (const [p, categories] of fields) {
      const fact = factAt(event.facts, p);
      if (fact === undefined || !categories.every((c) => isWithin(fact.category, c))) continue;
      const v = valueAt(fact, p);
      if (v !== undefined) out[p] = v;
    }
    return { id: event.id, subject: event.subject, type: event.type, at: event.at, fields: out };
  }

  /** Fills the window slots `rule` reads (those not already filled) from the subject's past events. */
  fill(view: StateView, rule: CompiledRule, slots: Slots, subject: SubjectId, now: Instant): void {
    const windows = this.#byRule[rule.order];
    if (windows === undefined) return;
    for (const w of windows) {
      if (slots.values[w.slot] === undefined)
        slots.values[w.slot] = aggregate(view, w, subject, now);
    }
  }
}

/** The fact `path` is read from: the one at the longest path that is `path` or holds it. */
function factAt(facts: readonly Fact[], path: string): Fact | undefined {
  let best: Fact | undefined;
  for (const f of facts) {
    if (
      (path === f.path || path.startsWith(`${f.path}.`)) &&
      (best === undefined || f.path.length > best.path.length)
    )
      best = f;
  }
  return best;
}

/** The value at `path` in `fact` (at `path` or holding it). */
function valueAt(fact: Fact, path: string): JsonValue | undefined {
  let v: unknown = fact.value;
  const rest = path === fact.path ? [] : path.slice(fact.path.length + 1).split('.');
  for (const seg of rest) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v as JsonValue;
}

function aggregate(view: StateView, w: WindowSlot, subject: SubjectId, now: Instant): number {
  const events = view.events(subject);
  const since = now - w.withinMs;
  const where = w.spec.where ? Object.entries(w.spec.where) : [];
  let total = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as PastEvent;
    if (e.at <= since) break;
    if (e.at > now || e.type !== w.spec.event) continue;
    if (!where.every(([k, v]) => e.fields[k] === v)) continue;
    if (w.spec.agg === 'count') total++;
    else {
      const x = e.fields[w.spec.field as string];
      if (typeof x === 'number') total += x;
    }
  }
  return total;
}
