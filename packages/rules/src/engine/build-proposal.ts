import type { Action, ConsentVerdict, Fact, JsonValue, Provenance, Reason } from '@candor/core';
import { run } from '../compile/program';
import { traceBranch, traceLeaf, traceNode } from '../compile/trace';
import type { CNode, CompiledRule, Slots, TraceNode } from '../compile/types';
import type { GateName, Proposal } from '../outcome';
import type { RuleEvent } from '../types';
import type { EngineCore } from './core';
import { ALL_GATES } from './suppression';

const REDACTED = '[redacted]';

/** `f1`, `f2`, … and `r1`, `r2`, …: evidence and reason ids, made once. */
const FACT_IDS: string[] = [];
const REASON_IDS: string[] = [];
const factId = (n: number): string => (FACT_IDS[n] ??= `f${n}`);
const reasonId = (n: number): string => (REASON_IDS[n] ??= `r${n}`);

/**
 * What one proposal collects while its trace is annotated: the evidence facts (one per path, ids
 * `f1`, `f2`, …) and the reasons citing them.
 */
interface Explanation {
  readonly slots: Slots;
  readonly redact: (category: string) => boolean;
  /** Where relative trace paths start in the rule's node paths. */
  readonly cut: number;
  readonly evidence: Fact[];
  readonly reasons: Reason[];
  /** Provenance of derived evidence (windows, the event type): made on first use. */
  derived: Provenance | null;
  readonly at: number;
}

/** No gate bypassed (one frozen list for every proposal that bypassed none). */
const NONE_BYPASSED: readonly GateName[] = Object.freeze([]);

/** What a proposal explains from its trace: its categories, reasons, evidence and the trace. */
interface Explained {
  readonly dataCategories: string[];
  readonly reasons: Reason[];
  readonly evidence: Fact[];
  readonly trace: TraceNode;
}

/**
 * @internal The proposal of a rule that passed every gate: its action, consent verdict and an
 * idempotency key for delivery, and its explanation (the trace annotated with the evidence each
 * leaf rests on, reasons citing the evidence facts with their provenance, and the categories
 * used). The explanation is worked out from the rule and the slot values it saw (which never
 * change afterwards) on first read of `dataCategories`, `reasons`, `evidence` or `trace`, and the
 * id (a hash of the rule, subject and event) on first read of `id`, so an evaluation pays nothing
 * for what nobody reads. `JSON.stringify` includes them, in the places a plain proposal has them;
 * `toDecisionRecord` reads them.
 */
export class RuleProposal implements Proposal {
  // `declare`: assigned in the constructor, not defined first (allocation stays cheap).
  declare readonly kind: 'proposal';
  declare readonly subject: string;
  declare readonly at: number;
  declare readonly source: Proposal['source'];
  declare readonly action: Action;
  declare readonly purpose: string;
  declare readonly consent: Proposal['consent'];
  declare readonly ruleId: string;
  declare readonly ruleVersion: number | string;
  declare readonly eventId: string;
  declare readonly idempotencyKey: string;
  declare readonly priority: number;
  declare readonly urgency: Proposal['urgency'];
  declare readonly gatesPassed: readonly GateName[];
  declare readonly bypassed: readonly GateName[];
  // What the id and explanation are worked out from: the rule that passed, its view of the facts
  // (which never change afterwards), the event and the engine; then each, once read.
  readonly #rule: CompiledRule;
  readonly #slots: Slots;
  readonly #event: RuleEvent;
  readonly #core: EngineCore;
  #id: string | null;
  #explained: Explained | null;

  /**
   * The proposal of `rule`, which passed every gate on `event` with `verdict` over `slots` (`id`:
   * its reservation id; `bypassed`: the gates it skipped, if any).
   */
  constructor(
    core: EngineCore,
    event: RuleEvent,
    rule: CompiledRule,
    slots: Slots,
    verdict: ConsentVerdict,
    id: string,
    bypassed: readonly GateName[] | null,
  ) {
    this.kind = 'proposal';
    const table = core.rules;
    this.subject = event.subject;
    this.at = event.at;
    this.source = table.source(rule);
    this.action = table.action(rule);
    this.purpose = table.purpose(rule);
    this.consent = [verdict];
    this.ruleId = rule.id;
    this.ruleVersion = table.version(rule);
    this.eventId = event.id;
    this.idempotencyKey = id;
    this.priority = rule.priority;
    this.urgency = rule.urgency;
    this.gatesPassed = ALL_GATES;
    this.bypassed = bypassed ?? NONE_BYPASSED;
    this.#rule = rule;
    this.#slots = slots;
    this.#event = event;
    this.#core = core;
    this.#id = null;
    this.#explained = null;
  }

