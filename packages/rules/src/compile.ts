import { type Fact, isDottedId, isWithin, type JsonValue } from '@candor/core';
import { requireObject, rulesError } from './errors';
import { operators } from './operators';
import { linearMatcher, type Matcher } from './regex';
import { MAX_DEPTH, MAX_MATCH_INPUT, MAX_NODES, pathProblem, regexProblem } from './safety';
import { parseClock, parseDuration, toTime } from './time';
import type { Rule, RuleEvent, Urgency, WindowSpec } from './types';

/** @internal Three-valued result: 0 false, 1 true, 2 insufficient data. */
export type Tri = 0 | 1 | 2;
/** @internal A compiled condition over the slot array (slot 0 holds the evaluation instant). */
export type Eval = (s: unknown[]) => Tri;

const F: Tri = 0;
const T: Tri = 1;
const U: Tri = 2;
const DAY = 86_400_000;

/** @internal A compiled condition node, kept for traces (every node has every field: one shape). */
export interface CNode {
  readonly kind: 'all' | 'any' | 'not' | 'fact' | 'window';
  readonly path: string;
  /** The path relative to the rule (`conditions.all[0]`). */
  rel: string | undefined;
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
  /** @internal */ readonly dedup: { parts: readonly KeyPart[]; ttlMs: number } | null;
  /** @internal */ readonly quiet: { start: number; end: number } | null;
  /** @internal */ readonly triggerSlots: readonly number[];
  /** @internal */ readonly offsetMs: number;
  /** @internal */ readonly atMinutes: number | undefined;
  /** @internal */ readonly withinMs: number;
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
}

/** @internal Slot values plus the fact each value came from. */
export interface Slots {
  readonly values: unknown[];
  readonly sources: (Fact | undefined)[];
}

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
interface Resolved extends Slots {
  /** Whether some rule reads a slot it may not see (its view then blanks it). */
  readonly restricted: boolean;
}

const RULE_KEYS = new Set([
  'id',
  'version',
  'description',
  'purpose',
  'dataCategories',
  'trigger',
  'conditions',
  'action',
  'priority',
  'urgency',
  'caps',
  'cooldown',
  'dedup',
  'exclusionGroup',
  'quietHours',
]);
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;
const EVENT_TYPE = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,199})$/;
const OPS: ReadonlySet<string> = new Set(operators);
const WINDOW_OPS = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']);
const URGENCIES = new Set(['low', 'normal', 'high', 'critical']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean | null =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));
const isRef = (v: unknown): v is { fact: string } =>
  isObject(v) && Object.keys(v).length === 1 && typeof v.fact === 'string';

/**
 * Whether `v` is JSON data: finite numbers, plain objects and arrays, no cycles, at most 16 levels.
 * `ancestors` (the containers being checked) is only created once a container holds another.
 */
