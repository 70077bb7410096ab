import { ancestorsOf } from '@candor/core';
import { IntlMessageFormat } from 'intl-messageformat';
import { de } from './catalogs/de';
import { en } from './catalogs/en';
import { explainError } from './errors';
import { type CatalogLintOptions, lintCatalog } from './lint';
import {
  customClausePlaceholders,
  type MessageId,
  messageIds,
  messageSpec,
  type PlaceholderType,
} from './messages';
import type { LabelKind } from './types';

/**
 * Human names for ids, per kind: data categories, purposes, topics, channels, fact sources, and
 * rules (or models) by the decision source's id, and changes made for the customer by their
 * type (a phrase that follows "We": `booking.rebook` → "moved you to an earlier flight"), and
 * event types an absence trigger waited for (a noun without an article: `carrier.scanned` →
 * "carrier scan"; in German a masculine or neuter singular: "Scan des Paketdienstes"). Categories, purposes and topics fall back to
 * their nearest labelled ancestor (`user.financial.card.pan` → the label of `user.financial.card`).
 * In German, labels stand in the nominative and the accusative ("Ihre Kartendaten korrigieren"),
 * so write them so both read the same: plural, feminine or neuter (`Ihre Standortdaten`, not
 * `Ihr Standort`), and purposes without an article (`Schutz vor Betrug`).
 *
 * @example
 * const labels: CatalogLabels = { topics: { 'billing.card_expiry': 'your card expiring' } };
 */
export type CatalogLabels = {
  readonly [K in LabelKind]?: Readonly<Record<string, string>> | undefined;
};

/**
 * A message catalog for one locale: ICU MessageFormat messages keyed by {@link MessageId}, an
 * author's `version`, and labels. Validated and compiled once when an explainer is created.
 *
 * @example
 * const fr: MessageCatalog = { locale: 'fr', version: '1', messages: { 'heading.title': 'Pourquoi vous voyez ceci', … } };
 */
export interface MessageCatalog {
  readonly locale: string;
  readonly version: string;
  readonly messages: Readonly<Record<string, string>>;
  readonly labels?: CatalogLabels | undefined;
}

/**
 * A team's changes to a catalog: any messages and labels, merged over the catalog for that locale.
 *
 * @example
 * const override: CatalogOverride = { messages: { 'control.fewer': 'Fewer reminders like this' } };
 */
export interface CatalogOverride {
  readonly messages?: Readonly<Record<string, string>>;
  readonly labels?: CatalogLabels | undefined;
}

/**
 * The pseudo-locale (accented English in ⟦brackets⟧) for spotting hard-coded or truncated text.
 *
 * @example
 * explainer.explain(record, { consent, locale: PSEUDO_LOCALE }).summary; // '⟦Yóú gót thíš émáíl …⟧'
 */
export const PSEUDO_LOCALE = 'en-XA';

const labelKinds: readonly LabelKind[] = [
  'categories',
  'purposes',
  'topics',
  'channels',
  'sources',
  'rules',
  'changes',
  'events',
  'benefits',
];
const hierarchical = /* @__PURE__ */ new Set<LabelKind>(['categories', 'purposes', 'topics']);
/**
 * Messages whose inputs are only ids, labels and counts (never a customer's values): their text
 * is cached per catalog after the first format.
 */
const MEMOIZED =
  /^(?:heading\.|control\.|withheld\.|dsa\.(?:title|controls)$|data\.(?:change|stale)$|purpose\.line$|label\.fallback$|value\.boolean$)/;
/** A node of the per-catalog cache of formatted label-only messages. */
interface MemoNode {
  text?: string;
  next?: Map<unknown, MemoNode>;
}

const CUSTOM_CLAUSE = /^clause\.[A-Za-z0-9_.-]{1,100}$/;

/**
 * Values a message may receive.
 *
 * @example
 * const values: MessageValues = { count: 2 };
 */
export type MessageValues = Readonly<Record<string, string | number>>;

/**
 * A catalog validated and compiled for formatting.
 *
 * @example
 * loadCatalogs().get('de')?.format('heading.title'); // 'Warum Sie das sehen'
 */
