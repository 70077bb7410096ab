import type { Action, DecisionRecord } from '@candor/core';
import type { CNode, CompiledRule, CompiledRuleSet, Slots } from '../compile/types';
import { hashOn, hashState } from './hash';
import type { TracedRule } from './suppression';

type DecisionSource = DecisionRecord['source'];

/**
 * @internal A candidate list as an evaluation's loop reads it, side by side by candidate
 * (instead of each rule's own object): made once per list, see `RuleTable.plan`.
 */
export interface CandidatePlan {
  /** Each candidate's place in the table (`order`). */
  readonly orders: Int32Array;
  /**
   * Each candidate's consent question where a failed gate leaf with every fact present decides
   * its conditions (no `matches` leaf, no window), else -1.
   */
  readonly unmetKeys: Int32Array;
  /** Each candidate's data-category signature. */
  readonly sigIndexes: Int32Array;
}

/**
 * @internal What the engine works out once per rule, so that an evaluation only reads it: which
 * consent question the rule asks (rules with one purpose and one category signature ask one), its
 * place in conflict order, and the prefixes of its reservation id and fire keys.
 */
export class RuleTable {
  /** How many distinct consent questions the rules ask. */
  readonly consentKeys: number;
  readonly #consentKey: Int32Array;
  readonly #rank: Int32Array;
  readonly #idPrefix: string[];
  /** The proposal-id hash's state after each rule's id prefix: its two lanes at `2 × order`. */
  readonly #idHash: Int32Array;
  /** Each rule with the engine's redaction, as its unmet outcomes keep it for their traces. */
  readonly #traced: TracedRule[];
  /** Each rule's action as its proposals carry it (a critical rule's marked `critical: true`). */
  readonly #action: Action[];
  readonly #purpose: string[];
  /**
   * Each rule's version, topic and channel, side by side: the gates before the conditions read
   * them for every triggered rule, and a thousand rules' own objects do not stay in cache.
   */
  readonly #version: (number | string)[];
  readonly #id: string[];
  readonly #sigIndex: Int32Array;
  /** Each candidate list's plan (see `plan`). */
  readonly #plans = new WeakMap<readonly CompiledRule[], CandidatePlan>();
  readonly #topic: string[];
  readonly #channel: string[];
  /**
   * The slots each rule's conditions read, all rules' in one array (`#slotFrom[order]` to
   * `#slotFrom[order + 1]`), for the same reason.
   */
  readonly #slotFrom: Int32Array;
  readonly #slotList: Int32Array;
  /**
   * Each rule's slots as bits of `Slots.present`, where it reads no window and only slots below
   * 32 (`#narrow` 1): its facts' presence is then one mask.
   */
  readonly #presence: Int32Array;
  readonly #narrow: Uint8Array;
  /** 1 when the rule reads a window over past events. */
  readonly #readsWindow: Uint8Array;
  /** Each rule's proposal source (`{ kind: 'rule', id, version }`), frozen. */
  readonly #source: DecisionSource[];
  /** Each rule's data categories, each once, in order. */
  readonly #categories: (readonly string[])[];
  /**
   * 1 when some rule's cap or cooldown counts this rule's fires (on its rule, channel or topic
   * key).
   */
  readonly #firesCounted: Uint8Array;
  /**
   * 1 when the rule has no leaf that can be unknown while its facts are present (`matches`
   * can).
   */
  readonly #decidedWhenPresent: Uint8Array;
  /**
   * 1 when the rule has a cap, a cooldown, quiet hours of its own or a dedup key: gates 5–8 have
   * something to check (with the engine's default quiet hours, every rule has).
   */
  readonly #limited: Uint8Array;
  /** 1 when the rule has an exclusion group or its channel a budget: the conflicts gate may drop it. */
  readonly #contends: Uint8Array;
  /** 1 when none of `#firesCounted`, `#limited` and `#contends` is. */
  readonly #free: Uint8Array;