function isJson(v: unknown, depth = 0, ancestors?: unknown[]): boolean {
  if (isScalar(v)) return true;
  if (depth > 16 || typeof v !== 'object' || v === null || ancestors?.includes(v)) return false;
  const nested = (x: unknown): boolean => {
    if (ancestors === undefined) ancestors = [];
    ancestors.push(v);
    const ok = isJson(x, depth + 1, ancestors);
    ancestors.pop();
    return ok;
  };
  if (Array.isArray(v)) {
    if (v.length > 10_000) return false;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // Holes are skipped, as `every` skips them.
      if (!isScalar(x) && (x !== undefined || i in v) && !nested(x)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    if (key === '__proto__') return false;
    const x = (v as Record<string, unknown>)[key];
    if (!isScalar(x) && !nested(x)) return false;
  }
  return true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) &&
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** @internal Reads a path's value out of a fact value; functions (inherited methods) read as missing. */
function walk(value: unknown, rest: readonly string[]): unknown {
  let v = value;
  for (let i = 0; i < rest.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[rest[i] as string];
  }
  return typeof v === 'function' ? undefined : v;
}

/** `value[key]`, read as `walk` reads it (the common one-segment case, without the loop). */
function prop(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'function' ? undefined : v;
}

/** Lists up to this long lower to an `includes` instruction. */
const LOWERED_LIST = 16;
const NO_CHILDREN: readonly CNode[] = Object.freeze([]);

function compare(op: string, x: unknown, y: unknown): Tri {
  if (typeof x === 'number' && typeof y === 'number') {
    return (op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y) ? T : F;
  }
  if (typeof x === 'string' && typeof y === 'string') {
    return (op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y) ? T : F;
  }
  return F;
}

function scalarEq(x: unknown, y: unknown): boolean {
  return x === y || deepEqual(x, y);
}

/** Compile state: one per `compileRules` call, reset per rule (compiling allocates little). */
interface Ctx {
  ruleId: string;
  readonly slotOf: (path: string) => number;
  readonly windowSlot: (spec: WindowSpec, category: string) => number;
  categories: readonly string[];
  nodes: number;
  /** Leaf conditions seen (the rule's specificity). */
  leaves: number;
  /** The condition objects being compiled, outermost first (a cycle meets itself here). */
  readonly ancestors: unknown[];
  /** Slots and fact paths the rule reads, in order of first use (scratch, reused per rule). */
  readonly slots: number[];
  readonly paths: string[];
  /** `matches` patterns compiled for the linear-time matcher, shared by equal pattern and flags. */
  readonly matcher: (pattern: string, flags: string) => Matcher | string;
}

function badValue(ruleId: string, at: string, op: string, value: unknown, why: string): never {
  throw rulesError('rules/invalid_rule', `"${op}" ${why}`, ruleId, `${at}.value`, value);
}

function cnode(
  kind: CNode['kind'],
  path: string,
  p: PNode,
  fn: Eval | null,
  children: readonly CNode[],
  fact: string | undefined,
  op: string | undefined,
  expected: unknown,
  slot: number | undefined,
  refSlot: number | undefined,
  refFact: string | undefined,
  category: string | undefined,
  window: WindowSpec | undefined,
): CNode {
  return {
    kind,
    path,
    rel: undefined,
    p,
    fn,
    children,
    fact,
    op,
    expected: expected as JsonValue | undefined,
    slot,
    refSlot,
    refFact,
    category,
    window,
  };
}

/** An `all`, `any` or `not` node. */
function branch(kind: CNode['kind'], at: string, p: PNode, children: readonly CNode[]): CNode {
  return cnode(
    kind,
    at,
    p,
    null,
    children,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  );
}

/** Records that the rule reads `slot` (fed by `path`, null for a window). */
function reads(ctx: Ctx, slot: number, path: string | null): void {
  if (!ctx.slots.includes(slot)) ctx.slots.push(slot);
  if (path !== null && !ctx.paths.includes(path)) ctx.paths.push(path);
}

/** A leaf whose operator runs as its compiled closure (a `CALL` instruction). */
function leafNode(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  fn: Eval,
  ctx: Ctx,
): CNode {
  return leaf(at, fact, op, slot, value, new PNode(CALL, 0, 0, null, NO_KIDS, fn), fn, ctx);
}

/** A leaf over its fact read as an instant: unknown when the fact is absent, false when not a time. */
function timeLeaf(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  test: (time: number, now: number) => boolean,
  ctx: Ctx,
): CNode {
  const fn: Eval = (s) => {
    const x = s[slot];
    if (x === undefined) return U;
    const t = toTime(x);
    return t !== undefined && test(t, s[0] as number) ? T : F;
  };
  return leafNode(at, fact, op, slot, value, fn, ctx);
}

/**
 * A leaf lowered to instruction `code` for the interpreter (`run`): numeric comparisons, scalar
 * equality, short `in` lists, scalar `contains`.
 */
function lowered(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  code: number,
  ctx: Ctx,
): CNode {
  const p =
    code <= LTE
      ? new PNode(code, slot, value as number, null, NO_KIDS, null)
      : new PNode(code, slot, 0, value, NO_KIDS, null);
  return leaf(at, fact, op, slot, value, p, null, ctx);
}

function leaf(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  p: PNode,
  fn: Eval | null,
  ctx: Ctx,
): CNode {
  ctx.leaves++;
  reads(ctx, slot, fact);
  return cnode(
    'fact',
    at,
    p,
    fn,
    NO_CHILDREN,
    fact,
    op,
    value,
    slot,
    undefined,
    undefined,
    undefined,
    undefined,
  );
}

const REF_OPS: ReadonlySet<string> = new Set([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'notContains',
  'before',
  'after',
  'startsWith',
]);
const LEAF_KEYS = ['fact', 'op', 'value', 'flags'];

function compileLeaf(c: Record<string, unknown>, at: string, ctx: Ctx): CNode {
  const { ruleId } = ctx;
  rejectUnknownKeys(c, LEAF_KEYS, ruleId, at);
  const path = c.fact;
  const problem = pathProblem(path);
  if (problem !== null)
    throw rulesError(
      typeof path === 'string' && /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(path)
        ? 'rules/unsafe_path'
        : 'rules/invalid_rule',
      problem,
      ruleId,
      `${at}.fact`,
      path,
    );
  const fact = path as string;
  const op = c.op;
  if (typeof op !== 'string' || !OPS.has(op))
    throw rulesError(
      'rules/unknown_operator',
      `unknown operator ${JSON.stringify(op)}`,
      ruleId,
      `${at}.op`,
      op,
    );
  const i = ctx.slotOf(fact);
  const value = c.value;
  if (c.flags !== undefined && op !== 'matches') badValue(ruleId, at, op, value, 'takes no flags');
  if (value === undefined && op !== 'exists') badValue(ruleId, at, op, value, 'needs a value');
  if (value !== undefined && !isJson(value)) badValue(ruleId, at, op, value, 'needs a JSON value');
  if (typeof value === 'string' && value.length > 1_000)
    badValue(ruleId, at, op, value, 'value must be at most 1,000 characters');
  // A `{ fact }` right-hand side reads another slot.
  if (isRef(value) && op !== 'exists') {
    if (!REF_OPS.has(op)) badValue(ruleId, at, op, value, 'cannot compare with another fact');
    const refProblem = pathProblem(value.fact);
    if (refProblem !== null)
      throw rulesError(
        /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(value.fact)
          ? 'rules/unsafe_path'
          : 'rules/invalid_rule',
        refProblem,
        ruleId,
        `${at}.value.fact`,
        value.fact,
      );
    const j = ctx.slotOf(value.fact);
    const binary =
      (f: (x: unknown, y: unknown) => Tri): Eval =>
      (s) => {
        const x = s[i];
        const y = s[j];
        return x === undefined || y === undefined ? U : f(x, y);
      };
    let fn: Eval;
    switch (op) {
      case 'eq':
        fn = binary((x, y) => (scalarEq(x, y) ? T : F));
        break;
      case 'neq':
        fn = binary((x, y) => (scalarEq(x, y) ? F : T));
        break;
      case 'contains':
        fn = binary((x, y) => (containsValue(x, y) ? T : F));
        break;
      case 'notContains':
        fn = binary((x, y) =>
          Array.isArray(x) || typeof x === 'string' ? (containsValue(x, y) ? F : T) : F,
        );
        break;
      case 'startsWith':
        fn = binary((x, y) =>
          typeof x === 'string' && typeof y === 'string' && x.startsWith(y) ? T : F,
        );
        break;
      case 'before':
      case 'after': {
        fn = binary((x, y) => {
          const a = toTime(x);
          const b = toTime(y);
          if (a === undefined || b === undefined) return F;
          return (op === 'before' ? a < b : a > b) ? T : F;
        });
        break;
      }
      default:
        fn = binary((x, y) => compare(op, x, y));
    }
    ctx.leaves++;
    reads(ctx, i, fact);
    reads(ctx, j, value.fact);
    return cnode(
      'fact',
      at,
      new PNode(CALL, 0, 0, null, NO_KIDS, fn),
      fn,
      NO_CHILDREN,
      fact,
      op,
      value,
      i,
      j,
      value.fact,
      undefined,
      undefined,
    );
  }
  switch (op) {
    case 'eq':
    case 'neq': {
      if (isScalar(value)) return lowered(at, fact, op, i, value, op === 'eq' ? EQ : NEQ, ctx);
      const positive = op === 'eq';
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : deepEqual(x, value) === positive ? T : F;
        },
        ctx,
      );
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof value !== 'number' && typeof value !== 'string')
        badValue(ruleId, at, op, value, 'needs a number or a string');
      if (typeof value === 'number') {
        const code = op === 'gt' ? GT : op === 'gte' ? GTE : op === 'lt' ? LT : LTE;
        return lowered(at, fact, op, i, value, code, ctx);
      }
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : compare(op, x, value);
        },
        ctx,
      );
    }
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value) || !value.every(isScalar))
        badValue(ruleId, at, op, value, 'needs an array of scalars');
      const list = value as readonly unknown[];
      if (list.length <= LOWERED_LIST)
        return lowered(at, fact, op, i, value, op === 'in' ? IN : NOT_IN, ctx);
      const set = list.length > 8 ? new Set(list) : null;
      const positive = op === 'in';
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        set
          ? (s) => {
              const x = s[i];
              return x === undefined ? U : set.has(x) === positive ? T : F;
            }
          : (s) => {
              const x = s[i];
              return x === undefined ? U : list.includes(x) === positive ? T : F;
            },
        ctx,
      );
    }
    case 'contains':
    case 'notContains': {
      // Lowers to an instruction (`run`): a scalar in an array, or a substring.
      if (!isScalar(value)) badValue(ruleId, at, op, value, 'needs a scalar value');
      return lowered(at, fact, op, i, value, op === 'contains' ? CONTAINS : NOT_CONTAINS, ctx);
    }
    case 'startsWith': {
      if (typeof value !== 'string') badValue(ruleId, at, op, value, 'needs a string');
      const prefix = value as string;
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : typeof x === 'string' && x.startsWith(prefix) ? T : F;
        },
        ctx,
      );
    }
    case 'between': {
      if (!isRange(value))
        badValue(ruleId, at, op, value, 'needs [min, max] numbers with min ≤ max');
      const [lo, hi] = value as [number, number];
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : typeof x === 'number' && x >= lo && x <= hi ? T : F;
        },
        ctx,
      );
    }
    case 'exists': {
      if (value !== undefined && typeof value !== 'boolean')
        badValue(ruleId, at, op, value, 'takes true or false');
      const want = value !== false;
      return leafNode(at, fact, op, i, value, (s) => ((s[i] !== undefined) === want ? T : F), ctx);
    }
    case 'matches': {
      const problem = regexProblem(value, c.flags);
      if (problem !== null)
        throw rulesError('rules/unsafe_regex', problem, ruleId, `${at}.value`, value);
      const re = ctx.matcher(value as string, (c.flags as string | undefined) ?? '');
      if (typeof re === 'string')
        throw rulesError('rules/unsafe_regex', re, ruleId, `${at}.value`, value);
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          if (x === undefined) return U;
          if (typeof x !== 'string') return F;
          if (x.length > MAX_MATCH_INPUT) return U;
          return re.test(x) ? T : F;
        },
        ctx,
      );
    }
    case 'withinLast': {
      const ms = parseDuration(value);
      if (ms === undefined || ms <= 0)
        badValue(ruleId, at, op, value, 'needs a positive duration such as "7d"');
      const d = ms as number;
      return timeLeaf(at, fact, op, i, value, (t, now) => t <= now && t >= now - d, ctx);
    }
    case 'daysUntil': {
      if (!isRange(value) || !(value as number[]).every(Number.isInteger))
        badValue(ruleId, at, op, value, 'needs [min, max] whole days with min ≤ max');
      const [lo, hi] = value as [number, number];
      return timeLeaf(
        at,
        fact,
        op,
        i,
        value,
        (t, now) => {
          const days = Math.ceil((t - now) / DAY) || 0;
          return days >= lo && days <= hi;
        },
        ctx,
      );
    }
    case 'before':
    case 'after': {
      const k = toTime(value);
      if (k === undefined)
        badValue(ruleId, at, op, value, 'needs an instant (epoch ms or ISO 8601) or { fact }');
      const bound = k as number;
      const before = op === 'before';
      return timeLeaf(at, fact, op, i, value, (t) => (before ? t < bound : t > bound), ctx);
    }
  }
  return badValue(ruleId, at, op, value, 'is not supported');
}

