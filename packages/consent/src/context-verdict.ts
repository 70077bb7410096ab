import { type ConsentVerdict, type DataCategoryId, isWithin } from '@candor/core';
import { frozenVerdict } from './evaluate';
import type { PolicyPack } from './policy';
import type { Purpose } from './purposes';

// Context categories (the time, a coarse region, a device class, the weather, public events) a
// policy pack treats as not personal need no consent: a decision that uses only them is allowed
// whatever the customer chose about the purpose. Anything personal among them, a pack that does
// not list them, or a direct-marketing purpose (a "no" to being contacted with offers holds
// whatever the offer rests on), and the decision is asked like any other.

const cache = /* @__PURE__ */ new WeakMap<PolicyPack, Map<string, ConsentVerdict>>();

/**
 * The verdict for a decision of `purpose` that uses only `categories`, when `pack` treats every
 * one of them as not personal; else `null` (ask the ledger). Verdicts are memoized per pack.
 *
 * @example
 * contextVerdict(purpose, ['context.weather'], policyPacks.eu)?.reasons[0]?.code; // 'not_personal'
 */
export function contextVerdict(
  purpose: Purpose,
  categories: readonly DataCategoryId[],
  pack: PolicyPack,
): ConsentVerdict | null {
  const listed = pack.notPersonal;
  if (listed === undefined || listed.length === 0) return null;
  if (purpose.tags?.includes('direct_marketing') === true) return null;
  for (const category of categories) {
    if (!listed.some((c) => isWithin(category, c))) return null;
  }
  let byKey = cache.get(pack);
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(pack, byKey);
  }
  const key = `${purpose.id}\u0000${categories.join('\u0000')}`;
  let verdict = byKey.get(key);
  if (verdict === undefined) {
    verdict = frozenVerdict(
      purpose.id,
      true,
      'not_required',
      null,
      'not_personal',
      `${purpose.title} may use ${categories.join(', ')}: ${pack.title} treats them as not personal data`,
    );
    if (byKey.size >= 1_000) byKey.clear();
    byKey.set(key, verdict);
  }
  return verdict;
}
