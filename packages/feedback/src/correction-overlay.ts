import type { Fact } from '@candor/core';
import type { Correction } from './correction';
import { requireArray, requireObject } from './errors';

/**
 * The provenance `source` of a fact a customer corrected: explanations cite such a fact as
 * something the customer told us (`kind: 'stated'`).
 *
 * @example
 * fact.provenance.source === correctionSource; // the customer corrected it
 */
export const correctionSource = 'customer_correction';

/**
 * Overlays one customer's accepted corrections onto their facts: a fact whose path and data
 * category an accepted correction names takes the proposed value, as a `stated` fact from the
 * customer (`source: 'customer_correction'`, `observedAt`: when the correction was accepted); the
 * latest accepted correction of a path wins. Every other fact is returned as it was (the same
 * object). Use it in a rule engine's fact provider, so the next decision and its explanation
 * use the corrected value.
 *
 * @example
 * const facts = { async fetch(request) {
 *   const held = await profile.fetch(request);
 *   return overlayCorrections(held, await desk.corrections(request.subject));
 * } };
 */
export function overlayCorrections(
  facts: readonly Fact[],
  corrections: readonly Correction[],
): Fact[] {
  requireArray(facts, 'facts');
  requireArray(corrections, 'corrections');
  for (const [i, f] of facts.entries()) requireObject(f, `facts[${i}]`, 'feedback/invalid_event');
  const latest = new Map<string, Correction>();
  for (const [i, c] of corrections.entries()) {
    requireObject(c, `corrections[${i}]`, 'feedback/invalid_event');
    if (c.status !== 'accepted' || c.decidedAt === null) continue;
    const key = `${c.category}\u0000${c.path}`;
    const seen = latest.get(key);
    if (seen === undefined || (seen.decidedAt ?? 0) < c.decidedAt) latest.set(key, c);
  }
  if (latest.size === 0) return [...facts];
  return facts.map((fact) => {
    const c = latest.get(`${fact.category}\u0000${fact.path}`);
    if (c === undefined || c.decidedAt === null) return fact;
    return {
      id: fact.id,
      path: fact.path,
      category: fact.category,
      value: c.proposed,
      provenance: {
        source: correctionSource,
        kind: 'stated',
        observedAt: c.decidedAt,
        party: 'first',
      },
    };
  });
}