function isRange(v: unknown): v is [number, number] {
  return (
    Array.isArray(v) &&
    v.length === 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    Number.isFinite(v[0]) &&
    Number.isFinite(v[1]) &&
    v[0] <= v[1]
  );
}

function containsValue(x: unknown, y: unknown): boolean {
  if (typeof x === 'string') return typeof y === 'string' && x.includes(y);
  if (Array.isArray(x))
    return x.includes(y) || (typeof y === 'object' && x.some((e) => deepEqual(e, y)));
  return false;
}

function compileWindow(c: Record<string, unknown>, at: string, ctx: Ctx): CNode {
  const { ruleId } = ctx;
  rejectUnknownKeys(c, WINDOW_KEYS, ruleId, at);
  const spec = c.window;
  const fail = (where: string, why: string, v: unknown): never => {
    throw rulesError('rules/invalid_rule', why, ruleId, `${at}${where}`, v);
  };
  if (!isObject(spec)) return fail('.window', 'must be an object', spec);
  rejectUnknownKeys(spec, WINDOW_SPEC_KEYS, ruleId, `${at}.window`);
  if (typeof spec.event !== 'string' || !EVENT_TYPE.test(spec.event) || spec.event === '*')
    fail('.window.event', 'must be an event type', spec.event);
  const withinMs = parseDuration(spec.within);
  if (withinMs === undefined || withinMs <= 0)
    fail('.window.within', 'must be a positive duration such as "30d"', spec.within);
  if (spec.agg !== 'count' && spec.agg !== 'sum')
    fail('.window.agg', 'must be "count" or "sum"', spec.agg);
  if (spec.agg === 'sum' || spec.field !== undefined) {
    const p = pathProblem(spec.field);
    if (p !== null)
      throw rulesError(
        typeof spec.field === 'string' &&
          /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(spec.field)
          ? 'rules/unsafe_path'
          : 'rules/invalid_rule',
        p,
        ruleId,
        `${at}.window.field`,
        spec.field,
      );
  }
  if (spec.where !== undefined) {
    if (!isObject(spec.where)) fail('.window.where', 'must map fact paths to scalars', spec.where);
    for (const [k, v] of Object.entries(spec.where as object)) {
      const p = pathProblem(k);
      if (p !== null)
        throw rulesError(
          /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(k)
            ? 'rules/unsafe_path'
            : 'rules/invalid_rule',
          p,
          ruleId,
          `${at}.window.where.${k}`,
          k,
        );
      if (!isScalar(v)) fail(`.window.where.${k}`, 'must be a scalar', v);
    }
  }
  const category = c.category;
  if (!isDottedId(category)) return fail('.category', 'must be a data category id', category);
  if (!ctx.categories.some((declared) => isWithin(category, declared)))
    fail('.category', `"${category}" is not within the rule's dataCategories`, category);
  const op = c.op;
  if (typeof op !== 'string' || !WINDOW_OPS.has(op))
    throw rulesError(
      'rules/unknown_operator',
      `unknown window operator ${JSON.stringify(op)}`,
      ruleId,
      `${at}.op`,
      op,
    );
  const value = c.value;
  if (op === 'between' ? !isRange(value) : typeof value !== 'number' || !Number.isFinite(value))
    fail('.value', op === 'between' ? 'must be [min, max]' : 'must be a number', value);
  const i = ctx.windowSlot(spec as unknown as WindowSpec, category as string);
  let fn: Eval;
  if (op === 'between') {
    const [lo, hi] = value as [number, number];
    fn = (s) => {
      const x = s[i] as number | undefined;
      return x === undefined ? U : x >= lo && x <= hi ? T : F;
    };
  } else {
    const k = value as number;
    fn = (s) => {
      const x = s[i] as number | undefined;
      if (x === undefined) return U;
      switch (op) {
        case 'eq':
          return x === k ? T : F;
        case 'neq':
          return x !== k ? T : F;
        default:
          return compare(op, x, k);
      }
    };
  }
  ctx.leaves++;
  reads(ctx, i, null);
  return cnode(
    'window',
    at,
    new PNode(CALL, 0, 0, null, NO_KIDS, fn),
    fn,
    NO_CHILDREN,
    undefined,
    op,
    value,
    i,
    undefined,
    undefined,
    category as string,
    spec as unknown as WindowSpec,
  );
}

