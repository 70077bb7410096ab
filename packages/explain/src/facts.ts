import type { JsonValue } from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { explainError, invalidInput, isPlainRecord } from './errors';
import { type CatalogLintOptions, lintCatalog } from './lint';
import { checkText, type LocalizedText } from './transparency';
import {
  type DurationUnit,
  durationMs,
  formatDuration,
  formatValue,
  isoInstant,
  truncate,
} from './values';

/**
 * How a fact's values are shown: `text` (the default; enumerations through `values`), `number`
 * (with an optional Intl `unit` such as `kilometer`), `money` (needs `currency`), `percent` (0.25
 * → 25%), `date`, `datetime` (UTC), `duration` (a number counted in `unit`, default milliseconds,
 * or `90d`; shown as "2 hours"), `country` (ISO 3166 code → "Portugal") and `boolean`.
 *
 * @example
 * const format: FactFormat = 'money';
 */
export type FactFormat = (typeof FACT_FORMATS)[number];

/** @internal Every {@link FactFormat}: the hand-written check and the zod schema both read it. */
export const FACT_FORMATS = [
  'text',
  'number',
  'money',
  'percent',
  'date',
  'datetime',
  'duration',
  'country',
  'boolean',
] as const;

/**
 * What a fact is, in the customer's words, and how to show its value. Give one per fact path the
 * explainer may meet; facts without one are named by their data category (the fallback).
 *
 * `label` is a noun phrase as it reads in the middle of a sentence: `your card's expiry date`,
 * `das Ablaufdatum Ihrer Karte`. Explanations use it as the subject ("your card's expiry date is
 * December 16, 2026, before …") and as the object of a control ("Correct your card's expiry
 * date"); in German write it so that nominative and accusative read the same (feminine, neuter
 * or plural: `die Höhe der Zahlung` rather than `der Zahlungsbetrag`).
 *
 * @example
 * const expiry: FactDescription = {
 *   label: { en: "your card's expiry date", de: 'das Ablaufdatum Ihrer Karte' },
 *   format: 'date',
 * };
 */
export interface FactDescription {
  readonly label: LocalizedText;
  /** Default `text`. */
  readonly format?: FactFormat;
  /** ISO 4217 code for `money` (`EUR`). */
  readonly currency?: string;
  /** For `duration`: what a number counts (default `millisecond`). For `number`: an Intl unit. */
  readonly unit?: string;
  /**
   * Names of values (enumerations, places, booleans as `true`/`false`): `{ severe: { en:
   * 'severe', de: 'schwer' } }`. A value without a name is shown as formatted.
   */
  readonly values?: Readonly<Record<string, LocalizedText>>;
  /** `false` for facts the customer cannot correct (a weather forecast): no `correct_data`. */
  readonly correctable?: boolean;
  /**
   * For values that are objects: the field shown (`summary` of `{ summary, status }`), formatted
   * as the description says. Other values are shown as they are.
   */
  readonly field?: string;
}

/**
 * Fact descriptions by fact path (`card.expiresAt`, or a windowed aggregate's label as
 * `@candor/rules` writes it, `count(order.returned, 90d)`). A path ending in `.*` describes a
 * family: every path one segment below it that has no description of its own
 * (`memory.complaint.*` describes `memory.complaint.ord_9`).
 *
 * @example
 * createExplainer({ facts: { 'txn.amount': { label: { en: 'the payment amount', de: 'die Höhe der Zahlung' }, format: 'money', currency: 'EUR' } } });
 */
export type FactRegistry = Readonly<Record<string, FactDescription>>;

/** The fields of a {@link FactDescription}: any other is a typo, refused by name. */
const DESCRIPTION_KEYS: readonly string[] = [
  'label',
  'format',
  'currency',
  'unit',
  'values',
  'correctable',
  'field',
] satisfies readonly (keyof FactDescription)[];

const DURATION_UNITS: readonly string[] = [
  'millisecond',
  'second',
  'minute',
  'hour',
  'day',
  'week',
];

/** Every text of a description, by locale key (`*` for a text given for all locales). */
function textsOf(text: LocalizedText, into: Map<string, Record<string, string>>, key: string) {
  const entries = typeof text === 'string' ? [['*', text] as const] : Object.entries(text);
  for (const [locale, t] of entries) {
    let texts = into.get(locale);
    if (!texts) {
      texts = {};
      into.set(locale, texts);
    }
    texts[key] = t;
  }
}

