import type { ConsentGate, ConsentVerdict, Instant, SubjectId } from '@candor/core';
import type { CompiledRule } from '../compile/types';
import type { EngineCore } from './core';

/** @internal A denying verdict for a gate that failed or answered nonsense: consent fails closed. */
export function closedVerdict(purpose: string, detail: string): ConsentVerdict {
  return {
    allowed: false,
    purpose,
    status: 'unknown',
    basis: null,
    reasons: [{ code: 'gate_error', detail }],
    recordIds: [],
    noticeVersion: null,
    expiresAt: null,
  };
}

/** One question to the gate, as of `at` or (undefined) now; anything but a verdict denies. */
function ask(
  consent: ConsentGate,
  rule: CompiledRule,
  subject: SubjectId,
  at: Instant | undefined,
  purpose: string = rule.rule.purpose,
): ConsentVerdict {
  const { dataCategories } = rule.rule;
  try {
    const verdict =
      at === undefined
        ? consent.decide({ subject, purpose, dataCategories })
        : consent.decide({ subject, purpose, dataCategories, at });
    if (
      typeof verdict !== 'object' ||
      verdict === null ||
      (verdict.allowed !== true && verdict.allowed !== false)
    )
      return closedVerdict(purpose, 'the consent gate returned no verdict');
    return verdict;
  } catch (error) {
    return closedVerdict(purpose, `the consent gate failed: ${(error as Error)?.message ?? error}`);
  }
}

/**
 * @internal Consent as of the event and as of now, both required: an event that waited in a
 * queue (or is retried, or backfilled) past a withdrawal is held back. The event-time verdict is
 * the one a proposal carries when both allow. Asked once per consent question (purpose and
 * category signature) per `cache`: one cache per evaluation, indexed by `RuleTable.consentKey`.
 */
export function decide(
  core: EngineCore,
  rule: CompiledRule,
  subject: SubjectId,
  at: Instant,
  cache: (ConsentVerdict | undefined)[],
): ConsentVerdict {
  const key = core.rules.consentKey(rule);
  let verdict = cache[key];
  if (verdict === undefined) {
    const consent = core.consent;
    verdict = ask(consent, rule, subject, at);
    if (verdict.allowed) {
      const now = ask(consent, rule, subject, undefined);
      if (!now.allowed) verdict = now;
    }
    cache[key] = verdict;
  }
  return verdict;
}

/**
 * @internal The permission a rule's change needs (`change.purpose`, with the rule's data
 * categories), as of the decision and as of now: both must allow it, or the change is not made.
 */
export function decideChange(
  core: EngineCore,
  rule: CompiledRule,
  purpose: string,
  subject: SubjectId,
  at: Instant,
): ConsentVerdict {
  const then = ask(core.consent, rule, subject, at, purpose);
  return then.allowed ? ask(core.consent, rule, subject, undefined, purpose) : then;
}