const WINDOW_KEYS = ['window', 'category', 'op', 'value'];
const WINDOW_SPEC_KEYS = ['event', 'within', 'agg', 'field', 'where'];

/** Whether `o` has exactly one own enumerable key (counted without allocating a key list). */
function hasOneKey(o: object): boolean {
  let n = 0;
  for (const key in o) if (Object.hasOwn(o, key) && ++n > 1) return false;
  return n === 1;
}

/** `.all[k]`/`.any[k]` path steps, made once each (a node's path is one concatenation). */
const CHILD_KEYS: Record<'all' | 'any', string[]> = { all: [], any: [] };
function childKey(kind: 'all' | 'any', k: number): string {
  const keys = CHILD_KEYS[kind];
  let key = keys[k];
  if (key === undefined) {
    key = `.${kind}[${k}]`;
    keys[k] = key;
  }
  return key;
}

function compileCondition(c: unknown, at: string, depth: number, ctx: Ctx): CNode {
  if (depth > MAX_DEPTH)
    throw rulesError(
      'rules/too_deep',
      `conditions nest deeper than ${MAX_DEPTH} levels`,
      ctx.ruleId,
      at,
    );
  if (++ctx.nodes > MAX_NODES)
    throw rulesError(
      'rules/too_large',
      `a rule may hold at most ${MAX_NODES} conditions`,
      ctx.ruleId,
      at,
    );
  if (!isObject(c))
    throw rulesError('rules/invalid_rule', 'a condition must be an object', ctx.ruleId, at, c);
  const ancestors = ctx.ancestors;
  if (ancestors.includes(c))
    throw rulesError('rules/cycle', 'a condition contains itself', ctx.ruleId, at);
  // No try/finally: an error abandons the whole compilation, and `ancestors` with it.
  ancestors.push(c);
  let node: CNode;
  if ('all' in c || 'any' in c) {
    const kind = 'all' in c ? 'all' : 'any';
    if (!hasOneKey(c))
      throw rulesError('rules/invalid_rule', `"${kind}" must be the only key`, ctx.ruleId, at, c);
    const list = c[kind];
    if (!Array.isArray(list))
      throw rulesError(
        'rules/invalid_rule',
        `"${kind}" must be an array`,
        ctx.ruleId,
        `${at}.${kind}`,
        list,
      );
    if (list.length > 256)
      throw rulesError(
        'rules/too_large',
        `"${kind}" may hold at most 256 conditions`,
        ctx.ruleId,
        `${at}.${kind}`,
      );
    const children: CNode[] = new Array(list.length);
    const kids: PNode[] = new Array(list.length);
    for (let k = 0; k < list.length; k++) {
      const child = compileCondition(list[k], at + childKey(kind, k), depth + 1, ctx);
      children[k] = child;
      kids[k] = child.p;
    }
    const p = new PNode(kind === 'all' ? ALL : ANY, 0, 0, null, kids, null);
    node = branch(kind, at, p, children);
  } else if ('not' in c) {
    if (!hasOneKey(c))
      throw rulesError('rules/invalid_rule', '"not" must be the only key', ctx.ruleId, at, c);
    const child = compileCondition(c.not, `${at}.not`, depth + 1, ctx);
    node = branch('not', at, new PNode(NOT, 0, 0, null, [child.p], null), [child]);
  } else if ('window' in c) node = compileWindow(c, at, ctx);
  else if ('fact' in c) node = compileLeaf(c, at, ctx);
  else
    throw rulesError(
      'rules/invalid_rule',
      'a condition needs one of all, any, not, fact or window',
      ctx.ruleId,
      at,
      c,
    );
  ancestors.pop();
  return node;
}

function checkDuration(value: unknown, ruleId: string, at: string, allowNegative = false): number {
  const ms = parseDuration(value);
  if (ms === undefined || (allowNegative ? false : ms <= 0))
    throw rulesError(
      'rules/invalid_rule',
      `must be a ${allowNegative ? '' : 'positive '}duration such as "7d" or milliseconds`,
      ruleId,
      at,
      value,
    );
  return ms;
}

function checkEventTypes(value: unknown, ruleId: string, at: string, wildcard: boolean): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 64)
    throw rulesError('rules/invalid_rule', 'must list 1 to 64 event types', ruleId, at, value);
  for (let k = 0; k < value.length; k++) {
    const t: unknown = value[k];
    if (typeof t !== 'string' || !EVENT_TYPE.test(t) || (!wildcard && t === '*'))
      throw rulesError(
        'rules/invalid_rule',
        'must be an event type such as "card.updated"',
        ruleId,
        `${at}[${k}]`,
        t,
      );
  }
  return value as string[];
}

function checkPath(value: unknown, ruleId: string, at: string): string {
  const problem = pathProblem(value);
  if (problem !== null)
    throw rulesError(
      typeof value === 'string' && /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(value)
        ? 'rules/unsafe_path'
        : 'rules/invalid_rule',
      problem,
      ruleId,
      at,
      value,
    );
  return value as string;
}

/** Fresh compile state; `slotOf` and `windowSlot` number what the rules read. */
function createCtx(slotOf: Ctx['slotOf'], windowSlot: Ctx['windowSlot']): Ctx {
  const matchers = new Map<string, Matcher | string>();
  return {
    ruleId: '',
    slotOf,
    windowSlot,
    categories: [],
    nodes: 0,
    leaves: 0,
    ancestors: [],
    slots: [],
    paths: [],
    matcher: (pattern, flags) => {
      const key = `${flags}/${pattern}`;
      let m = matchers.get(key);
      if (m === undefined) {
        m = linearMatcher(pattern, flags);
        matchers.set(key, m);
      }
      return m;
    },
  };
}

/**
 * @internal Runs on one rule every check `compileRules` runs on each of its rules (the same walk:
 * compiling is validating), naming paths from `at` (`rule` for `parseRule`). Throws the first
 * problem as a `rules/*` CandorError.
 *
 * @example
 * checkRule(JSON.parse(text), 'rule'); // throws rules/unsafe_path at 'rule.conditions.fact', …
 */
