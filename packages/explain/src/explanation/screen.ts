import type {
  ConsentGate,
  ConsentQuery,
  ConsentVerdict,
  DataCategoryId,
  DecisionRecord,
  Fact,
  Instant,
} from '@candor/core';
import { isContextCategory } from '@candor/core';
import { explainError } from '../errors';
import type { ResolvedPolicy } from '../policy';
import type { ExplanationWarning, WithheldReason } from '../types';
import { categoriesOf } from './lists';

/**
 * The decision's evidence after the honesty guards: which facts may be named now, which are
 * withheld and why, which are stale, and the consent verdict now for each category used.
 *
 * @example
 * const { visible, hidden } = screenEvidence(record, consent, policy, at, warnings);
 */
export interface ScreenedEvidence {
  /** The verdict now for each category the decision used: a customer may have granted only some. */
  readonly verdictByCategory: ReadonlyMap<DataCategoryId, ConsentVerdict | null>;
  readonly hidden: ReadonlyMap<string, WithheldReason>;
  readonly stale: ReadonlyMap<string, boolean>;
  /** The evidence that may be named, in order. */
  readonly visible: readonly Fact[];
}

/**
 * Honesty guards: TTL, consent now, sensitive categories. Throws `explain/stale_evidence` for a
 * fact past a blocking TTL; warns (in `warnings`) about stale facts it still shows.
 *
 * @example
 * const screened = screenEvidence(record, options.consent, policy, clock.now(), warnings);
 */
export function screenEvidence(
  record: DecisionRecord,
  consent: ConsentGate,
  policy: ResolvedPolicy,
  at: Instant,
  warnings: ExplanationWarning[],
): ScreenedEvidence {
  const verdictByCategory = new Map<DataCategoryId, ConsentVerdict | null>();
  const hidden = new Map<string, WithheldReason>();
  const stale = new Map<string, boolean>();
  record.evidence.forEach((fact, index) => {
    const ttl = policy.ttl(fact.category);
    const age = at - fact.provenance.observedAt;
    const isStale = ttl !== null && age > ttl.maxAgeMs;
    if (isStale && ttl.action === 'block')
      throw explainError(
        'explain/stale_evidence',
        `decision.evidence[${index}]: fact "${fact.id}" is ${Math.round(age / 3_600_000)} h old, older than its TTL of ${Math.round(ttl.maxAgeMs / 3_600_000)} h`,
        { path: `decision.evidence[${index}]`, value: fact.id, ageMs: age, maxAgeMs: ttl.maxAgeMs },
      );
    stale.set(fact.id, isStale);
    let verdict = verdictByCategory.get(fact.category);
    if (verdict === undefined) {
      verdict = decide(consent, {
        subject: record.subject,
        purpose: record.purpose,
        dataCategories: [fact.category],
        at,
      });
      verdictByCategory.set(fact.category, verdict);
    }
    if (verdict?.allowed !== true) hidden.set(fact.id, 'consent_not_allowed');
    else if (!policy.mayName(fact.category)) hidden.set(fact.id, 'sensitive_category');
    else if (isStale)
      warnings.push({
        code: 'stale_evidence',
        factId: fact.id,
        ageMs: age,
        maxAgeMs: ttl.maxAgeMs,
      });
  });
  const visible = record.evidence.filter((fact) => !hidden.has(fact.id));
  return { verdictByCategory, hidden, stale, visible };
}

/**
 * The verdict now for the purpose as a whole, else (a customer who granted only some of its
 * categories) for the purpose with the personal categories shown, which are all allowed now.
 * Context shown alone (the weather) needs no consent, so it says nothing of the purpose: a
 * purpose withdrawn stays withdrawn.
 *
 * @example
 * purposeVerdictOf(record, options.consent, screened.visible, at)?.allowed; // true
 */
export function purposeVerdictOf(
  record: DecisionRecord,
  consent: ConsentGate,
  visible: readonly Fact[],
  at: Instant,
): ConsentVerdict | null {
  const purposeVerdict = decide(consent, {
    subject: record.subject,
    purpose: record.purpose,
    dataCategories: [],
    at,
  });
  const personal = categoriesOf(visible).filter((category) => !isContextCategory(category));
  if (purposeVerdict?.allowed !== true && personal.length > 0)
    return decide(consent, {
      subject: record.subject,
      purpose: record.purpose,
      dataCategories: personal,
      at,
    });
  return purposeVerdict;
}

/**
 * How a customer stops an allowed use: withdraw a consent, object to a legitimate interest.
 *
 * @example
 * mechanismOf({ allowed: true, basis: 'consent', ... }); // 'withdraw'
 */
export function mechanismOf(verdict: ConsentVerdict | null): 'withdraw' | 'object' | null {
  if (verdict?.allowed !== true) return null;
  return verdict.basis === 'consent'
    ? 'withdraw'
    : verdict.basis === 'legitimate_interest'
      ? 'object'
      : null;
}

function decide(gate: ConsentGate, query: ConsentQuery): ConsentVerdict | null {
  const verdict = gate.decide(query);
  return typeof verdict === 'object' && verdict !== null ? verdict : null;
}