export interface CompiledCatalog {
  readonly locale: string;
  /** `<author version>+<fingerprint of messages and labels>`. */
  readonly version: string;
  has(id: string): boolean;
  format(id: string, values?: MessageValues): string;
  /** The label for `id`, or `null` when neither it nor an ancestor is labelled. */
  label(kind: LabelKind, id: string): string | null;
  /** "a, b and c". */
  readonly list: Intl.ListFormat;
  /** "a, b or c". */
  readonly or: Intl.ListFormat;
  readonly date: Intl.DateTimeFormat;
  /** A date with its time of day and time zone ("June 1, 2026 at 4:00 PM UTC"). */
  readonly dateTime: Intl.DateTimeFormat;
  readonly number: Intl.NumberFormat;
}

// Minimal structural view of intl-messageformat's AST (types from @formatjs/icu-messageformat-parser).
interface AstElement {
  type: number;
  value?: string;
  options?: Record<string, { value: AstElement[] }>;
  children?: AstElement[];
  offset?: number;
  pluralType?: 'cardinal' | 'ordinal';
}
const T = {
  literal: 0,
  argument: 1,
  number: 2,
  date: 3,
  time: 4,
  select: 5,
  plural: 6,
  pound: 7,
  tag: 8,
};

/** True when a message uses only text, plain placeholders, `select`, `plural` and `#`. */
function isPlain(elements: readonly AstElement[]): boolean {
  for (const el of elements) {
    if (el.type !== T.literal && el.type !== T.argument && el.type !== T.select) {
      if (el.type !== T.plural && el.type !== T.pound) return false;
    }
    for (const option of Object.values(el.options ?? {})) if (!isPlain(option.value)) return false;
  }
  return true;
}

/** What a plain message needs to format: the locale's plural rules and number format. */
interface PlainContext {
  readonly cardinal: Intl.PluralRules;
  readonly ordinal: Intl.PluralRules;
  readonly number: Intl.NumberFormat;
}

/**
 * Formats a plain message (see {@link isPlain}) straight from its AST, as intl-messageformat
 * would (a `select` falls back to `other`; a `plural` tries `=n`, then the plural category; `#`
 * is the plural's number, and only directly inside its plural), without building parts. Returns
 * `null` for a missing value, so the caller lets intl-messageformat report it.
 */
function formatPlain(
  elements: readonly AstElement[],
  values: MessageValues,
  context: PlainContext,
  pluralValue: number | undefined,
): string | null {
  let out = '';
  for (const el of elements) {
    if (el.type === T.literal) {
      out += el.value;
      continue;
    }
    if (el.type === T.pound) {
      if (pluralValue !== undefined) out += context.number.format(pluralValue);
      continue;
    }
    const name = el.value!;
    if (!Object.hasOwn(values, name)) return null;
    const value = values[name];
    if (el.type === T.argument) {
      out += value === undefined || value === null ? '' : String(value);
      continue;
    }
    const options = el.options!;
    let option: { value: AstElement[] } | undefined;
    let inner: string | null;
    if (el.type === T.select) {
      const key = String(value);
      option = (Object.hasOwn(options, key) ? options[key] : undefined) ?? options.other;
      if (option === undefined) return null;
      inner = formatPlain(option.value, values, context, undefined);
    } else {
      const n = Number(value) - (el.offset ?? 0);
      const exact = `=${value}`;
      option = Object.hasOwn(options, exact) ? options[exact] : undefined;
      if (option === undefined) {
        const rules = el.pluralType === 'ordinal' ? context.ordinal : context.cardinal;
        const rule = rules.select(n);
        option = (Object.hasOwn(options, rule) ? options[rule] : undefined) ?? options.other;
      }
      if (option === undefined) return null;
      inner = formatPlain(option.value, values, context, n);
    }
    if (inner === null) return null;
    out += inner;
  }
  return out;
}

function checkPlaceholders(
  elements: readonly AstElement[],
  allowed: Readonly<Record<string, PlaceholderType>>,
  path: string,
  locale: string,
): void {
  for (const el of elements) {
    if (el.type === T.literal || el.value === undefined) {
      // literal or `#`
    } else {
      const type = allowed[el.value];
      if (type === undefined) {
        throw explainError(
          'explain/unknown_placeholder',
          `${path}: placeholder {${el.value}} is never supplied; allowed: ${Object.keys(allowed).join(', ') || 'none'}`,
          { path, value: el.value, locale, allowed: Object.keys(allowed) },
        );
      }
      const numeric = el.type === T.number || el.type === T.plural;
      const unsupported = el.type === T.date || el.type === T.time || el.type === T.tag;
      if (unsupported || (numeric && type !== 'number')) {
        throw explainError(
          'explain/unknown_placeholder',
          `${path}: placeholder {${el.value}} is a ${type} value and cannot be formatted this way`,
          { path, value: el.value, locale },
        );
      }
    }
    for (const option of Object.values(el.options ?? {}))
      checkPlaceholders(option.value, allowed, path, locale);
    if (el.children) checkPlaceholders(el.children, allowed, path, locale);
  }
}