export function checkRule(rule: unknown, at: string): void {
  let slots = 0;
  const next = () => ++slots;
  compileOne(rule as Rule, at, 0, createCtx(next, next));
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

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

const ALL = 0;
const ANY = 1;
const NOT = 2;
const GT = 3;
const GTE = 4;
const LT = 5;
const LTE = 6;
const EQ = 7;
const NEQ = 8;
const IN = 9;
const NOT_IN = 10;
const CALL = 11;
const CONTAINS = 12;
const NOT_CONTAINS = 13;

/**
 * @internal A condition lowered to data for one shared, monomorphic interpreter (`run`): V8
 * optimizes one hot function far sooner than thousands of distinct closures. Operators without a
 * fast path (regex, time, windows, fact references) call their compiled closure.
 */
export class PNode {
  constructor(
    readonly code: number,
    readonly slot: number,
    readonly num: number,
    readonly val: unknown,
    readonly kids: readonly PNode[],
    readonly fn: Eval | null,
  ) {}
}

const NO_KIDS: readonly PNode[] = Object.freeze([]);

/**
 * @internal The interpreter: one function for every rule. Codes and outcomes are literals, not
 * the module constants: a loader that rewrites module `const`s to `var`s (tsx, CJS wrappers)
 * would otherwise turn the switch's jump table into a chain of loads and compares.
 */
export function run(n: PNode, s: unknown[]): Tri {
  switch (n.code) {
    case 0 /* ALL */:
      {
        const kids = n.kids;
        let out: Tri = 1;
        for (let i = 0; i < kids.length; i++) {
          const r = run(kids[i] as PNode, s);
          if (r === 0) return 0;
          if (r === 2) out = 2;
        }
        return out;
      }
    case 1 /* ANY */:
      {
        const kids = n.kids;
        let out: Tri = 0;
        for (let i = 0; i < kids.length; i++) {
          const r = run(kids[i] as PNode, s);
          if (r === 1) return 1;
          if (r === 2) out = 2;
        }
        return out;
      }
    case 2 /* NOT */:
      {
        const r = run(n.kids[0] as PNode, s);
        return r === 2 ? 2 : r === 1 ? 0 : 1;
      }
    case 3 /* GT */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x > n.num ? 1 : 0;
      }
    case 4 /* GTE */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x >= n.num ? 1 : 0;
      }
    case 5 /* LT */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x < n.num ? 1 : 0;
      }
    case 6 /* LTE */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x <= n.num ? 1 : 0;
      }
    case 7 /* EQ */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : x === n.val ? 1 : 0;
      }
    case 8 /* NEQ */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : x !== n.val ? 1 : 0;
      }
    case 9 /* IN */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : (n.val as unknown[]).includes(x) ? 1 : 0;
      }
    case 10 /* NOT_IN */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : (n.val as unknown[]).includes(x) ? 0 : 1;
      }
    case 12 /* CONTAINS: a scalar in an array, or a substring */:
      {
        const x = s[n.slot];
        if (x === undefined) return 2;
        if (typeof x === 'string') return typeof n.val === 'string' && x.includes(n.val) ? 1 : 0;
        return Array.isArray(x) && x.includes(n.val) ? 1 : 0;
      }
    case 13 /* NOT_CONTAINS: false, too, when the fact is neither an array nor a string */:
      {
        const x = s[n.slot];
        if (x === undefined) return 2;
        if (typeof x === 'string') return typeof n.val === 'string' && x.includes(n.val) ? 0 : 1;
        return Array.isArray(x) ? (x.includes(n.val) ? 0 : 1) : 0;
      }
    default:
      return (n.fn as Eval)(s);
  }
}

const OUTCOMES = ['fail', 'pass', 'insufficient_data'] as const;

/**
 * A match whose trace is recorded (the rule and the slot values it saw, which never change after
 * evaluation) and rendered into a tree on first read; JSON.stringify includes it.
 */
class TracedMatch implements RuleMatch {
  // `declare`: assigned in the constructor, not defined first (allocation stays cheap).
  declare readonly ruleId: string;
  // The rendered tree replaces the slots it was rendered from: one field fewer per match.
  /** The rule, until the trace is rendered. */
  #rule: CompiledRule | null;
  /** The slots the rule saw, then the rendered trace. */
  #trace: Slots | TraceNode;

  constructor(ruleId: string, rule: CompiledRule, slots: Slots) {
    this.ruleId = ruleId;
    this.#rule = rule;
    this.#trace = slots;
  }