  /** `prop_` and 16 hex digits, the same for the same rule, subject and event. */
  get id(): string {
    this.#id ??= this.#core.rules.proposalId(this.#rule, this.subject, this.eventId);
    return this.#id;
  }

  #explain(): Explained {
    this.#explained ??= explain(this.#core, this.#rule, this.#slots, this.#event);
    return this.#explained;
  }

  get dataCategories(): string[] {
    return this.#explain().dataCategories;
  }

  get reasons(): Reason[] {
    return this.#explain().reasons;
  }

  get evidence(): Fact[] {
    return this.#explain().evidence;
  }

  get trace(): TraceNode {
    return this.#explain().trace;
  }

  toJSON(): Proposal {
    const { dataCategories, reasons, evidence, trace } = this.#explain();
    return {
      kind: this.kind,
      id: this.id,
      subject: this.subject,
      at: this.at,
      source: this.source,
      action: this.action,
      purpose: this.purpose,
      dataCategories,
      reasons,
      evidence,
      consent: this.consent,
      ruleId: this.ruleId,
      ruleVersion: this.ruleVersion,
      eventId: this.eventId,
      idempotencyKey: this.idempotencyKey,
      priority: this.priority,
      urgency: this.urgency,
      gatesPassed: this.gatesPassed,
      bypassed: this.bypassed,
      trace,
    };
  }
}

/**
 * The explanation of `rule`'s fire on `event` over `slots`: its trace annotated with the evidence
 * each leaf rests on, the reasons citing the evidence facts, and the categories used.
 */
function explain(core: EngineCore, rule: CompiledRule, slots: Slots, event: RuleEvent): Explained {
  const x: Explanation = {
    slots,
    redact: core.redact,
    cut: rule.prefix.length,
    evidence: [],
    reasons: [],
    derived: null,
    at: event.at,
  };
  const { evidence, reasons, redact } = x;
  // The rule fired: its root passed, so the walk goes down from it.
  const trace: TraceNode =
    rule.root === null
      ? { path: 'conditions', kind: 'all', outcome: 'pass', children: [] }
      : annotate(x, rule.root, false, true, true);
  // A rule whose decision rests on no condition (e.g. a relative trigger) cites its trigger
  // facts, and an absence trigger the promised instant its wait counted from.
  const slotPaths = core.set.slotPaths;
  const cited =
    rule.fromSlot === undefined || rule.triggerSlots.includes(rule.fromSlot)
      ? rule.triggerSlots
      : [...rule.triggerSlots, rule.fromSlot];
  // An absence trigger says what did not happen, and within how long of what: on the promise it
  // counted from (`from`), else on its first correlated fact.
  const trigger = rule.rule.trigger;
  const absence =
    trigger.type === 'absence'
      ? { expect: trigger.expect, after: trigger.after, within: rule.withinMs }
      : null;
  let absenceSlot = absence === null ? undefined : (rule.fromSlot ?? cited[0]);
  for (const slot of cited) {
    const raw = slots.values[slot];
    const source = slots.sources[slot];
    const path = slotPaths[slot];
    if (raw === undefined || source === undefined || path === null || path === undefined) continue;
    const id = addFact(x, path, source.category, raw as JsonValue, source);
    const params: Record<string, JsonValue> = {
      fact: path,
      actual: redact(source.category) ? REDACTED : (raw as JsonValue),
    };
    if (slot === absenceSlot && absence !== null) {
      params.absence = absence;
      absenceSlot = undefined;
    }
    reasons.push({
      id: reasonId(reasons.length + 1),
      code: 'trigger',
      text:
        params.absence === undefined
          ? `triggered by ${path}`
          : `no ${absence?.expect} event within ${absence?.within} ms of ${path}`,
      evidence: [id],
      params,
    });
  }
  if (reasons.length === 0) {
    const id = addFact(
      x,
      'event.type',
      rule.rule.dataCategories[0] as string,
      event.type,
      undefined,
    );
    reasons.push({
      id: 'r1',
      code: 'trigger',
      text: `triggered by a ${event.type} event`,
      evidence: [id],
    });
  }
  const dataCategories = core.rules.categories(rule).slice();
  for (let i = 0; i < evidence.length; i++) {
    const category = (evidence[i] as Fact).category;
    if (!dataCategories.includes(category)) dataCategories.push(category);
  }
  return { dataCategories, reasons, evidence, trace };
}

/**
 * The trace of `node`, annotated where the decision rests on it (`visited`): from the root down
 * through every branch that passed (`passed`: known to have) or, under a `not`, failed, each leaf
 * names its evidence fact, and each leaf that helped the rule fire adds a reason. Elsewhere the
 * plain trace.
 */
