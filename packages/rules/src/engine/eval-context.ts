import type { ConsentVerdict, Instant, SubjectId } from '@candor/core';
import type { CompiledRule, EventScan, Slots, Tri } from '../compile/types';
import type { GateName, Outcome } from '../outcome';
import type { PastEvent, Reservation, ScheduleEntry, StateLimit } from '../state';
import { isValidTimeZone } from '../time';
import type { RuleEvent } from '../types';
import { noReads, type Reads } from './access';
import type { EngineCore } from './core';

/** @internal A schedule change to write to the state store after an evaluation. */
export type ScheduleOp = { put: ScheduleEntry } | { remove: string };

/**
 * @internal A rule whose conditions held, through gates 5–8 (which fill in its reservation) and,
 * if none suppresses it, waiting for the conflicts gate.
 */
export interface Pending {
  readonly rule: CompiledRule;
  /** Its place among the evaluation's candidates (and outcomes). */
  readonly position: number;
  /** Its place in conflict order (priority, then specificity, then id). */
  readonly rank: number;
  readonly slots: Slots;
  readonly verdict: ConsentVerdict;
  /** The reservation id, which is also the proposal's idempotency key. */
  readonly id: string;
  /** The fire keys the rule counts against (its rule, channel and topic keys), once needed. */
  keys: readonly string[] | null;
  /** The limits its reservation checks (caps, cooldown), once it has one. */
  limits: StateLimit[] | null;
  /** The gates it was allowed to skip, once it skipped one. */
  bypassed: GateName[] | null;
  dedup: Reservation['dedup'];
  /** Whether the engine's view must record the fire (a cap, cooldown or dedup key reads it). */
  counted: boolean;
  /** Made once gates 5–8 passed, when the view records the fire or the run is persisted. */
  reservation: Reservation | null;
}

/** @internal What an evaluation yields, and what `process` must persist. */
export interface Run {
  outcomes: Outcome[];
  /** Each proposal's reservation, at the proposal's place in `outcomes`. */
  reservations: (Reservation | undefined)[];
  scheduleOps: ScheduleOp[];
  past: PastEvent | null;
  /** What the rules read of the customer's data (per evaluation), when the engine records it. */
  reads: Reads[] | null;
}

/**
 * @internal What one evaluation carries (JRE's almanac, ZEN's walker): the event, the consent
 * verdicts asked so far, each rule's view of the facts, the outcomes (one per candidate, in
 * candidate order) and the rules waiting for the conflicts gate. Created per evaluation and passed
 * to each gate; `verdict` and `slots` carry what gates 1 and 4 found for the rule at hand.
 */
export interface EvalContext {
  readonly event: RuleEvent;
  readonly at: Instant;
  /**
   * When the evaluation runs (the engine's clock): the gates that guard what goes out (the
   * customer's suppressions, pauses, quiet hours) hold as of the event and as of now, so a late
   * event is held back by a mute given since, and one stamped ahead by a mute still running.
   */
  readonly now: Instant;
  readonly subject: SubjectId;
  readonly timeZone: string | undefined;
  readonly tzValid: boolean;
  /** Whether the run goes to the state store (`process`), which then needs every reservation. */
  readonly persisting: boolean;
  /** Consent verdicts by consent key (one question per purpose and category signature). */
  readonly verdicts: (ConsentVerdict | undefined)[];
  /**
   * The candidates as `candidates(type)` listed them (the match index serves that list), or null
   * for a list of the engine's own (due entries), whose rules are evaluated whole.
   */
  readonly indexed: readonly CompiledRule[] | null;
  /** The event's facts read once, with the match index's verdicts: made at the first gate 4. */
  scan: EventScan | null;
  /**
   * Each rule's view of the facts, for lists the index does not serve and for contextual
   * fallbacks (made when first needed: null until then).
   */
  slotsFor: ((rule: CompiledRule) => Slots) | null;
  readonly outcomes: Outcome[];
  /** Each proposal's reservation, at its place in `outcomes`. */
  readonly reservations: (Reservation | undefined)[];
  readonly pending: Pending[];
  readonly scheduleOps: ScheduleOp[];
  /** The rules whose conditions read the customer's facts (only when the engine records reads). */
  readonly reads: Reads | null;
  /** Whether the suppression source said nothing of the customer's is suppressed, then or now. */
  readonly unsuppressed: boolean;
  /** Whether no rule can be paused now (no pause held, none possibly missed). */
  readonly unpaused: boolean;
  /** The rule at hand's consent verdict (gate 1) and view of the facts (gate 4). */
  verdict: ConsentVerdict | null;
  slots: Slots | null;
  /**
   * Where the engine records reads: the rule whose conditions ran last (the candidate, or its
   * contextual fallback), what they came to (`ranResult`) and whether every slot it reads is
   * known to hold a value (`ranFull`), for the loop over the candidates to note its read.
   */
  ran: CompiledRule | null;
  ranResult: Tri;
  ranFull: boolean;
  /** `<subject>:<event id>`, the end of every reservation id, joined once a rule passes gate 4. */
  fire: string | null;
}

/**
 * Whether the suppression source says, once for the evaluation, that no rule of the customer's is
 * suppressed at `at` (a source without the question, or failing it, is asked per rule).
 */
function nothingSuppressed(core: EngineCore, subject: SubjectId, at: Instant): boolean {
  const source = core.suppressions;
  if (source === undefined) return true;
  if (source.nothingSuppressed === undefined) return false;
  try {
    return source.nothingSuppressed(subject, at) === true;
  } catch {
    return false;
  }
}

/**
 * @internal A fresh context for evaluating `candidates` on `event` at `now` (`indexed`: the list
 * is one `candidates(type)` returned; `persisting`: the run goes to the state store).
 */
export function createEvalContext(
  core: EngineCore,
  event: RuleEvent,
  now: Instant,
  candidates: readonly CompiledRule[],
  indexed: boolean,
  persisting: boolean,
  scheduleOps: ScheduleOp[],
): EvalContext {
  const at = event.at;
  return {
    event,
    at,
    now,
    subject: event.subject,
    timeZone: event.timeZone,
    tzValid: isValidTimeZone(event.timeZone),
    persisting,
    verdicts: new Array(core.rules.consentKeys),
    indexed: indexed ? candidates : null,
    scan: null,
    slotsFor: indexed ? null : core.set.resolver(event.facts, at),
    outcomes: new Array(candidates.length),
    reservations: [],
    pending: [],
    scheduleOps,
    reads: core.access === null ? null : noReads(core.access, event, candidates.length),
    unsuppressed:
      nothingSuppressed(core, event.subject, at) &&
      (now === at || nothingSuppressed(core, event.subject, now)),
    unpaused: core.view.pauseCount() === 0 && core.pauses.settled(),
    verdict: null,
    slots: null,
    ran: null,
    ranResult: 0,
    ranFull: false,
    fire: null,
  };
}