  get trace(): TraceNode {
    const rule = this.#rule;
    if (rule !== null) {
      this.#trace =
        rule.root === null
          ? { path: 'conditions', kind: 'all', outcome: 'pass', children: [] }
          : traceNode(rule.root, this.#trace as Slots, undefined, rule.prefix.length);
      this.#rule = null;
    }
    return this.#trace as TraceNode;
  }

  toJSON(): { ruleId: string; trace: TraceNode } {
    return { ruleId: this.ruleId, trace: this.trace };
  }
}

/** The node's path relative to its rule, computed once (compile never flattens path strings). */
function relPath(node: CNode, cut: number): string {
  if (node.rel === undefined) node.rel = node.path.slice(cut);
  return node.rel;
}

function traceNode(
  node: CNode,
  slots: Slots,
  redact: ((category: string) => boolean) | undefined,
  cut: number,
): TraceNode {
  const values = slots.values;
  if (node.kind === 'fact' || node.kind === 'window') {
    const slot = node.slot as number;
    const actual = values[slot];
    const category =
      node.kind === 'window'
        ? node.category
        : actual === undefined
          ? undefined
          : slots.sources[slot]?.category;
    return {
      path: relPath(node, cut),
      kind: node.kind,
      outcome: OUTCOMES[node.p ? run(node.p, values) : (node.fn as Eval)(values)],
      fact: node.fact,
      op: node.op,
      expected: node.expected,
      actual:
        actual === undefined
          ? undefined
          : category && redact?.(category)
            ? '[redacted]'
            : (actual as JsonValue),
      category,
      evidence: undefined,
      children: undefined,
    };
  }
  const source = node.children;
  const children: TraceNode[] = new Array(source.length);
  let unknown = false;
  let decided = false;
  const win = node.kind === 'any' ? 'pass' : 'fail';
  for (let i = 0; i < source.length; i++) {
    const child = traceNode(source[i] as CNode, slots, redact, cut);
    children[i] = child;
    if (child.outcome === win) decided = true;
    else if (child.outcome === 'insufficient_data') unknown = true;
  }
  let outcome: TraceNode['outcome'];
  if (node.kind === 'not') {
    const o = (children[0] as TraceNode).outcome;
    outcome = o === 'pass' ? 'fail' : o === 'fail' ? 'pass' : 'insufficient_data';
  } else if (decided) outcome = win;
  else if (unknown) outcome = 'insufficient_data';
  else outcome = node.kind === 'all' ? 'pass' : 'fail';
  return {
    path: relPath(node, cut),
    kind: node.kind,
    outcome,
    fact: undefined,
    op: undefined,
    expected: undefined,
    actual: undefined,
    category: undefined,
    evidence: undefined,
    children,
  };
}

/**
 * @internal Units sharing a required numeric comparison on one slot, sorted by threshold. A unit
 * is a conjunction the index counts: a candidate's own gate leaves, or one alternative of its
 * `any`.
 */
interface ThresholdGate {
  readonly probe: CompiledRule;
  readonly slot: number;
  readonly op: 'gt' | 'gte' | 'lt' | 'lte';
  readonly keys: Float64Array;
  readonly units: Int32Array;
}

/** @internal Units sharing `eq`/`in` leaves (or, negative, `neq`/`notIn`/`not`) on one slot. */
interface ValueGate {
  readonly probe: CompiledRule;
  readonly slot: number;
  /** A positive gate counts the units its value names; a negative one the others of `every`. */
  readonly negative: boolean;
  readonly units: Map<unknown, Int32Array>;
  /** Negative: the units with a negative leaf on the slot (once per leaf). */
  readonly every: Int32Array;
}

interface ThresholdIndex {
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

/** More gate leaves than this per rule (counts are bytes) and the rule is evaluated whole. */
const MAX_GATES_PER_RULE = 32;

/** Whether `n` is a positive `eq`/`in` leaf on scalars (a `not` over one is a negative gate). */
function isValueLeaf(n: CNode): boolean {
  if (n.kind !== 'fact' || n.refSlot !== undefined) return false;
  const k = n.expected;
  return (n.op === 'eq' && isScalar(k)) || (n.op === 'in' && Array.isArray(k) && k.every(isScalar));
}

/**
 * How many gate leaves pass exactly when conjunct `n` is true: a threshold, a value set, a
 * negative value set on a present fact (`neq`, `notIn`, `not` over `eq`/`in`), or `between` as two
 * thresholds; 0 when it has none.
 */
function gateCount(n: CNode): number {
  if (n.kind === 'not') return isValueLeaf(n.children[0] as CNode) ? 1 : 0;
  if (n.kind !== 'fact' || n.refSlot !== undefined) return 0;
  const k = n.expected;
  switch (n.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof k === 'number' ? 1 : 0;
    case 'between':
      return isRange(k) ? 2 : 0;
    case 'eq':
    case 'neq':
      return isScalar(k) ? 1 : 0;
    case 'in':
    case 'notIn':
      return Array.isArray(k) && k.every(isScalar) ? 1 : 0;
  }
  return 0;
}

/** The conjuncts of `n`: the leaves of its chain of nested `all`s (itself when not an `all`). */
function conjuncts(n: CNode): readonly CNode[] {
  if (n.kind !== 'all') return [n];
  // Mostly a flat `all`: its children are the conjuncts (no copy).
  for (let i = 0; i < n.children.length; i++)
    if ((n.children[i] as CNode).kind === 'all') return flatten(n, []);
  return n.children;
}

function flatten(n: CNode, out: CNode[]): CNode[] {
  if (n.kind === 'all') for (const c of n.children) flatten(c, out);
  else out.push(n);
  return out;
}

/**
 * The program of `n` without the conjuncts its gates decide (those with gates, and `exactAny`);
 * null when nothing is left.
 */
function residualOf(n: CNode, exactAny: CNode | null): PNode | null {
  if (n.kind !== 'all') return n === exactAny || gateCount(n) > 0 ? null : n.p;
  const kids: PNode[] = [];
  for (let i = 0; i < n.children.length; i++) {
    const r = residualOf(n.children[i] as CNode, exactAny);
    if (r !== null) kids.push(r);
  }
  if (kids.length === 0) return null;
  return kids.length === 1 ? (kids[0] as PNode) : new PNode(ALL, 0, 0, null, kids, null);
}

/** How many gate leaves the conjuncts of alternative `alt` make. */
function alternativeGates(alt: CNode): number {
  if (alt.kind !== 'all') return gateCount(alt);
  const list = conjuncts(alt);
  let gates = 0;
  for (let j = 0; j < list.length; j++) gates += gateCount(list[j] as CNode);
  return gates;
}

/** Whether every conjunct of alternative `alt` has gates (they then decide it exactly). */
function isExact(alt: CNode): boolean {
  if (alt.kind !== 'all') return gateCount(alt) > 0;
  const list = conjuncts(alt);
  for (let j = 0; j < list.length; j++) if (gateCount(list[j] as CNode) === 0) return false;
  return true;
}

/**
 * How the index finds a rule (nothing but this record is allocated per rule; the index walks
 * `conjuncts` and `any` again to add the gate leaves).
 */
interface GatePlan {
  /** The conjuncts of the rule's root `all` chain: those with gates are the rule's own. */
  readonly conjuncts: readonly CNode[];
  /** How many gate leaves the rule's own conjuncts make. */
  readonly gates: number;
  /** The `any` whose alternatives the index counts (each alternative has gates), or null. */
  readonly any: CNode | null;
  /** Units its alternatives take: one each, but the one-leaf alternatives share one. */
  readonly altUnits: number;
  readonly residual: PNode | null;
}

const NO_CONJUNCTS: readonly CNode[] = Object.freeze([]);

/**
 * How the index finds a rule: the gates its conditions need (the conjuncts of its root `all`
 * chain that have gates), the alternatives of one `any` among those conjuncts (each with the
 * gates of its own conjuncts: the rule can fire only if one alternative's gates all pass), and
 * the residual program that still has to run once they pass. Conjuncts whose gates decide them
 * exactly are dropped from the residual, and so is the `any` when every alternative is decided.
 */
function gatePlan(rule: CompiledRule): GatePlan {
  const root = rule.root;
  const whole: GatePlan = {
    conjuncts: NO_CONJUNCTS,
    gates: 0,
    any: null,
    altUnits: 0,
    residual: rule.program,
  };
  if (root === null) return whole;
  const list = conjuncts(root);
  let gates = 0;
  let any: CNode | null = null;
  let anyGates = 0;
  let exactAny: CNode | null = null;
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as CNode;
    const count = gateCount(c);
    if (count > 0) {
      gates += count;
      continue;
    }
    if (c.kind !== 'any' || exactAny !== null || c.children.length === 0) continue;
    // One alternative must hold: each needs at least one gate to filter on.
    let exact = true;
    let total = 0;
    let a = 0;
    for (; a < c.children.length; a++) {
      const alt = c.children[a] as CNode;
      const gates = alternativeGates(alt);
      if (gates === 0) break;
      total += gates;
      if (exact && !isExact(alt)) exact = false;
    }
    if (a !== c.children.length) continue;
    if (exact) {
      exactAny = c;
      any = c;
      anyGates = total;
    } else if (any === null) {
      any = c;
      anyGates = total;
    }
  }
  if (gates + anyGates > MAX_GATES_PER_RULE) return whole;
  let altUnits = 0;
  if (any !== null) {
    let single = 0;
    for (let a = 0; a < any.children.length; a++)
      if (alternativeGates(any.children[a] as CNode) === 1) single++;
    altUnits = any.children.length - single + (single > 0 ? 1 : 0);
  }
  return {
    conjuncts: list,
    gates,
    any,
    altUnits,
    residual: gates === 0 && exactAny === null ? rule.program : residualOf(root, exactAny),
  };
}

/** Lists up to this long are deduplicated by scanning, longer ones with a `Set`. */
const SHORT_LIST = 32;
const THRESHOLD_OPS: readonly ThresholdGate['op'][] = ['gt', 'gte', 'lt', 'lte'];

function buildThresholdIndex(
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
  };
}