const PSEUDO_MAP: Record<string, string> = {
  a: 'á',
  e: 'é',
  i: 'í',
  o: 'ó',
  u: 'ú',
  c: 'ç',
  n: 'ñ',
  s: 'š',
  y: 'ý',
  A: 'Á',
  E: 'É',
  I: 'Í',
  O: 'Ó',
  U: 'Ú',
};
function pseudoText(text: string): string {
  let out = '';
  for (const ch of text) out += PSEUDO_MAP[ch] ?? ch;
  return out;
}
function pseudoAst(elements: readonly AstElement[]): AstElement[] {
  return elements.map((el) => {
    if (el.type === T.literal && el.value !== undefined)
      return { ...el, value: pseudoText(el.value) };
    if (el.options) {
      const options: Record<string, { value: AstElement[] }> = {};
      for (const [key, option] of Object.entries(el.options))
        options[key] = { ...option, value: pseudoAst(option.value) };
      return { ...el, options };
    }
    return el;
  });
}

/**
 * FNV-1a over a string, as 8 hex digits: a cheap, stable fingerprint for catalog versions.
 *
 * @example
 * fingerprint('abc'); // '1a47e90b'
 */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function canonicalLocale(locale: unknown, path: string): string {
  try {
    if (typeof locale !== 'string' || locale === '') throw new RangeError('empty');
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (!canonical) throw new RangeError('empty');
    return canonical;
  } catch (cause) {
    throw explainError(
      'explain/invalid_input',
      `${path}: ${JSON.stringify(locale)} is not a BCP 47 locale`,
      {
        path,
        value: locale,
      },
      cause,
    );
  }
}

function merge(base: MessageCatalog, override: CatalogOverride | undefined): MessageCatalog {
  if (!override) return base;
  const labels: Record<string, Record<string, string>> = {};
  for (const kind of labelKinds)
    labels[kind] = { ...(base.labels?.[kind] ?? {}), ...(override.labels?.[kind] ?? {}) };
  return {
    locale: base.locale,
    version: base.version,
    messages: { ...base.messages, ...(override.messages ?? {}) },
    labels,
  };
}

