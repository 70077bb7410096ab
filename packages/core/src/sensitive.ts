import { CandorError } from './errors';
import { isWithin } from './ids';
import type { DataCategoryId } from './schemas';

/**
 * The data categories every Candor package treats as sensitive unless told otherwise: the special
 * categories of GDPR Art. 9 and Art. 10 (health, biometric, genetic, racial or ethnic origin,
 * political opinions, religious beliefs, trade-union membership, sex life and sexual orientation,
 * criminal records) and what CPRA also calls sensitive (precise location, government ids, account
 * credentials). A child category (`user.health.condition`) is sensitive when its parent is listed.
 * consent asks for an explicit opt-in to use them; explain never names them or shows their values.
 *
 * @example
 * sensitiveCategories.includes('user.government_id'); // true
 */
export const sensitiveCategories: readonly DataCategoryId[] = /* @__PURE__ */ Object.freeze([
  'user.health',
  'user.biometric',
  'user.genetic',
  'user.location.precise',
  'user.racial_ethnic_origin',
  'user.political_opinion',
  'user.religious_belief',
  'user.trade_union',
  'user.sexual_orientation',
  'user.sex_life',
  'user.criminal',
  'user.government_id',
  'user.financial.account_credentials',
]);

/**
 * True when `category` is {@link sensitiveCategories | sensitive} or within one of them, or
 * within one of the `extra` categories an app adds; `false` for anything that is not a string.
 * Throws `core/invalid_input` when `extra` is not an array.
 *
 * @example
 * isSensitiveCategory('user.health.condition'); // true
 * isSensitiveCategory('user.children.age', ['user.children']); // true
 */
export function isSensitiveCategory(
  category: unknown,
  extra: readonly DataCategoryId[] = [],
): boolean {
  if (!Array.isArray(extra)) {
    throw new CandorError('core/invalid_input', 'extra: must be an array of data categories', {
      path: 'extra',
      value: extra,
    });
  }
  if (typeof category !== 'string') return false;
  for (const listed of sensitiveCategories) if (isWithin(category, listed)) return true;
  for (const listed of extra) if (isWithin(category, listed)) return true;
  return false;
}