/**
 * Validates a fact registry and lints its labels (faux familiarity, unverifiable claims) with the
 * catalog lint; throws `explain/invalid_input` or `explain/catalog_lint` naming the path.
 *
 * @example
 * checkFactRegistry({ 'txn.amount': { label: 'the payment amount', format: 'money', currency: 'EUR' } }, {});
 */
export function checkFactRegistry(registry: unknown, lint: CatalogLintOptions | false): void {
  if (!isPlainRecord(registry))
    invalidInput('facts', registry, 'must be an object of fact descriptions by path');
  const texts = new Map<string, Record<string, string>>();
  for (const [path, d] of Object.entries(registry)) {
    const at = `facts.${path}`;
    if (path === '' || path.length > 300)
      invalidInput(at, path, 'a fact path must be 1 to 300 characters');
    if (!isPlainRecord(d)) invalidInput(at, d, 'must be { label, format?, … }');
    for (const key of Object.keys(d))
      if (!DESCRIPTION_KEYS.includes(key))
        invalidInput(`${at}.${key}`, d[key], `is not a field of a fact description`);
    checkText(d.label, `${at}.label`);
    textsOf(d.label as LocalizedText, texts, `${at}.label`);
    const format = d.format === undefined ? 'text' : d.format;
    if (!(FACT_FORMATS as readonly string[]).includes(format as string))
      invalidInput(`${at}.format`, d.format, `must be one of ${FACT_FORMATS.join(', ')}`);
    if (format === 'money') {
      if (typeof d.currency !== 'string' || !/^[A-Z]{3}$/.test(d.currency))
        invalidInput(
          `${at}.currency`,
          d.currency,
          'money needs an ISO 4217 currency code such as EUR',
        );
    } else if (d.currency !== undefined)
      invalidInput(`${at}.currency`, d.currency, "is only for format 'money'");
    if (d.unit !== undefined) {
      if (format === 'duration') {
        if (!DURATION_UNITS.includes(d.unit as string))
          invalidInput(`${at}.unit`, d.unit, `must be one of ${DURATION_UNITS.join(', ')}`);
      } else if (format === 'number') {
        try {
          new Intl.NumberFormat('en', { style: 'unit', unit: d.unit as string });
        } catch {
          invalidInput(
            `${at}.unit`,
            d.unit,
            'must be a unit Intl.NumberFormat knows, such as kilometer',
          );
        }
      } else invalidInput(`${at}.unit`, d.unit, "is only for format 'duration' or 'number'");
    }
    if (d.values !== undefined) {
      if (!isPlainRecord(d.values)) invalidInput(`${at}.values`, d.values, 'must be an object');
      for (const [value, text] of Object.entries(d.values)) {
        checkText(text, `${at}.values.${value}`);
        textsOf(text as LocalizedText, texts, `${at}.values.${value}`);
      }
    }
    if (d.correctable !== undefined && typeof d.correctable !== 'boolean')
      invalidInput(`${at}.correctable`, d.correctable, 'must be a boolean');
    if (
      d.field !== undefined &&
      (typeof d.field !== 'string' || d.field.length === 0 || d.field.length > 100)
    )
      invalidInput(`${at}.field`, d.field, 'must be a field name of 1 to 100 characters');
  }
  if (lint === false) return;
  for (const [locale, messages] of texts) {
    const findings = lintCatalog({ locale: locale === '*' ? 'und' : locale, messages }, lint);
    // A text for every locale is linted in each language the rules know.
    if (locale === '*')
      for (const language of ['en', 'de'])
        findings.push(...lintCatalog({ locale: language, messages }, lint));
    const first = findings[0];
    if (first) {
      const path = first.path.replace(/^messages\./, '');
      throw explainError(
        'explain/catalog_lint',
        `${path}: "${first.match}" (${first.kind}): ${first.hint}`,
        { path, value: first.match, findings },
      );
    }
  }
}

