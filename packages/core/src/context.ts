import { isWithin } from './ids';
import type { DataCategoryId } from './schemas';

/**
 * The context categories: what a message can rest on without knowing who the customer is — the
 * time, a coarse region, a device class, the weather, public events. A policy pack may treat
 * them as not personal (`@candor/consent`'s `PolicyPack.notPersonal`); a rule's contextual
 * fallback reads only them. A child (`context.region.country`) is a context category too.
 *
 * @example
 * contextCategories.includes('context.weather'); // true
 */
export const contextCategories: readonly DataCategoryId[] = /* @__PURE__ */ Object.freeze([
  'context.time',
  'context.region',
  'context.device',
  'context.weather',
  'context.events',
]);

/**
 * True when `category` is one of the {@link contextCategories} or within one; `false` for
 * anything else, including a made-up `context.*` name and anything that is not a string.
 *
 * @example
 * isContextCategory('context.region.country'); // true
 * isContextCategory('user.location.approximate'); // false
 */
export function isContextCategory(category: unknown): boolean {
  if (typeof category !== 'string') return false;
  for (const listed of contextCategories) if (isWithin(category, listed)) return true;
  return false;
}
