import type { Fact, JsonValue } from '@candor/core';
import type { Rule, RuleEvent, Urgency, WindowSpec } from '../types';
import type { PNode } from './program';

/** @internal Three-valued result: 0 false, 1 true, 2 insufficient data. */
export type Tri = 0 | 1 | 2;
/** @internal A compiled condition over the slot array (slot 0 holds the evaluation instant). */
export type Eval = (s: unknown[]) => Tri;

/** @internal A compiled condition node, kept for traces (every node has every field: one shape). */
export interface CNode {
  readonly kind: 'all' | 'any' | 'not' | 'fact' | 'window';
  readonly path: string;
  /** The path relative to the rule (`conditions.all[0]`). */
  rel: string | undefined;
  /** A leaf's reason text (`txn.amount is above 500`), made once by the engine that explains it. */
  text: string | undefined;
  /** The same under a `not` (`not: txn.amount is above 500`). */
  notText: string | undefined;
  /** The node lowered for the interpreter. */
  readonly p: PNode;
  /** A leaf's closure when its operator does not lower to an instruction; `null` otherwise. */
  readonly fn: Eval | null;
  readonly children: readonly CNode[];
  readonly fact: string | undefined;
  readonly op: string | undefined;
  readonly expected: JsonValue | undefined;
  readonly slot: number | undefined;
  readonly refSlot: number | undefined;
  readonly refFact: string | undefined;
  readonly category: string | undefined;
  readonly window: WindowSpec | undefined;
}

/** @internal A compiled aggregate slot. */
export interface WindowSlot {
  readonly slot: number;
  readonly key: string;
  readonly spec: WindowSpec;
  readonly withinMs: number;
  readonly category: string;
}

/** @internal A rendered-dedup-key part. */
export type KeyPart =
  | string
  | { readonly slot: number }
  | { readonly special: 'subject' | 'event.type' };

/**
 * A rule after compilation: the rule itself, its conditions as closures, and what it reads.
 *
 * @example
 * const compiled = compileRules([rule]).get('card-expiry');
 * compiled?.paths; // ['card.expiresAt', 'card.hasBackup']
 */
export interface CompiledRule {
  readonly rule: Rule;
  readonly id: string;
  /** Position in the rule set (stable order). */
  readonly order: number;
  /** Leaf conditions: ties between equal priorities go to the more specific rule. */
  readonly specificity: number;
  readonly priority: number;
  readonly urgency: Urgency;
  /** Fact paths the rule reads. */
  readonly paths: readonly string[];
  /** @internal */ readonly root: CNode | null;
  /** @internal */ readonly fn: Eval;
  /** @internal */ readonly program: PNode | null;
  /** @internal */ readonly slots: readonly number[];
  /** @internal */ readonly signature: string;
  /** @internal */ readonly sigIndex: number;
  /** @internal */ readonly caps: ReadonlyArray<{
    limit: number;
    windowMs: number | 'calendar_day';
    scope: 'rule' | 'channel' | 'topic';
  }>;
  /** @internal */ readonly cooldownMs: number | null;
  /** @internal The rule's contextual fallback, compiled (its order follows every rule's). */
  readonly contextual: CompiledRule | null;
  /** @internal Whether this is a rule's contextual fallback (reached only through the rule). */
  readonly fallback: boolean;
  /** @internal */ readonly dedup: { parts: readonly KeyPart[]; ttlMs: number } | null;
  /** @internal */ readonly quiet: { start: number; end: number } | null;
  /** @internal */ readonly triggerSlots: readonly number[];
  /** @internal */ readonly offsetMs: number;
  /** @internal */ readonly atMinutes: number | undefined;
  /** @internal */ readonly withinMs: number;
  /** @internal An absence trigger's `from` fact slot: the deadline counts from its instant. */
  readonly fromSlot: number | undefined;
  /** @internal JSON-path prefix stripped from trace paths. */ readonly prefix: string;
}

