import type { DataCategoryId, Fact } from '@candor/core';
import { type CompiledCatalog, type InstantFormats, instantFormats } from '../catalog';
import type { FactSpeaker } from '../conditions';
import { type FactBook, parseWindowPath, type ResolvedFact } from '../facts';
import type { ExplanationWarning, LabelKind } from '../types';
import { formatDuration, formatValue } from '../values';

/**
 * How one explanation names things in its locale: labels from the catalog (a missing one is
 * reported once in `warnings` and replaced by the id in words), and facts by their description in
 * the registry, else by their category.
 *
 * @example
 * const speaker = createSpeaker(context.facts, catalog, warnings);
 * speaker.label('purposes', record.purpose); // 'fraud protection'
 */
export interface Speaker extends FactSpeaker {
  /** The catalog's label of `id`, else a fallback (and, except for sources, a warning). */
  label(kind: LabelKind, id: string): string;
  /** The label of a data category, computed once per explanation. */
  categoryLabel(category: DataCategoryId): string;
  /** The fact's value as shown: formatted by its description, else by its JSON type. */
  shownValue(fact: Fact): string;
  /** How instants (when something happened) are written, in the customer's time zone. */
  readonly instants: InstantFormats;
}

/** The evidence a decision cites for the event that triggered it: its type, named by its label. */
const EVENT_TYPE = 'event.type';

/**
 * A `Speaker` for one explanation; `warnings` receives each missing label once; instants are
 * written in `timeZone` (default UTC).
 *
 * @example
 * const { name, shownValue } = createSpeaker(context.facts, catalog, warnings);
 */
export function createSpeaker(
  book: FactBook,
  catalog: CompiledCatalog,
  warnings: ExplanationWarning[],
  timeZone?: string,
): Speaker {
  const missing = new Set<string>();
  const label = (kind: LabelKind, id: string): string => {
    const found = catalog.label(kind, id);
    if (found !== null) return found;
    if (kind === 'sources') return words(id);
    if (!missing.has(`${kind}:${id}`)) {
      missing.add(`${kind}:${id}`);
      warnings.push({ code: 'missing_label', kind, id });
    }
    if (kind === 'rules' || kind === 'events') return words(id);
    if (kind === 'changes') return catalog.format('change.fallback', { name: words(id) });
    return catalog.format('label.fallback', { name: humanize(id), kind });
  };
  const categoryLabels = new Map<DataCategoryId, string>();
  const categoryLabel = (category: DataCategoryId) => {
    let text = categoryLabels.get(category);
    if (text === undefined) {
      text = label('categories', category);
      categoryLabels.set(category, text);
    }
    return text;
  };
  // How facts are named and shown: their description in the registry, else their category.
  const describe = (fact: Fact): ResolvedFact | null => {
    const found = book.resolve(fact.path, catalog);
    if ((found === null || found.label === null) && !missing.has(`facts:${fact.path}`)) {
      missing.add(`facts:${fact.path}`);
      warnings.push({ code: 'missing_label', kind: 'facts', id: fact.path });
    }
    return found;
  };
  const windowName = (fact: Fact, data: string): string | null => {
    const window = parseWindowPath(fact.path);
    return window === null
      ? null
      : catalog.format('fact.window', {
          agg: window.agg,
          data,
          within: formatDuration(window.withinMs, catalog),
        });
  };
  const name = (fact: Fact): string => {
    const own = describe(fact)?.label;
    if (own) return own;
    const category = categoryLabel(fact.category);
    return windowName(fact, category) ?? category;
  };
  const subject = (fact: Fact): string => {
    const own = describe(fact)?.label;
    if (own) return own;
    const category = categoryLabel(fact.category);
    return windowName(fact, category) ?? catalog.format('fact.fallback', { data: category });
  };
  const values = new Map<string, string>();
  const shownValue = (fact: Fact) => {
    let text = values.get(fact.id);
    if (text === undefined) {
      const own = describe(fact);
      text = own
        ? own.format(fact.value)
        : fact.path === EVENT_TYPE && typeof fact.value === 'string'
          ? label('events', fact.value)
          : formatValue(fact.value, catalog);
      values.set(fact.id, text);
    }
    return text;
  };
  return {
    catalog,
    label,
    categoryLabel,
    describe,
    name,
    subject,
    shownValue,
    instants: instantFormats(catalog, timeZone),
  };
}

function humanize(id: string): string {
  return words(id.slice(id.lastIndexOf('.') + 1));
}

const wordsCache = /* @__PURE__ */ new Map<string, string>();

/** A whole id in words (`storm-rebooking` → `storm rebooking`), for names nobody labelled. */
function words(id: string): string {
  let text = wordsCache.get(id);
  if (text === undefined) {
    text = id
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
      .replace(/[._-]+/g, ' ')
      .trim()
      .toLowerCase();
    if (text === '') text = id;
    if (wordsCache.size >= 1_000) wordsCache.clear();
    wordsCache.set(id, text);
  }
  return text;
}
