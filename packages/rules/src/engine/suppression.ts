import { traceRule } from '../compile/trace';
import type { CompiledRule, Slots, TraceNode } from '../compile/types';
import type { GateName, Suppression, SuppressionCode } from '../outcome';
import type { RuleEvent } from '../types';

/** @internal The detail of an `insufficient_data` suppression at the conditions gate. */
export const INSUFFICIENT =
  "a fact the conditions need is missing or not readable under the rule's categories";
/** @internal The detail of a `conditions_not_met` suppression. */
export const NOT_MET = 'the conditions did not hold';

/**
 * @internal Every gate, in order: a suppression at gate `n` passed the first `n`; a proposal
 * passed them all (one frozen list for every proposal).
 */
export const ALL_GATES: readonly GateName[] = /* @__PURE__ */ Object.freeze([
  'consent',
  'suppressions',
  'pause',
  'conditions',
  'caps',
  'cooldown',
  'quiet_hours',
  'dedup',
  'conflicts',
]);

/** The gates an outcome at the conditions gate passed: one frozen list for them all. */
const BEFORE_CONDITIONS: readonly GateName[] = Object.freeze(ALL_GATES.slice(0, 3));

/**
 * @internal The suppression a gate reports for `rule`: `passed` gates came before it, `extra`
 * says more (the verdict, the pause, when to retry, …).
 */
export function suppression(
  rule: CompiledRule,
  event: RuleEvent,
  reason: SuppressionCode,
  detail: string,
  passed: number,
  extra: Partial<Suppression> = {},
): Suppression {
  return {
    kind: 'suppression',
    ruleId: rule.id,
    ruleVersion: rule.rule.version,
    eventId: event.id,
    subject: event.subject,
    at: event.at,
    reason,
    detail,
    gatesPassed: ALL_GATES.slice(0, passed),
    ...extra,
  };
}

/**
 * @internal A rule as an engine traces it, with the engine's redaction (`redact`: whether a
 * category's values are hidden): one per rule and engine, so an outcome keeps one reference.
 */
export interface TracedRule {
  readonly rule: CompiledRule;
  readonly redact: (category: string) => boolean;
}

/**
 * @internal A rule whose conditions did not hold (`conditions_not_met`, `insufficient_data`),
 * with its trace: recorded at evaluation (the rule and the slot values it saw, which never change
 * afterwards) and rendered on first read, so an evaluation pays nothing for the traces of the
 * many rules that did not fire until one is read. `JSON.stringify` includes the trace, in the
 * place a plain suppression has it.
 */
export class UnmetConditions implements Suppression {
  // `declare`: assigned in the constructor, not defined first (allocation stays cheap).
  declare readonly kind: 'suppression';
  declare readonly ruleId: string;
  declare readonly ruleVersion: number | string;
  declare readonly eventId: string;
  declare readonly subject: string;
  declare readonly at: number;
  declare readonly reason: SuppressionCode;
  declare readonly detail: string;
  declare readonly gatesPassed: readonly GateName[];
  /** The rule as the engine traces it, until the trace is rendered. */
  #rule: TracedRule | null;
  /** The slots the rule saw, then the rendered trace. */
  #trace: Slots | TraceNode;

  constructor(
    rule: TracedRule,
    ruleId: string,
    ruleVersion: number | string,
    event: RuleEvent,
    insufficient: boolean,
    slots: Slots,
  ) {
    this.kind = 'suppression';
    this.ruleId = ruleId;
    this.ruleVersion = ruleVersion;
    this.eventId = event.id;
    this.subject = event.subject;
    this.at = event.at;
    this.reason = insufficient ? 'insufficient_data' : 'conditions_not_met';
    this.detail = insufficient ? INSUFFICIENT : NOT_MET;
    this.gatesPassed = BEFORE_CONDITIONS;
    this.#rule = rule;
    this.#trace = slots;
  }

  get trace(): TraceNode {
    const rule = this.#rule;
    if (rule !== null) {
      this.#trace = traceRule(rule.rule, this.#trace as Slots, rule.redact);
      this.#rule = null;
    }
    return this.#trace as TraceNode;
  }

  toJSON(): Suppression {
    return {
      kind: this.kind,
      ruleId: this.ruleId,
      ruleVersion: this.ruleVersion,
      eventId: this.eventId,
      subject: this.subject,
      at: this.at,
      reason: this.reason,
      detail: this.detail,
      gatesPassed: this.gatesPassed,
      trace: this.trace,
    };
  }
}