function annotate(
  x: Explanation,
  node: CNode,
  negated: boolean,
  visited: boolean,
  passed: boolean,
): TraceNode {
  const { slots, redact, cut } = x;
  if (!visited) return traceNode(node, slots, redact, cut);
  if (node.kind === 'fact' || node.kind === 'window') {
    const slot = node.slot as number;
    const raw = slots.values[slot];
    const category =
      node.kind === 'window'
        ? node.category
        : raw === undefined
          ? undefined
          : slots.sources[slot]?.category;
    if (raw === undefined || category === undefined)
      return traceLeaf(node, slots, redact, cut, undefined);
    const path = node.kind === 'window' ? windowLabel(node) : (node.fact as string);
    const id = addFact(
      x,
      path,
      category,
      raw as JsonValue,
      node.kind === 'fact' ? slots.sources[slot] : undefined,
    );
    const trace = traceLeaf(node, slots, redact, cut, id);
    // A `{ fact }` right-hand side is evidence too: the decision used its value.
    const ids = [id];
    const refSlot = node.refSlot;
    if (refSlot !== undefined) {
      const refSource = slots.sources[refSlot];
      const refRaw = slots.values[refSlot];
      if (refSource !== undefined && refRaw !== undefined && node.refFact !== undefined)
        ids.push(addFact(x, node.refFact, refSource.category, refRaw as JsonValue, refSource));
    }
    if (negated ? trace.outcome === 'fail' : trace.outcome === 'pass') {
      const op = node.op as string;
      const actual = redact(category) ? REDACTED : (raw as JsonValue);
      x.reasons.push({
        id: reasonId(x.reasons.length + 1),
        code: negated ? 'condition_not' : 'condition',
        text: reasonText(node, path, negated),
        evidence: ids,
        params:
          node.expected === undefined
            ? { fact: path, op, actual }
            : { fact: path, op, expected: node.expected, actual },
      });
    }
    return trace;
  }
  // A branch's children are annotated when it passed, or when a `not` above it is being explained.
  const down = negated || passed || run(node.p, slots.values) === 1;
  const childNegated = node.kind === 'not' ? !negated : negated;
  const source = node.children;
  const children: TraceNode[] = new Array(source.length);
  for (let i = 0; i < source.length; i++)
    children[i] = annotate(x, source[i] as CNode, childNegated, down, false);
  return traceBranch(node, children, cut);
}

/** Adds an evidence fact for `path` (once per path) and returns its id. */
function addFact(
  x: Explanation,
  path: string,
  category: string,
  value: JsonValue,
  source: Fact | undefined,
): string {
  const evidence = x.evidence;
  for (let i = 0; i < evidence.length; i++) {
    const f = evidence[i] as Fact;
    if (f.path === path) return f.id;
  }
  const id = factId(evidence.length + 1);
  let provenance: Provenance;
  if (source !== undefined) provenance = source.provenance;
  else {
    x.derived ??= { source: 'candor.rules', kind: 'derived', observedAt: x.at, party: 'first' };
    provenance = x.derived;
  }
  evidence.push({ id, path, category, value, provenance });
  return id;
}

const OP_TEXT: Record<string, string> = {
  eq: 'is',
  neq: 'is not',
  gt: 'is above',
  gte: 'is at least',
  lt: 'is below',
  lte: 'is at most',
  in: 'is one of',
  notIn: 'is not one of',
  contains: 'contains',
  notContains: 'does not contain',
  startsWith: 'starts with',
  between: 'is between',
  exists: 'is present',
  matches: 'matches',
  withinLast: 'is within the last',
  daysUntil: 'is this many days away:',
  before: 'is before',
  after: 'is after',
};

/** A leaf's reason text (`txn.amount is above 500`, `not: …` under a `not`), made once per leaf. */
function reasonText(node: CNode, path: string, negated: boolean): string {
  let text = node.text;
  if (text === undefined) {
    const op = node.op as string;
    text = `${path} ${OP_TEXT[op] ?? op}${op === 'exists' ? '' : ` ${show(node.expected)}`}`;
    node.text = text;
  }
  if (!negated) return text;
  let not = node.notText;
  if (not === undefined) {
    not = `not: ${text}`;
    node.notText = not;
  }
  return not;
}

function show(value: JsonValue | undefined): string {
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number'))
    return `${value[0]} and ${value[1]}`;
  return JSON.stringify(value);
}

/** How an explanation names a window leaf: `count(order.returned, 30d)`. */
function windowLabel(node: CNode): string {
  const w = node.window;
  if (w === undefined) return node.path;
  return `${w.agg}(${w.event}${w.field ? `.${w.field}` : ''}, ${w.within})`;
}
