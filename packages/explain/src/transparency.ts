import { type DataCategoryId, isDottedId, type PurposeId, type TopicId } from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { explainError, isPlainRecord } from './errors';
import { type CatalogLintOptions, lintCatalog } from './lint';
import { resolveLocale } from './locale';
import type { ExplanationWarning, LabelKind } from './types';

/**
 * Text given in one language for all, or per locale (`{ en: 'Card expiry', de: 'Kartenablauf' }`).
 *
 * @example
 * const label: LocalizedText = { en: 'Card expiry reminder', de: 'Erinnerung an den Kartenablauf' };
 */
export type LocalizedText = string | Readonly<Record<string, string>>;

/**
 * One main parameter of a system that decides what customers see: what it is for, what data it
 * uses, and its weight relative to the others. A rule maps to one: `{ id: rule.id, label: <what
 * customers call it, per locale>, purpose: rule.purpose, dataCategories: rule.dataCategories,
 * weight: rule.priority }`. Without a label the page names it after its id, in quotes, and warns
 * (`missing_label`, kind `parameters`): customers should never read an id.
 *
 * @example
 * const p: RankingParameter = { id: 'card-expiry', label: 'Card expiry reminder', purpose: 'service.proactive_support', dataCategories: ['user.financial.card'], weight: 10 };
 */
export interface RankingParameter {
  readonly id: string;
  readonly label?: LocalizedText | undefined;
  readonly purpose: PurposeId;
  readonly dataCategories: readonly DataCategoryId[];
  /** Relative importance, ≥ 0 (a rule's priority, a model feature's weight). */
  readonly weight: number;
  readonly topic?: TopicId | undefined;
}

/**
 * A parameter registry: the system's name, its version and its main parameters. The input for
 * the DSA Art. 27 "main parameters and their relative importance" page.
 *
 * @example
 * const registry: ParameterRegistry = { name: 'Proactive messages', version: '2026-06', parameters: rules.map(toParameter) };
 */
export interface ParameterRegistry {
  readonly name: LocalizedText;
  readonly version: string | number;
  readonly parameters: readonly RankingParameter[];
}

/**
 * One parameter on the transparency page, ranked, with its share of the total weight.
 *
 * @example
 * page.parameters[0]?.importance; // 'high'
 */
export interface TransparencyParameter {
  readonly id: string;
  /** 1 = most important. */
  readonly rank: number;
  readonly label: string;
  readonly purpose: PurposeId;
  readonly purposeLabel: string;
  readonly dataCategories: readonly DataCategoryId[];
  readonly categoryLabels: readonly string[];
  readonly weight: number;
  /** weight / sum of weights, 0–1. */
  readonly share: number;
  /** `high` (≥ ⅔ of the top weight), `medium` (≥ ⅓) or `low`. */
  readonly importance: 'high' | 'medium' | 'low';
  readonly text: string;
}

/**
 * The DSA Art. 27 page: the main parameters of a recommender system, most important first, and
 * how customers can change them. Rendered with {@link renderTransparency}.
 *
 * @example
 * console.log(renderTransparency(explainer.transparencyPage(registry, { locale: 'de' }), 'markdown'));
 */
export interface TransparencyPage {
  readonly locale: string;
  readonly requestedLocale: string;
  readonly registryVersion: string;
  readonly template: { readonly id: string; readonly version: string };
  readonly title: string;
  readonly intro: string;
  readonly parameters: readonly TransparencyParameter[];
  readonly controlsText: string;
  readonly warnings: readonly ExplanationWarning[];
}

function invalid(path: string, value: unknown, why: string): never {
  throw explainError('explain/invalid_input', `${path}: ${why}`, { path, value });
}

/** How long a label or name may be, in any locale. */
const MAX_LABEL = 500;

/**
 * @internal Throws `explain/invalid_input` at `path` (`path.<locale>` for one locale's text)
 * unless `text` is a {@link LocalizedText} of 1 to 500 characters in each locale it names.
 */
export function checkText(text: unknown, path: string): void {
  const ok = (t: unknown) => typeof t === 'string' && t !== '' && t.length <= MAX_LABEL;
  if (typeof text === 'string') {
    if (!ok(text)) invalid(path, text, 'must be 1 to 500 characters');
    return;
  }
  if (!isPlainRecord(text) || Object.keys(text).length === 0)
    invalid(path, text, 'must be a string or an object of strings by locale');
  for (const [locale, t] of Object.entries(text))
    if (!ok(t)) invalid(`${path}.${locale}`, t, 'must be 1 to 500 characters');
}

function pick(text: LocalizedText | undefined, locale: string, fallback: string): string {
  if (typeof text === 'string') return text;
  if (!text) return fallback;
  return (
    text[locale] ?? text[locale.split('-')[0]!] ?? text.en ?? Object.values(text)[0] ?? fallback
  );
}

/**
 * Builds the transparency page for `registry` in the catalog's locale.
 *
 * @example
 * buildTransparencyPage(catalogs, 'en', {}, registry, 'de');
 */