function compile(
  catalog: MessageCatalog,
  path: string,
  lint: CatalogLintOptions | false,
  source?: ReadonlyMap<string, AstElement[]>,
): { compiled: CompiledCatalog; asts: Map<string, AstElement[]> } {
  const locale = canonicalLocale(catalog.locale, `${path}.locale`);
  if (typeof catalog.version !== 'string' || catalog.version === '')
    throw explainError('explain/invalid_input', `${path}.version must be a non-empty string`, {
      path: `${path}.version`,
      value: catalog.version,
    });
  const messages = catalog.messages as Readonly<Record<string, unknown>>;
  if (typeof messages !== 'object' || messages === null)
    throw explainError('explain/invalid_input', `${path}.messages must be an object`, {
      path: `${path}.messages`,
      value: messages,
    });
  for (const [id, text] of Object.entries(messages)) {
    if (!(id in messageSpec) && !CUSTOM_CLAUSE.test(id))
      throw explainError(
        'explain/unknown_message',
        `${path}.messages.${id} is not a known message id`,
        {
          path: `${path}.messages.${id}`,
          value: id,
        },
      );
    if (typeof text !== 'string')
      throw explainError('explain/malformed_message', `${path}.messages.${id} must be a string`, {
        path: `${path}.messages.${id}`,
        value: text,
      });
  }
  for (const id of messageIds)
    if (typeof messages[id] !== 'string' && !source?.has(id))
      throw explainError('explain/missing_message', `${path}.messages.${id} is missing`, {
        path: `${path}.messages.${id}`,
        value: undefined,
        locale,
      });
  const labels = new Map<LabelKind, Map<string, string>>();
  for (const kind of labelKinds) {
    const map = new Map<string, string>();
    for (const [id, text] of Object.entries(catalog.labels?.[kind] ?? {})) {
      if (typeof text !== 'string' || text === '')
        throw explainError(
          'explain/invalid_input',
          `${path}.labels.${kind}.${id} must be a non-empty string`,
          {
            path: `${path}.labels.${kind}.${id}`,
            value: text,
          },
        );
      map.set(id, source ? pseudoText(text) : text);
    }
    labels.set(kind, map);
  }
  if (lint !== false && !source) {
    const findings = lintCatalog(catalog, lint);
    const first = findings[0];
    if (first)
      throw explainError(
        'explain/catalog_lint',
        `${path}.${first.path}: "${first.match}" (${first.kind}): ${first.hint}`,
        { path: `${path}.${first.path}`, value: first.match, findings },
      );
  }
  const formatters = new Map<string, IntlMessageFormat>();
  const asts = new Map<string, AstElement[]>();
  const plain = new Map<string, AstElement[]>();
  const ids = source ? [...source.keys()] : Object.keys(messages);
  for (const id of ids) {
    const messagePath = `${path}.messages.${id}`;
    let formatter: IntlMessageFormat;
    try {
      const input = source
        ? [
            { type: T.literal, value: '⟦' },
            ...pseudoAst(source.get(id)!),
            { type: T.literal, value: '⟧' },
          ]
        : (messages[id] as string);
      formatter = new IntlMessageFormat(input as string, locale, undefined, { ignoreTag: true });
    } catch (cause) {
      throw explainError(
        'explain/malformed_message',
        `${messagePath}: not valid ICU MessageFormat (${cause instanceof Error ? cause.message : String(cause)})`,
        { path: messagePath, value: messages[id], locale },
        cause,
      );
    }
    const ast = formatter.getAst() as unknown as AstElement[];
    const allowed: Readonly<Record<string, PlaceholderType>> =
      id in messageSpec ? messageSpec[id as MessageId] : customClausePlaceholders;
    checkPlaceholders(ast, allowed, messagePath, locale);
    formatters.set(id, formatter);
    asts.set(id, ast);
    if (isPlain(ast)) plain.set(id, ast);
  }
  const memoized = new Map<string, { names: readonly string[]; root: MemoNode }>();
  let memoNodes = 0;
  for (const id of formatters.keys())
    if (MEMOIZED.test(id))
      memoized.set(id, { names: Object.keys(messageSpec[id as MessageId] ?? {}), root: {} });
  const version = `${catalog.version}+${fingerprint(sortedJson({ m: catalog.messages, l: catalog.labels ?? {}, p: !!source }))}`;
  const resolved = formatters.values().next().value?.resolvedOptions().locale ?? locale;
  const plainContext: PlainContext = {
    cardinal: new Intl.PluralRules(resolved, { type: 'cardinal' }),
    ordinal: new Intl.PluralRules(resolved, { type: 'ordinal' }),
    number: new Intl.NumberFormat(resolved),
  };
  /** Formats with the plain path when the message allows it, else with intl-messageformat. */
  const run = (id: string, formatter: IntlMessageFormat, values: MessageValues | undefined) => {
    const ast = plain.get(id);
    if (ast !== undefined) {
      const text = formatPlain(ast, values ?? {}, plainContext, undefined);
      if (text !== null) return text;
    }
    return formatter.format(values as Record<string, string | number>) as string;
  };
  const compiled: CompiledCatalog = {
    locale,
    version,
    has: (id) => formatters.has(id),
    format(id, values) {
      const formatter = formatters.get(id);
      if (!formatter)
        throw explainError('explain/missing_message', `message ${id} is missing in ${locale}`, {
          path: id,
          value: locale,
        });
      const entry = memoized.get(id);
      if (entry === undefined) return run(id, formatter, values);
      // Messages whose values are only ids, labels and counts: cache the text in a trie keyed by
      // the values themselves (no key strings to build), bounded in size.
      let node = entry.root;
      for (const name of entry.names) {
        const value = values?.[name];
        node.next ??= new Map();
        let next = node.next.get(value);
        if (next === undefined) {
          if (++memoNodes > 20_000) {
            for (const other of memoized.values()) other.root = {};
            memoNodes = 0;
            return run(id, formatter, values);
          }
          next = {};
          node.next.set(value, next);
        }
        node = next;
      }
      node.text ??= run(id, formatter, values);
      return node.text;
    },
    label(kind, id) {
      const map = labels.get(kind)!;
      const direct = map.get(id);
      if (direct !== undefined || !hierarchical.has(kind)) return direct ?? null;
      const chain = ancestorsOf(id);
      for (let i = chain.length - 2; i >= 0; i--) {
        const found = map.get(chain[i]!);
        if (found !== undefined) return found;
      }
      return null;
    },
    list: new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' }),
    or: new Intl.ListFormat(locale, { type: 'disjunction', style: 'long' }),
    date: new Intl.DateTimeFormat(locale, { ...DATE, timeZone: 'UTC' }),
    dateTime: new Intl.DateTimeFormat(locale, { ...DATE_TIME, timeZone: 'UTC' }),
    number: new Intl.NumberFormat(locale),
  };
  return { compiled, asts };
}

