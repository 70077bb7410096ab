import { type DataCategoryId, isDottedId } from '@candor/core';
import { fail } from './errors';
import { type ConsentEventKind, categoryEventKinds } from './events';
import type { PurposeRegistry } from './purposes';

const CODE = 'consent/invalid_category';

/**
 * Checks a write's `dataCategories` and returns them without repeats (`undefined` when absent:
 * the whole purpose). Throws `consent/invalid_category` naming `path` (or the item) when the list
 * is not an array of data category ids, is empty, names a category one of `purposes` does not
 * declare, or is given to a kind that is about whole purposes. Nothing is written before it runs.
 *
 * @example
 * categoriesOf(registry, 'withdrawn', ['marketing.email'], ['user.contact.email'], 'input.dataCategories');
 */
export function categoriesOf(
  registry: PurposeRegistry,
  kind: ConsentEventKind,
  purposes: readonly string[],
  value: unknown,
  path: string,
): DataCategoryId[] | undefined {
  if (value === undefined) return undefined;
  if (!categoryEventKinds.includes(kind)) {
    fail(CODE, path, value, `a ${kind} event is about whole purposes: leave dataCategories out`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      CODE,
      path,
      value,
      'name at least one data category, or leave it out for the whole purpose',
    );
  }
  const out: DataCategoryId[] = [];
  for (let i = 0; i < value.length; i++) {
    const category: unknown = value[i];
    if (!isDottedId(category)) {
      fail(CODE, `${path}[${i}]`, category, 'is not a data category id like user.contact.email');
    }
    for (const id of purposes) {
      const purpose = registry.get(id);
      if (purpose !== undefined && registry.classify(purpose, category) === 0) {
        fail(
          CODE,
          `${path}[${i}]`,
          category,
          `${purpose.id} does not declare the data category ${category}`,
        );
      }
    }
    if (!out.includes(category)) out.push(category);
  }
  return out;
}