export function buildTransparencyPage(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  defaultLocale: string,
  lint: CatalogLintOptions | false,
  registry: ParameterRegistry,
  requestedLocale: string,
): TransparencyPage {
  if (typeof registry !== 'object' || registry === null)
    invalid('registry', registry, 'must be a ParameterRegistry');
  checkText(registry.name, 'registry.name');
  if (
    typeof registry.version !== 'string' &&
    !(typeof registry.version === 'number' && Number.isFinite(registry.version))
  )
    invalid('registry.version', registry.version, 'must be a string or a number');
  if (!Array.isArray(registry.parameters) || registry.parameters.length === 0)
    invalid('registry.parameters', registry.parameters, 'must list at least one parameter');
  const seen = new Set<string>();
  registry.parameters.forEach((p, i) => {
    const path = `registry.parameters[${i}]`;
    if (typeof p?.id !== 'string' || p.id === '')
      invalid(`${path}.id`, p?.id, 'must be a non-empty string');
    if (seen.has(p.id)) invalid(`${path}.id`, p.id, `duplicate parameter id "${p.id}"`);
    if (p.label !== undefined) checkText(p.label, `${path}.label`);
    seen.add(p.id);
    if (!isDottedId(p.purpose)) invalid(`${path}.purpose`, p.purpose, 'must be a purpose id');
    if (!Array.isArray(p.dataCategories))
      invalid(`${path}.dataCategories`, p.dataCategories, 'must be an array');
    p.dataCategories.forEach((c: string, j: number) => {
      if (!isDottedId(c)) invalid(`${path}.dataCategories[${j}]`, c, 'must be a data category id');
    });
    if (typeof p.weight !== 'number' || !Number.isFinite(p.weight) || p.weight < 0)
      invalid(`${path}.weight`, p.weight, 'must be a finite number ≥ 0');
  });
  const { catalog, fellBack } = resolveLocale(catalogs, requestedLocale, defaultLocale);
  const warnings: ExplanationWarning[] = [];
  if (fellBack)
    warnings.push({ code: 'locale_fallback', requested: requestedLocale, used: catalog.locale });
  const label = (kind: LabelKind, id: string) => {
    const found = catalog.label(kind, id);
    if (found !== null) return found;
    warnings.push({ code: 'missing_label', kind, id });
    return catalog.format('label.fallback', {
      name: id.slice(id.lastIndexOf('.') + 1).replace(/_/g, ' '),
      kind,
    });
  };
  const name = pick(registry.name, catalog.locale, 'Our systems');
  const texts: Record<string, string> = { name };
  const total = registry.parameters.reduce((sum, p) => sum + p.weight, 0);
  const top = Math.max(...registry.parameters.map((p) => p.weight));
  const ranked = [...registry.parameters].sort(
    (a, b) => b.weight - a.weight || (a.id < b.id ? -1 : 1),
  );
  const parameters = ranked.map((p, index): TransparencyParameter => {
    if (p.label === undefined)
      warnings.push({ code: 'missing_label', kind: 'parameters', id: p.id });
    const labelText =
      p.label === undefined
        ? catalog.format('label.fallback', {
            name: p.id.replace(/[-_.]+/g, ' ').trim(),
            kind: 'parameters',
          })
        : pick(p.label, catalog.locale, p.id);
    texts[p.id] = labelText;
    const purposeLabel = label('purposes', p.purpose);
    const categoryLabels = p.dataCategories.map((c: string) => label('categories', c));
    const share = total === 0 ? 1 / ranked.length : p.weight / total;
    const relative = top === 0 ? 1 : p.weight / top;
    const importance = relative >= 2 / 3 ? 'high' : relative >= 1 / 3 ? 'medium' : 'low';
    return {
      id: p.id,
      rank: index + 1,
      label: labelText,
      purpose: p.purpose,
      purposeLabel,
      dataCategories: [...p.dataCategories],
      categoryLabels,
      weight: p.weight,
      share,
      importance,
      text: catalog.format('dsa.parameter', {
        rank: index + 1,
        label: labelText,
        purpose: purposeLabel,
        dataList: catalog.list.format(categoryLabels),
        dataCount: categoryLabels.length,
        share,
        importance,
      }),
    };
  });
  if (lint !== false) {
    const findings = lintCatalog({ locale: catalog.locale, messages: texts }, lint);
    const first = findings[0];
    if (first)
      throw explainError(
        'explain/catalog_lint',
        `registry label "${first.match}" (${first.kind}): ${first.hint}`,
        {
          path: `registry.${first.path.replace(/^messages\./, '')}`,
          value: first.match,
          findings,
        },
      );
  }
  return {
    locale: catalog.locale,
    requestedLocale,
    registryVersion: String(registry.version),
    template: { id: 'candor.explain/dsa-main-parameters', version: catalog.version },
    title: catalog.format('dsa.title'),
    intro: catalog.format('dsa.intro', { count: ranked.length, system: name }),
    parameters,
    controlsText: catalog.format('dsa.controls'),
    warnings,
  };
}