/**
 * One rule whose conditions held for an event, with the trace when asked for. The trace is
 * recorded at evaluation (the values the rule saw) and rendered into a tree on first read.
 *
 * @example
 * for (const m of set.match(event, { trace: true })) console.log(m.ruleId, m.trace?.outcome);
 */
export interface RuleMatch {
  readonly ruleId: string;
  readonly trace?: TraceNode;
}

/**
 * How one condition node came out: `pass`, `fail` or `insufficient_data` (a fact was missing or
 * not readable under the rule's data categories). Leaves show the fact, operator, expected and
 * actual value (`[redacted]` for categories the trace may not reveal).
 *
 * @example
 * const failed = trace.children?.find((c) => c.outcome !== 'pass');
 */
export interface TraceNode {
  readonly path: string;
  readonly kind: CNode['kind'];
  readonly outcome: 'pass' | 'fail' | 'insufficient_data';
  readonly fact?: string | undefined;
  readonly op?: string | undefined;
  readonly expected?: JsonValue | undefined;
  /** The value the fact had; absent when missing, `[redacted]` for categories the trace may not reveal. */
  readonly actual?: JsonValue | undefined;
  readonly category?: string | undefined;
  /** The evidence fact id a leaf rests on (in a Proposal). */
  readonly evidence?: string | undefined;
  readonly children?: readonly TraceNode[] | undefined;
}

/**
 * A compiled, indexed rule set: `candidates(type)` finds the rules an event type triggers in O(1);
 * `match` evaluates their conditions synchronously. Matching never proposes anything — only the
 * engine, behind consent and the other gates, does.
 *
 * @example
 * const set = compileRules(rules);
 * set.match(event).map((m) => m.ruleId);
 */
export interface CompiledRuleSet {
  readonly rules: readonly CompiledRule[];
  readonly size: number;
  /** @internal The rules' contextual fallbacks, in order after the rules. */
  readonly fallbacks: readonly CompiledRule[];
  get(id: string): CompiledRule | undefined;
  candidates(eventType: string): readonly CompiledRule[];
  match(event: RuleEvent, options?: { trace?: boolean }): RuleMatch[];
  /** @internal */ readonly slotPaths: readonly (string | null)[];
  /** @internal */ readonly windows: readonly WindowSlot[];
  /** @internal */ resolve(facts: readonly Fact[], now: number, rule: CompiledRule): Slots;
  /** @internal */ resolver(facts: readonly Fact[], now: number): (rule: CompiledRule) => Slots;
  /** @internal */ trace(
    rule: CompiledRule,
    slots: Slots,
    redact?: (category: string) => boolean,
  ): TraceNode;
  /** @internal */ readonly timed: readonly CompiledRule[];
  /** @internal */ scan(
    facts: readonly Fact[],
    now: number,
    candidates: readonly CompiledRule[],
  ): EventScan;
}

/**
 * @internal One event's facts, read once, with the match index's verdict on each candidate (of
 * a list `candidates(type)` returned): the engine's way to evaluate conditions as `match` does.
 */
export interface EventScan {
  /** `rule`'s view of the slots (facts outside its data categories blanked). */
  view(rule: CompiledRule): Slots;
  /** The view of the rules of data-category signature `sigIndex` (`view(rule)` is `rule.sigIndex`'s). */
  viewAt(sigIndex: number): Slots;
  /** Whether candidate `k`'s gate leaves all hold (its residual program decides the rest). */
  passes(k: number): boolean;
  /** What is left to run of candidate `k` once its gates passed (null: nothing, it holds). */
  residual(k: number): PNode | null;
  /** Done: its buffer may serve the next scan (it must not be used afterwards). */
  release(): void;
}

/** @internal Slot values plus the fact each value came from. */
export interface Slots {
  readonly values: unknown[];
  readonly sources: (Fact | undefined)[];
  /**
   * Bit `k`: slot `k` (of the first 32) holds a value, as read from the facts (window slots,
   * filled later, are not counted). Most rules check their slots' presence with one mask.
   */
  readonly present: number;
}
