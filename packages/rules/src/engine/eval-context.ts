import type { ConsentVerdict, Instant, SubjectId } from '@candor/core';
import type { CompiledRule, Slots } from '../compile/types';
import type { GateName, Outcome, Proposal } from '../outcome';
import type { PastEvent, Reservation, ScheduleEntry } from '../state';
import { isValidTimeZone } from '../time';
import type { RuleEvent } from '../types';
import type { EngineCore } from './core';

/** @internal A schedule change to write to the state store after an evaluation. */
export type ScheduleOp = { put: ScheduleEntry } | { remove: string };

/** @internal A rule that passed gates 1–8, waiting for the conflicts gate. */
export interface Pending {
  rule: CompiledRule;
  slots: Slots;
  passed: GateName[];
  bypassed: GateName[];
  reservation: Reservation;
  verdict: ConsentVerdict;
}

/** @internal What an evaluation yields, and what `process` must persist. */
export interface Run {
  outcomes: Outcome[];
  reservations: Map<Proposal, Reservation>;
  scheduleOps: ScheduleOp[];
  past: PastEvent | null;
}

/**
 * @internal What one evaluation carries (JRE's almanac, ZEN's walker): the event, the consent
 * verdicts asked so far, each rule's view of the facts, the outcomes and the rules waiting for
 * the conflicts gate. Created per evaluation and passed to each gate.
 */
export interface EvalContext {
  readonly event: RuleEvent;
  readonly at: Instant;
  readonly subject: SubjectId;
  readonly timeZone: string | undefined;
  readonly tzValid: boolean;
  readonly verdicts: Map<string, ConsentVerdict>;
  readonly slotsFor: (rule: CompiledRule) => Slots;
  readonly outcomes: Outcome[];
  readonly pending: Pending[];
  readonly scheduleOps: ScheduleOp[];
}

/** @internal A fresh context for evaluating `event`. */
export function createEvalContext(
  core: EngineCore,
  event: RuleEvent,
  scheduleOps: ScheduleOp[],
): EvalContext {
  const at = event.at;
  return {
    event,
    at,
    subject: event.subject,
    timeZone: event.timeZone,
    tzValid: isValidTimeZone(event.timeZone),
    verdicts: new Map<string, ConsentVerdict>(),
    slotsFor: core.set.resolver(event.facts, at),
    outcomes: [],
    pending: [],
    scheduleOps,
  };
}