/** Throws `rules/invalid_rule` naming the first key of `object` that `allowed` does not list. */
function rejectUnknownKeys(
  object: Record<string, unknown>,
  allowed: readonly string[] | ReadonlySet<string>,
  ruleId: string,
  at: string,
): void {
  const list = Array.isArray(allowed) ? (allowed as readonly string[]) : null;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (list !== null ? !list.includes(key) : !(allowed as ReadonlySet<string>).has(key))
      throw rulesError(
        'rules/invalid_rule',
        `unknown key "${key}"`,
        ruleId,
        `${at}.${key}`,
        object[key],
      );
  }
}

function failRule(id: string, at: string, where: string, why: string, value?: unknown): never {
  throw rulesError('rules/invalid_rule', why, id, `${at}.${where}`, value);
}

function compileOne(rule: Rule, at: string, order: number, ctx: Ctx): CompiledRule {
  const slotOf = ctx.slotOf;
  if (!isObject(rule))
    throw rulesError('rules/invalid_rule', 'a rule must be an object', undefined, at, rule);
  const r = rule as unknown as Record<string, unknown>;
  const id = r.id;
  if (typeof id !== 'string' || !RULE_ID.test(id))
    throw rulesError(
      'rules/invalid_rule',
      'id must be 1–200 characters of letters, digits and _.:@/- starting with a letter or digit',
      undefined,
      `${at}.id`,
      id,
    );
  rejectUnknownKeys(r, RULE_KEYS, id, at);
  const version = r.version;
  if (
    !(typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) &&
    !(typeof version === 'string' && version.length > 0 && version.length <= 100)
  )
    failRule(id, at, 'version', 'must be a whole number ≥ 0 or a non-empty string', version);
  if (
    r.description !== undefined &&
    (typeof r.description !== 'string' || r.description.length > 2_000)
  )
    failRule(id, at, 'description', 'must be a string of at most 2,000 characters', r.description);
  if (!isDottedId(r.purpose))
    failRule(
      id,
      at,
      'purpose',
      'must be a purpose id such as "service.proactive_support"',
      r.purpose,
    );
  const categories = r.dataCategories;
  if (!Array.isArray(categories) || categories.length === 0 || categories.length > 64)
    failRule(
      id,
      at,
      'dataCategories',
      'must list the 1 to 64 data categories the rule reads',
      categories,
    );
  for (let k = 0; k < (categories as unknown[]).length; k++) {
    const cat = (categories as unknown[])[k];
    if (!isDottedId(cat))
      failRule(
        id,
        at,
        `dataCategories[${k}]`,
        'must be a data category id such as "user.financial.card"',
        cat,
      );
  }
  // Action
  const action = r.action;
  if (!isObject(action)) return failRule(id, at, 'action', 'must be an object', action);
  rejectUnknownKeys(action, ACTION_KEYS, id, `${at}.action`);
  if (typeof action.type !== 'string' || action.type.length === 0 || action.type.length > 100)
    failRule(id, at, 'action.type', 'must be a string of 1 to 100 characters', action.type);
  if (
    typeof action.channel !== 'string' ||
    action.channel.length === 0 ||
    action.channel.length > 100
  )
    failRule(id, at, 'action.channel', 'must be a string of 1 to 100 characters', action.channel);
  if (!isDottedId(action.topic))
    failRule(
      id,
      at,
      'action.topic',
      'must be a topic id such as "billing.card_expiry"',
      action.topic,
    );
  if (
    action.templateKey !== undefined &&
    (typeof action.templateKey !== 'string' ||
      action.templateKey.length === 0 ||
      action.templateKey.length > 200)
  )
    failRule(
      id,
      at,
      'action.templateKey',
      'must be a string of 1 to 200 characters',
      action.templateKey,
    );
  if (action.params !== undefined && (!isObject(action.params) || !isJson(action.params)))
    failRule(id, at, 'action.params', 'must be a JSON object', action.params);
  if (action.critical !== undefined && typeof action.critical !== 'boolean')
    failRule(id, at, 'action.critical', 'must be true or false', action.critical);
  // Priority, urgency
  // Absent means the default; null is a value, and a wrong one (as the schema says).
  const priority = r.priority === undefined ? 0 : r.priority;
  if (
    typeof priority !== 'number' ||
    !Number.isSafeInteger(priority) ||
    Math.abs(priority) > 1_000_000
  )
    failRule(
      id,
      at,
      'priority',
      'must be a whole number between -1,000,000 and 1,000,000',
      priority,
    );
  const urgency = r.urgency === undefined ? 'normal' : r.urgency;
  if (typeof urgency !== 'string' || !URGENCIES.has(urgency))
    failRule(id, at, 'urgency', 'must be low, normal, high or critical', urgency);
  // Caps, cooldown, dedup, quiet hours, exclusion group
  const caps: Array<{
    limit: number;
    windowMs: number | 'calendar_day';
    scope: 'rule' | 'channel' | 'topic';
  }> = [];
  if (r.caps !== undefined) {
    if (!Array.isArray(r.caps) || r.caps.length > 8)
      failRule(id, at, 'caps', 'must be an array of at most 8 caps', r.caps);
    for (let k = 0; k < (r.caps as unknown[]).length; k++) {
      const cap = (r.caps as unknown[])[k];
      if (!isObject(cap)) return failRule(id, at, `caps[${k}]`, 'must be an object', cap);
      rejectUnknownKeys(cap, CAP_KEYS, id, `${at}.caps[${k}]`);
      if (
        typeof cap.limit !== 'number' ||
        !Number.isInteger(cap.limit) ||
        cap.limit < 1 ||
        cap.limit > 1_000_000
      )
        failRule(
          id,
          at,
          `caps[${k}].limit`,
          'must be a whole number from 1 to 1,000,000',
          cap.limit,
        );
      const windowMs =
        cap.window === 'calendar_day'
          ? 'calendar_day'
          : checkDuration(cap.window, id, `${at}.caps[${k}].window`);
      if (cap.scope !== 'rule' && cap.scope !== 'channel' && cap.scope !== 'topic')
        failRule(id, at, `caps[${k}].scope`, 'must be rule, channel or topic', cap.scope);
      caps.push({ limit: cap.limit as number, windowMs, scope: cap.scope as 'rule' });
    }
  }
  const cooldownMs =
    r.cooldown === undefined ? null : checkDuration(r.cooldown, id, `${at}.cooldown`);
  let dedup: CompiledRule['dedup'] = null;
  // Paths read outside the conditions (dedup key, trigger), in order of first use.
  const readPaths: string[] = [];
  if (r.dedup !== undefined) {
    const d = r.dedup;
    if (!isObject(d)) return failRule(id, at, 'dedup', 'must be { key, ttl }', d);
    rejectUnknownKeys(d, DEDUP_KEYS, id, `${at}.dedup`);
    if (typeof d.key !== 'string' || d.key.length === 0 || d.key.length > 500)
      failRule(id, at, 'dedup.key', 'must be a template of 1 to 500 characters', d.key);
    const ttlMs = checkDuration(d.ttl, id, `${at}.dedup.ttl`);
    const parts: KeyPart[] = [];
    const template = d.key as string;
    let last = 0;
    for (const m of template.matchAll(PLACEHOLDER)) {
      if ((m.index as number) > last) parts.push(template.slice(last, m.index));
      const name = m[1] as string;
      if (name === 'subject' || name === 'event.type') parts.push({ special: name });
      else {
        const p = checkPath(name, id, `${at}.dedup.key`);
        if (!readPaths.includes(p)) readPaths.push(p);
        parts.push({ slot: slotOf(p) });
      }
      last = (m.index as number) + m[0].length;
    }
    if (last < template.length) parts.push(template.slice(last));
    dedup = { parts, ttlMs };
  }
  if (
    r.exclusionGroup !== undefined &&
    (typeof r.exclusionGroup !== 'string' ||
      r.exclusionGroup.length === 0 ||
      r.exclusionGroup.length > 200)
  )
    failRule(id, at, 'exclusionGroup', 'must be a string of 1 to 200 characters', r.exclusionGroup);
  let quiet: CompiledRule['quiet'] = null;
  if (r.quietHours !== undefined) {
    const q = r.quietHours;
    if (!isObject(q)) return failRule(id, at, 'quietHours', 'must be { start, end }', q);
    const start = parseClock(q.start);
    const end = parseClock(q.end);
    if (start === undefined) failRule(id, at, 'quietHours.start', 'must be HH:MM', q.start);
    if (end === undefined) failRule(id, at, 'quietHours.end', 'must be HH:MM', q.end);
    rejectUnknownKeys(q, QUIET_KEYS, id, `${at}.quietHours`);
    quiet = { start: start as number, end: end as number };
  }
  // Trigger
  const trigger = r.trigger;
  if (!isObject(trigger)) return failRule(id, at, 'trigger', 'must be an object', trigger);
  const triggerSlots: number[] = [];
  let offsetMs = 0;
  let atMinutes: number | undefined;
  let withinMs = 0;
  if (trigger.type === 'event') {
    rejectUnknownKeys(trigger, EVENT_TRIGGER_KEYS, id, `${at}.trigger`);
    checkEventTypes(trigger.events, id, `${at}.trigger.events`, true);
  } else if (trigger.type === 'relative') {
    rejectUnknownKeys(trigger, RELATIVE_TRIGGER_KEYS, id, `${at}.trigger`);
    const p = checkPath(trigger.fact, id, `${at}.trigger.fact`);
    if (!readPaths.includes(p)) readPaths.push(p);
    triggerSlots.push(slotOf(p));
    offsetMs = checkDuration(trigger.offset, id, `${at}.trigger.offset`, true);
    if (trigger.at !== undefined) {
      atMinutes = parseClock(trigger.at);
      if (atMinutes === undefined)
        failRule(id, at, 'trigger.at', 'must be a local time HH:MM', trigger.at);
    }
    if (trigger.events !== undefined)
      checkEventTypes(trigger.events, id, `${at}.trigger.events`, false);
  } else if (trigger.type === 'absence') {
    rejectUnknownKeys(trigger, ABSENCE_TRIGGER_KEYS, id, `${at}.trigger`);
    checkEventTypes([trigger.after], id, `${at}.trigger.after`, false);
    checkEventTypes([trigger.expect], id, `${at}.trigger.expect`, false);
    withinMs = checkDuration(trigger.within, id, `${at}.trigger.within`);
    if (trigger.correlate !== undefined) {
      if (!Array.isArray(trigger.correlate) || trigger.correlate.length > 4)
        failRule(id, at, 'trigger.correlate', 'must list at most 4 fact paths', trigger.correlate);
      (trigger.correlate as unknown[]).forEach((p, k) => {
        const path = checkPath(p, id, `${at}.trigger.correlate[${k}]`);
        if (!readPaths.includes(path)) readPaths.push(path);
        triggerSlots.push(slotOf(path));
      });
    }
  } else {
    failRule(id, at, 'trigger.type', 'must be "event", "relative" or "absence"', trigger.type);
  }
  // Conditions: one walk validates, lowers, and collects what the rule reads.
  ctx.ruleId = id;
  ctx.categories = categories as string[];
  ctx.nodes = 0;
  ctx.leaves = 0;
  ctx.ancestors.length = 0;
  // Collected in scratch arrays, then copied at their exact size (a pushed array keeps spare room).
  const slots = ctx.slots;
  const paths = ctx.paths;
  slots.length = 0;
  paths.length = 0;
  for (let i = 0; i < triggerSlots.length; i++)
    if (!slots.includes(triggerSlots[i] as number)) slots.push(triggerSlots[i] as number);
  const rootNode =
    r.conditions === undefined ? null : compileCondition(r.conditions, `${at}.conditions`, 1, ctx);
  const rootProgram = rootNode === null ? null : rootNode.p;
  for (let i = 0; i < readPaths.length; i++)
    if (!paths.includes(readPaths[i] as string)) paths.push(readPaths[i] as string);
  return {
    rule,
    id,
    order,
    specificity: ctx.leaves,
    priority: priority as number,
    urgency: urgency as Urgency,
    paths: paths.slice(),
    root: rootNode,
    fn: rootProgram ? (s: unknown[]) => run(rootProgram, s) : () => T,
    program: rootProgram,
    slots: slots.slice(),
    signature: signatureOf(categories as string[]),
    sigIndex: 0,
    caps,
    cooldownMs,
    dedup,
    quiet,
    triggerSlots,
    offsetMs,
    atMinutes,
    withinMs,
    prefix: `${at}.`,
  };
}

/** The rule's data categories as one key: sorted, deduplicated, comma-joined. */
function signatureOf(categories: readonly string[]): string {
  if (categories.length === 1) return categories[0] as string;
  return [...new Set(categories)].sort().join(',');
}

const ACTION_KEYS = ['type', 'channel', 'topic', 'templateKey', 'params', 'critical'];
const CAP_KEYS = ['limit', 'window', 'scope'];
const DEDUP_KEYS = ['key', 'ttl'];
const QUIET_KEYS = ['start', 'end'];
const EVENT_TRIGGER_KEYS = ['type', 'events'];
const RELATIVE_TRIGGER_KEYS = ['type', 'fact', 'offset', 'at', 'events'];
const ABSENCE_TRIGGER_KEYS = ['type', 'after', 'expect', 'within', 'correlate'];
