import type {
  ChangeRecord,
  ConsentVerdict,
  DecisionRecord,
  Fact,
  Instant,
  SubjectId,
  SuppressionReason,
} from '@candor/core';
import type { TraceNode } from './compile/types';
import { rulesError } from './errors';
import type { Pause } from './state';
import type { Urgency } from './types';

/**
 * The gates a rule passes on its way to a proposal, in order.
 *
 * @example
 * proposal.gatesPassed; // ['consent', 'suppressions', 'pause', 'conditions', 'caps', 'cooldown', 'quiet_hours', 'dedup', 'conflicts']
 */
export type GateName =
  | 'consent'
  | 'suppressions'
  | 'pause'
  | 'conditions'
  | 'caps'
  | 'cooldown'
  | 'quiet_hours'
  | 'dedup'
  | 'conflicts';

/**
 * Why a triggered rule did not fire: consent, a customer's suppression, a pause or kill switch,
 * a cap, a cooldown, quiet hours (with `retryAt` = the deferral time), a duplicate, a lost
 * conflict, missing data, or conditions that did not hold.
 *
 * @example
 * const reason: SuppressionCode = 'quiet_hours';
 */
export type SuppressionCode =
  | 'consent'
  | 'suppressed'
  | 'paused'
  | 'cap'
  | 'cooldown'
  | 'quiet_hours'
  | 'duplicate'
  | 'conflict'
  | 'insufficient_data'
  | 'conditions_not_met';

/**
 * A rule that fired: a core `DecisionRecord` (action, purpose, categories, reasons citing evidence
 * facts with provenance, consent verdicts) plus the rule, the condition trace, the gates passed
 * and an idempotency key for delivery. `toDecisionRecord` strips it to the bare record.
 * A proposal from the engine works out `dataCategories`, `reasons`, `evidence` and `trace` on
 * first read (the values it saw are kept), so evaluations pay nothing for the explanations nobody
 * reads: `JSON.stringify` and `toDecisionRecord` include them; an object spread copies only the
 * other fields (spread `toDecisionRecord(proposal)` instead).
 *
 * @example
 * for (const o of engine.evaluate(event)) if (o.kind === 'proposal') deliver(o.action, o.idempotencyKey);
 */
export interface Proposal extends DecisionRecord {
  readonly kind: 'proposal';
  readonly ruleId: string;
  readonly ruleVersion: number | string;
  readonly eventId: string;
  readonly idempotencyKey: string;
  readonly priority: number;
  readonly urgency: Urgency;
  readonly gatesPassed: readonly GateName[];
  /** Gates a critical rule was allowed to skip (only ever `quiet_hours`). */
  readonly bypassed: readonly GateName[];
  readonly trace: TraceNode;
  /** What came of the rule's `change`, for a rule that declares one (see {@link ChangeOutcome}). */
  readonly change?: ChangeOutcome;
}

/**
 * Why a rule that declares a change sent its message as an offer instead: the customer has not
 * given the change's permission (`no_permission`, with the consent verdict), the engine has no
 * change port (`no_port`), the change port could not make it (`failed`), or the engine was asked
 * synchronously (`evaluate()`/`runDue()` never act; `process()`/`processDue()` do: `not_acted`).
 *
 * @example
 * const why: OfferReason = 'no_permission';
 */
export type OfferReason = 'no_permission' | 'no_port' | 'failed' | 'not_acted';

/**
 * What came of a rule's change: `performed` (the change port made it; `record` is its
 * `performed` {@link ChangeRecord}, with the undo deadline), or `offered` (nothing was changed:
 * the message is an offer, and `reason` and `detail` say why).
 *
 * @example
 * if (proposal.change?.status === 'performed') say(`You can undo this until ${proposal.change.record.undoUntil}`);
 */
export type ChangeOutcome =
  | { readonly status: 'performed'; readonly record: ChangeRecord }
  | {
      readonly status: 'offered';
      readonly reason: OfferReason;
      readonly detail: string;
      readonly consent?: ConsentVerdict;
    };

/**
 * A rule that was triggered and did not fire, with the reason and what it passed before.
 * `retryAt` says when it could fire again (end of quiet hours, cap or cooldown window, dedup
 * expiry), when known.
 *
 * @example
 * if (o.kind === 'suppression' && o.reason === 'quiet_hours') console.log('deferred to', o.retryAt);
 */
export interface Suppression {
  readonly kind: 'suppression';
  readonly ruleId: string;
  readonly ruleVersion: number | string;
  readonly eventId: string;
  readonly subject: SubjectId;
  readonly at: Instant;
  readonly reason: SuppressionCode;
  readonly detail: string;
  readonly gatesPassed: readonly GateName[];
  readonly retryAt?: Instant | null;
  readonly consent?: ConsentVerdict;
  readonly suppression?: SuppressionReason;
  readonly pause?: Pause;
  /** The rule that won a conflict. */
  readonly winner?: string;
  readonly trace?: TraceNode;
}

/**
 * What evaluating a rule yields: a {@link Proposal} or a {@link Suppression}.
 *
 * @example
 * const fired = outcomes.filter((o): o is Proposal => o.kind === 'proposal');
 */
export type Outcome = Proposal | Suppression;

/**
 * The bare core `DecisionRecord` of a proposal (for storage, `parseDecisionRecord`, explain).
 *
 * @example
 * parseDecisionRecord(toDecisionRecord(proposal));
 */
export function toDecisionRecord(proposal: Proposal): DecisionRecord {
  if (typeof proposal !== 'object' || proposal === null || proposal.kind !== 'proposal')
    throw rulesError('rules/invalid_rule', 'expected a Proposal', undefined, 'proposal', proposal);
  const { id, subject, at, source, action, purpose, dataCategories, reasons, evidence, consent } =
    proposal;
  return { id, subject, at, source, action, purpose, dataCategories, reasons, evidence, consent };
}

/** @internal Facts used by a decision, keyed by path. */
export type EvidenceMap = Map<string, Fact>;
