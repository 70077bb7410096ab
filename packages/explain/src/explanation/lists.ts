import type { DataCategoryId, Fact } from '@candor/core';
import type { CompiledCatalog } from '../catalog';

/**
 * Joins labels with Intl.ListFormat ("a, b and c"); one item needs no formatter.
 *
 * @example
 * joinList(catalog, ['your card', 'your address']); // 'your card and your address'
 */
export function joinList(catalog: CompiledCatalog, items: readonly string[]): string {
  if (items.length === 1) return items[0]!;
  let cache = listCache.get(catalog);
  if (!cache) {
    cache = new Map();
    listCache.set(catalog, cache);
  }
  const key = items.join('\u0001');
  let text = cache.get(key);
  if (text === undefined) {
    text = catalog.list.format(items);
    if (cache.size >= 2_000) cache.clear();
    cache.set(key, text);
  }
  return text;
}

const listCache = /* @__PURE__ */ new WeakMap<CompiledCatalog, Map<string, string>>();

/**
 * The distinct categories of `facts`, in order (plain loops: these lists are short and hot).
 *
 * @example
 * categoriesOf(record.evidence); // ['user.financial.card']
 */
export function categoriesOf(facts: readonly Fact[]): DataCategoryId[] {
  const out: DataCategoryId[] = [];
  for (const fact of facts) if (!out.includes(fact.category)) out.push(fact.category);
  return out;
}

/**
 * The ids of the facts of `category`, in order.
 *
 * @example
 * idsOfCategory(visible, 'user.financial.card'); // ['f1']
 */
export function idsOfCategory(facts: readonly Fact[], category: DataCategoryId): string[] {
  const out: string[] = [];
  for (const fact of facts) if (fact.category === category) out.push(fact.id);
  return out;
}

/**
 * The distinct names of `facts`, in order.
 *
 * @example
 * distinctNames(shown, speaker.name); // ['your card details']
 */
export function distinctNames(facts: readonly Fact[], name: (fact: Fact) => string): string[] {
  const out: string[] = [];
  for (const fact of facts) {
    const text = name(fact);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}