  constructor(
    set: CompiledRuleSet,
    budgets: Readonly<Record<string, number>> = {},
    redact: (category: string) => boolean = () => false,
  ) {
    // The rules, then their contextual fallbacks: each rule's `order` is its place here.
    const rules = set.fallbacks.length === 0 ? set.rules : [...set.rules, ...set.fallbacks];
    const keys = new Map<string, number>();
    this.#consentKey = Int32Array.from(rules, (rule) => {
      const key = `${rule.rule.purpose}|${rule.signature}`;
      let k = keys.get(key);
      if (k === undefined) {
        k = keys.size;
        keys.set(key, k);
      }
      return k;
    });
    this.consentKeys = keys.size;
    // Conflict order: highest priority, then the more specific rule, then the smaller id.
    const ranked = [...rules].sort(
      (a, b) =>
        b.priority - a.priority ||
        b.specificity - a.specificity ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    this.#rank = new Int32Array(rules.length);
    ranked.forEach((rule, i) => {
      this.#rank[rule.order] = i;
    });
    this.#idPrefix = rules.map((rule) => `${rule.id}@${rule.rule.version}:`);
    this.#idHash = Int32Array.from(this.#idPrefix.flatMap(hashState));
    // A critical rule's action says so, so that an explanation offers no mute for it.
    this.#action = rules.map((rule) =>
      rule.urgency === 'critical'
        ? Object.freeze({ ...rule.rule.action, critical: true })
        : rule.rule.action,
    );
    this.#purpose = rules.map((rule) => rule.rule.purpose);
    this.#traced = rules.map((rule) => Object.freeze({ rule, redact }));
    this.#version = rules.map((rule) => rule.rule.version);
    this.#id = rules.map((rule) => rule.id);
    this.#sigIndex = Int32Array.from(rules, (rule) => rule.sigIndex);
    this.#topic = rules.map((rule) => rule.rule.action.topic);
    this.#channel = rules.map((rule) => rule.rule.action.channel);
    this.#slotFrom = new Int32Array(rules.length + 1);
    const slotList: number[] = [];
    rules.forEach((rule, i) => {
      slotList.push(...rule.slots);
      this.#slotFrom[i + 1] = slotList.length;
    });
    this.#slotList = Int32Array.from(slotList);
    const windowSlots = new Set(set.windows.map((w) => w.slot));
    this.#readsWindow = Uint8Array.from(rules, (rule) =>
      rule.slots.some((slot) => windowSlots.has(slot)) ? 1 : 0,
    );
    this.#narrow = Uint8Array.from(rules, (rule, order) =>
      this.#readsWindow[order] === 0 && rule.slots.every((slot) => slot < 32) ? 1 : 0,
    );
    this.#presence = Int32Array.from(rules, (rule) =>
      rule.slots.reduce((bits, slot) => bits | (1 << (slot & 31)), 0),
    );
    this.#source = rules.map((rule) =>
      Object.freeze({ kind: 'rule' as const, id: rule.id, version: rule.rule.version }),
    );
    this.#categories = rules.map((rule) => [...new Set(rule.rule.dataCategories)]);
    const channels = new Set<string>();
    const topics = new Set<string>();
    for (const rule of rules)
      for (const cap of rule.caps) {
        if (cap.scope === 'channel') channels.add(rule.rule.action.channel);
        else if (cap.scope === 'topic') topics.add(rule.rule.action.topic);
      }
    this.#firesCounted = Uint8Array.from(rules, (rule) =>
      rule.cooldownMs !== null ||
      rule.caps.some((cap) => cap.scope === 'rule') ||
      channels.has(rule.rule.action.channel) ||
      topics.has(rule.rule.action.topic)
        ? 1
        : 0,
    );
    this.#limited = Uint8Array.from(rules, (rule) =>
      rule.caps.length > 0 || rule.cooldownMs !== null || rule.quiet != null || rule.dedup !== null
        ? 1
        : 0,
    );
    this.#contends = Uint8Array.from(rules, (rule) =>
      rule.rule.exclusionGroup !== undefined || budgets[rule.rule.action.channel] !== undefined
        ? 1
        : 0,
    );
    this.#free = this.#limited.map((limited, order) =>
      limited === 0 && this.#firesCounted[order] === 0 && this.#contends[order] === 0 ? 1 : 0,
    );
    this.#decidedWhenPresent = Uint8Array.from(rules, (rule) =>
      rule.root === null || !hasLeaf(rule.root, 'matches') ? 1 : 0,
    );
  }

  /**
   * Whether some rule's cap or cooldown counts `rule`'s fires: if not, and its reservation has no
   * limit or dedup key, recording the fire in the engine's view would change nothing it answers.
   */
  firesCounted(rule: CompiledRule): boolean {
    return this.#firesCounted[rule.order] === 1;
  }

  /** Whether `rule` has a cap, a cooldown, quiet hours of its own or a dedup key. */
  limited(rule: CompiledRule): boolean {
    return this.#limited[rule.order] === 1;
  }

  /**
   * Whether nothing after the conditions can hold `rule` back but the engine's default quiet
   * hours: no cap, cooldown, quiet hours or dedup key of its own, no exclusion group or channel
   * budget, and no rule counts its fires.
   */
  free(rule: CompiledRule): boolean {
    return this.#free[rule.order] === 1;
  }

  /** Whether `rule` has an exclusion group or its channel a budget. */
  contends(rule: CompiledRule): boolean {
    return this.#contends[rule.order] === 1;
  }

  /**
   * Whether `rule`'s conditions are true or false, never unknown, when every fact it reads is
   * present (only a `matches` leaf over too long an input is unknown with its fact present).
   */
  decidedWhenPresent(rule: CompiledRule): boolean {
    return this.#decidedWhenPresent[rule.order] === 1;
  }

  /** A list of candidates' plan (made on first use, then kept with the list). */
  plan(candidates: readonly CompiledRule[]): CandidatePlan {
    let plan = this.#plans.get(candidates);
    if (plan === undefined) {
      const orders = Int32Array.from(candidates, (rule) => rule.order);
      plan = {
        orders,
        unmetKeys: orders.map((order) =>
          this.#decidedWhenPresent[order] === 1 && this.#readsWindow[order] === 0
            ? (this.#consentKey[order] as number)
            : -1,
        ),
        sigIndexes: orders.map((order) => this.#sigIndex[order] as number),
      };
      this.#plans.set(candidates, plan);
    }
    return plan;
  }

  /** The id of the rule at `order`. */
  idAt(order: number): string {
    return this.#id[order] as string;
  }

  /** The rule at `order` as the engine traces it. */
  tracedAt(order: number): TracedRule {
    return this.#traced[order] as TracedRule;
  }

  /** The version of the rule at `order`. */
  versionAt(order: number): number | string {
    return this.#version[order] as number | string;
  }

  /** How many slots the conditions of the rule at `order` read. */
  slotCountAt(order: number): number {
    return (this.#slotFrom[order + 1] as number) - (this.#slotFrom[order] as number);
  }

  /** Which of the first 31 slots the rule at `order` reads hold a value in `values` (bit k: its k-th). */
  maskAt(order: number, values: readonly unknown[]): number {
    const list = this.#slotList;
    const from = this.#slotFrom[order] as number;
    const to = Math.min(this.#slotFrom[order + 1] as number, from + 31);
    let mask = 0;
    for (let i = from; i < to; i++)
      if (values[list[i] as number] !== undefined) mask |= 1 << (i - from);
    return mask;
  }

  /** Whether every slot the rule at `order` reads has a value in `slots` (windows filled first). */
  presentAt(order: number, slots: Slots): boolean {
    if (this.#narrow[order] === 1) {
      const bits = this.#presence[order] as number;
      return (slots.present & bits) === bits;
    }
    const values = slots.values;
    const list = this.#slotList;
    const to = this.#slotFrom[order + 1] as number;
    for (let i = this.#slotFrom[order] as number; i < to; i++)
      if (values[list[i] as number] === undefined) return false;
    return true;
  }

  /** `rule`'s version. */
  version(rule: CompiledRule): number | string {
    return this.#version[rule.order] as number | string;
  }

  /** `rule`'s action's topic. */
  topic(rule: CompiledRule): string {
    return this.#topic[rule.order] as string;
  }

  /** `rule`'s action's channel. */
  channel(rule: CompiledRule): string {
    return this.#channel[rule.order] as string;
  }

  /** Which consent question `rule` asks (verdicts are memoized per question and evaluation). */
  consentKey(rule: CompiledRule): number {
    return this.#consentKey[rule.order] as number;
  }

  /** `rule`'s place in conflict order. */
  rank(rule: CompiledRule): number {
    return this.#rank[rule.order] as number;
  }

  /** A proposal's id: `prop_` and the hash of its idempotency key (its reservation id). */
  proposalId(rule: CompiledRule, subject: string, eventId: string): string {
    const at = rule.order * 2;
    return hashOn(this.#idHash[at] as number, this.#idHash[at + 1] as number, subject, eventId);
  }

  /** An access record's id: `acc_` and the same hash (bounded, whatever the ids' lengths). */
  accessId(rule: CompiledRule, subject: string, eventId: string): string {
    return `acc_${this.proposalId(rule, subject, eventId).slice(5)}`;
  }

  /** What `rule`'s proposals carry as their action. */
  action(rule: CompiledRule): Action {
    return this.#action[rule.order] as Action;
  }

  /** `rule`'s purpose. */
  purpose(rule: CompiledRule): string {
    return this.#purpose[rule.order] as string;
  }

  /** What `rule`'s proposals name as their source. */
  source(rule: CompiledRule): DecisionSource {
    return this.#source[rule.order] as DecisionSource;
  }

  /** `rule`'s data categories, each once, in declaration order (to copy, not to change). */
  categories(rule: CompiledRule): readonly string[] {
    return this.#categories[rule.order] as readonly string[];
  }

  /**
   * A fire's reservation id and idempotency key, `<rule>@<version>:<subject>:<event id>`, from
   * the event's `<subject>:<event id>` (joined once per evaluation, see `EvalContext.fire`).
   */
  reservationId(rule: CompiledRule, fire: string): string {
    return (this.#idPrefix[rule.order] as string) + fire;
  }
}

function hasLeaf(node: CNode, op: string): boolean {
  if (node.op === op && (node.kind === 'fact' || node.kind === 'window')) return true;
  for (const child of node.children) if (hasLeaf(child, op)) return true;
  return false;
}