function pick(text: LocalizedText, locale: string): string | null {
  if (typeof text === 'string') return text;
  const base = locale === 'en-XA' ? 'en' : locale;
  return text[locale] ?? text[base] ?? text[base.split('-')[0]!] ?? null;
}

/**
 * A fact description resolved for one catalog: its label and how to show its values.
 *
 * @example
 * const fact = book.resolve('txn.amount', catalog);
 * fact?.format(950); // '€950'
 */
export interface ResolvedFact {
  /** The label in this locale, or `null` when the description has none for it. */
  readonly label: string | null;
  readonly correctable: boolean;
  /** Shows a value of this fact (or a value compared with it). */
  format(value: JsonValue | undefined): string;
  /** True when values are dates (German puts "der" before them). */
  readonly isDate: boolean;
}

/**
 * A compiled fact registry: descriptions resolved per catalog, once, on first use.
 *
 * @example
 * const book = createFactBook(registry);
 */
export interface FactBook {
  resolve(path: string, catalog: CompiledCatalog): ResolvedFact | null;
}

const PSEUDO: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ó', u: 'ú' };

/**
 * German names countries with an article when they have one ("das Land der Zahlung ist die
 * Ukraine"); Intl.DisplayNames gives the bare name.
 */
const GERMAN_COUNTRIES: Readonly<Record<string, string>> = {
  AE: 'die Vereinigten Arabischen Emirate',
  CF: 'die Zentralafrikanische Republik',
  CH: 'die Schweiz',
  DO: 'die Dominikanische Republik',
  GB: 'das Vereinigte Königreich',
  IQ: 'der Irak',
  IR: 'der Iran',
  LB: 'der Libanon',
  MN: 'die Mongolei',
  NL: 'die Niederlande',
  PH: 'die Philippinen',
  SD: 'der Sudan',
  SK: 'die Slowakei',
  TR: 'die Türkei',
  UA: 'die Ukraine',
  US: 'die Vereinigten Staaten',
  VA: 'der Vatikan',
};

function makeFormatter(
  d: FactDescription,
  catalog: CompiledCatalog,
): (value: JsonValue | undefined) => string {
  const locale = catalog.locale === 'en-XA' ? 'en' : catalog.locale;
  const pseudo = catalog.locale === 'en-XA';
  const names = new Map<string, string>();
  for (const [key, text] of Object.entries(d.values ?? {})) {
    const name = pick(text, catalog.locale);
    if (name !== null) names.set(key, pseudo ? name.replace(/[aeiou]/g, (c) => PSEUDO[c]!) : name);
  }
  const named = (value: JsonValue | undefined): string | undefined =>
    value === null || value === undefined || typeof value === 'object'
      ? undefined
      : names.get(String(value));
  let scalar: (value: JsonValue) => string | undefined;
  switch (d.format ?? 'text') {
    case 'number': {
      const nf =
        d.unit === undefined
          ? catalog.number
          : new Intl.NumberFormat(locale, { style: 'unit', unit: d.unit, unitDisplay: 'long' });
      scalar = (v) => (typeof v === 'number' ? nf.format(v) : undefined);
      break;
    }
    case 'money': {
      const nf = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: d.currency!,
        trailingZeroDisplay: 'stripIfInteger',
      } as Intl.NumberFormatOptions);
      scalar = (v) => (typeof v === 'number' ? nf.format(v) : undefined);
      break;
    }
    case 'percent': {
      const nf = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
      scalar = (v) => (typeof v === 'number' ? nf.format(v) : undefined);
      break;
    }
    case 'date':
    case 'datetime': {
      const df = d.format === 'date' ? catalog.date : catalog.dateTime;
      scalar = (v) => {
        const ms = typeof v === 'number' ? v : typeof v === 'string' ? isoInstant(v) : undefined;
        return ms === undefined || !Number.isFinite(ms) ? undefined : df.format(ms);
      };
      break;
    }
    case 'duration': {
      const unit = (d.unit ?? 'millisecond') as DurationUnit;
      scalar = (v) => {
        const ms = durationMs(v, unit);
        return ms === undefined ? undefined : formatDuration(ms, catalog);
      };
      break;
    }
    case 'country': {
      let regions: Intl.DisplayNames | null = null;
      const articles = locale.split('-')[0] === 'de' ? GERMAN_COUNTRIES : undefined;
      scalar = (v) => {
        if (typeof v !== 'string' || !/^[A-Za-z]{2}$|^\d{3}$/.test(v)) return undefined;
        const code = v.toUpperCase();
        if (articles && Object.hasOwn(articles, code)) return articles[code];
        regions ??= new Intl.DisplayNames(locale, { type: 'region', fallback: 'none' });
        try {
          return regions.of(code) ?? undefined;
        } catch {
          return undefined;
        }
      };
      break;
    }
    case 'boolean':
      scalar = (v) =>
        typeof v === 'boolean' ? catalog.format('value.boolean', { value: String(v) }) : undefined;
      break;
    default:
      scalar = () => undefined;
  }
  const cache = new Map<string | number | boolean, string>();
  const one = (value: JsonValue | undefined, depth: number): string => {
    const name = named(value);
    if (name !== undefined) return name;
    if (value === undefined || value === null) return '—';
    if (Array.isArray(value)) {
      if (depth > 0) return '…';
      return truncate(catalog.list.format(value.slice(0, 10).map((v) => one(v, depth + 1))));
    }
    if (typeof value === 'object') return formatValue(value, catalog);
    let text = cache.get(value);
    if (text === undefined) {
      text = scalar(value) ?? formatValue(value, catalog);
      if (cache.size >= 500) cache.clear();
      cache.set(value, text);
    }
    return text;
  };
  const field = d.field;
  if (field === undefined) return (value) => one(value, 0);
  return (value) =>
    one(
      isPlainRecord(value) && Object.hasOwn(value, field) ? (value[field] as JsonValue) : value,
      0,
    );
}