/**
 * Options for loading catalogs: extra catalogs, overrides per locale, lint settings.
 *
 * @example
 * const options: CatalogOptions = { messages: { de: { labels: { topics: { billing: 'Abrechnung' } } } } };
 */
export interface CatalogOptions {
  /** Further complete catalogs (e.g. French); a catalog for `en` or `de` replaces the built-in one. */
  readonly catalogs?: readonly MessageCatalog[];
  /** Per-locale overrides of any message or label, merged over that locale's catalog. */
  readonly messages?: Readonly<Record<string, CatalogOverride>>;
  /** Catalog lint settings, or `false` to skip the lint (not recommended). */
  readonly lint?: CatalogLintOptions | false;
}

/**
 * Validates and compiles every catalog once: built-in `en` and `de`, the pseudo-locale `en-XA`
 * (derived from English), and the caller's. Throws a typed error naming the message at fault.
 *
 * @example
 * const catalogs = loadCatalogs({ messages: { en: { messages: { 'control.fewer': 'Fewer like this' } } } });
 */
export function loadCatalogs(options: CatalogOptions = {}): Map<string, CompiledCatalog> {
  const sources = new Map<string, MessageCatalog>([
    ['en', en],
    ['de', de],
  ]);
  (options.catalogs ?? []).forEach((catalog, index) => {
    const locale = canonicalLocale(catalog?.locale, `catalogs[${index}].locale`);
    sources.set(locale, catalog);
  });
  const overrides = new Map<string, CatalogOverride>();
  for (const [locale, override] of Object.entries(options.messages ?? {})) {
    const canonical = canonicalLocale(locale, `messages.${locale}`);
    if (!sources.has(canonical))
      throw explainError(
        'explain/invalid_input',
        `messages.${locale}: no catalog for this locale; pass a complete one in catalogs`,
        { path: `messages.${locale}`, value: locale },
      );
    overrides.set(canonical, override);
  }
  const lint = options.lint ?? {};
  const out = new Map<string, CompiledCatalog>();
  for (const [locale, catalog] of sources) {
    const merged = merge(catalog, overrides.get(locale));
    const path = overrides.has(locale) ? `messages.${locale}` : `catalogs.${locale}`;
    const { compiled, asts } = compile(merged, path, lint);
    out.set(compiled.locale, compiled);
    if (locale === 'en') {
      out.set(
        PSEUDO_LOCALE,
        compile(
          { ...merged, locale: PSEUDO_LOCALE, version: `${merged.version}-pseudo` },
          `catalogs.${PSEUDO_LOCALE}`,
          false,
          asts,
        ).compiled,
      );
    }
  }
  return out;
}

/** How a date is written ("June 1, 2026"). */
const DATE: Intl.DateTimeFormatOptions = { dateStyle: 'long' };
/** How an instant is written, with its time of day and zone ("June 1, 2026 at 4:00 PM UTC"). */
const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

/** How instants are written: their date, and their date with the time of day. */
export interface InstantFormats {
  readonly date: Intl.DateTimeFormat;
  readonly dateTime: Intl.DateTimeFormat;
}

const zonedFormats = new Map<string, InstantFormats>();

/**
 * @internal How `catalog` writes instants (when something happened: a decision, an observation, a
 * change) in `timeZone`, the customer's (default UTC). Values of facts are data and stay as they
 * are written. Made once per locale and zone.
 */
export function instantFormats(catalog: CompiledCatalog, timeZone?: string): InstantFormats {
  if (timeZone === undefined || timeZone === 'UTC') return catalog;
  const key = `${catalog.locale}|${timeZone}`;
  let formats = zonedFormats.get(key);
  if (formats === undefined) {
    formats = {
      date: new Intl.DateTimeFormat(catalog.locale, { ...DATE, timeZone }),
      dateTime: new Intl.DateTimeFormat(catalog.locale, { ...DATE_TIME, timeZone }),
    };
    if (zonedFormats.size >= 1_000) zonedFormats.clear();
    zonedFormats.set(key, formats);
  }
  return formats;
}