/**
 * Compiles a registry (already checked with {@link checkFactRegistry}).
 *
 * @example
 * createFactBook({ 'card.expiresAt': { label: "your card's expiry date", format: 'date' } }).resolve('card.expiresAt', catalog)?.label;
 */
export function createFactBook(registry: FactRegistry = {}): FactBook {
  // Resolved per catalog and registry key (a family's paths share theirs: no entry per path).
  const cache = new WeakMap<CompiledCatalog, Map<string, ResolvedFact | null>>();
  const empty = Object.keys(registry).length === 0;
  return {
    resolve(path, catalog) {
      if (empty) return null;
      const key = describedBy(registry, path);
      if (key === null) return null;
      let byKey = cache.get(catalog);
      if (!byKey) {
        byKey = new Map();
        cache.set(catalog, byKey);
      }
      let resolved = byKey.get(key);
      if (resolved === undefined) {
        const d = registry[key]!;
        const label = pick(d.label, catalog.locale);
        const format = d.format ?? 'text';
        resolved = {
          label:
            label === null || catalog.locale !== 'en-XA'
              ? label
              : label.replace(/[aeiou]/g, (c) => PSEUDO[c]!),
          correctable: d.correctable !== false,
          format: makeFormatter(d, catalog),
          isDate: format === 'date' || format === 'datetime',
        };
        byKey.set(key, resolved);
      }
      return resolved;
    },
  };
}

/** The key of `registry` that describes `path`: its own, else its family's (`a.b.*`), else null. */
function describedBy(registry: FactRegistry, path: string): string | null {
  if (Object.hasOwn(registry, path)) return path;
  const dot = path.lastIndexOf('.');
  if (dot <= 0) return null;
  const family = `${path.slice(0, dot)}.*`;
  return Object.hasOwn(registry, family) ? family : null;
}

const WINDOW = /^(count|sum)\(([^,()]{1,200}), (\d{1,9}(?:ms|s|m|h|d|w))\)$/;

/**
 * Reads a windowed aggregate's label as `@candor/rules` writes it (`count(order.returned, 90d)`):
 * the aggregate and the window, or `null` for an ordinary fact path.
 *
 * @example
 * parseWindowPath('count(order.returned, 90d)'); // { agg: 'count', withinMs: 7776000000 }
 */
export function parseWindowPath(path: string): { agg: 'count' | 'sum'; withinMs: number } | null {
  const match = WINDOW.exec(path);
  if (match === null) return null;
  const withinMs = durationMs(match[3]);
  return withinMs === undefined ? null : { agg: match[1] as 'count' | 'sum', withinMs };
}
