import { type Instant, isEpochMillis } from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { invalidInput, isPlainRecord } from './errors';
import { resolveLocale } from './locale';
import type { ExplanationWarning } from './types';

/**
 * One remembered point, as `@candor/memory`'s `brief()` returns it (declared here by shape, so
 * this package needs no memory dependency): what it says, where it came from, how and when.
 *
 * @example
 * const item: BriefItemInput = { kind: 'stated_reason', summary: 'a trek in the Alps', source: 'checkout', how: 'stated', at: Date.UTC(2026, 4, 3) };
 */
export interface BriefItemInput {
  /** `stated_reason`, `preference`, `support_case`, `complaint` or `staff_note`. */
  readonly kind: string;
  /** The customer's words, the case summary, the preference, or the note. */
  readonly summary: string;
  /** How a resolved case or complaint was resolved. */
  readonly resolution?: string;
  /** Where it came from (a source id; named by the catalog's `labels.sources`). */
  readonly source: string;
  /** How it was learned: `stated` by the customer, `observed`, `inferred`, `derived`. */
  readonly how: string;
  /** When it was said, observed or opened. */
  readonly at: Instant;
  readonly resolvedAt?: Instant;
  /** What it is about ("hiking boots"), when known. */
  readonly about?: string;
}

/**
 * Context for an employee about to talk to a customer, shaped like `@candor/memory`'s
 * `StaffBrief`: open complaints and cases, recently resolved problems, stated reasons,
 * preferences, notes, disagreements to clarify, and how many items were withheld.
 *
 * @example
 * const page = explainer.staffBrief(await book.brief(subject, { purpose, accessor }), { locale: 'de' });
 */
export interface StaffBriefInput {
  readonly openComplaints: readonly BriefItemInput[];
  readonly openCases: readonly BriefItemInput[];
  readonly recentlyResolved: readonly BriefItemInput[];
  readonly statedReasons: readonly BriefItemInput[];
  readonly preferences: readonly BriefItemInput[];
  readonly notes: readonly BriefItemInput[];
  readonly toClarify: readonly (readonly [BriefItemInput, BriefItemInput])[];
  readonly withheld: readonly { readonly why: string; readonly count: number }[];
}

/**
 * The sections of a staff brief, in the order they are shown: what is open comes first.
 *
 * @example
 * const s: BriefSection = 'openComplaints';
 */
export type BriefSection =
  | 'openComplaints'
  | 'openCases'
  | 'recentlyResolved'
  | 'statedReasons'
  | 'preferences'
  | 'notes'
  | 'toClarify';

const SECTIONS: readonly BriefSection[] = [
  'openComplaints',
  'openCases',
  'recentlyResolved',
  'statedReasons',
  'preferences',
  'notes',
  'toClarify',
];

/**
 * A staff brief in words: sections with a heading and one sentence per point, each saying where
 * it comes from and when ("You told us on May 3 this was for “a trek” (hiking boots). Source:
 * at checkout."). Render it with `renderBrief`.
 *
 * @example
 * page.sections[0]?.lines[0];
 */
export interface BriefPage {
  readonly locale: string;
  readonly requestedLocale: string;
  readonly title: string;
  readonly intro: string;
  /** `null` when there is at least one section; otherwise the sentence that says so. */
  readonly empty: string | null;
  /** Only sections with at least one line, open problems first. */
  readonly sections: readonly {
    readonly section: BriefSection;
    readonly heading: string;
    readonly lines: readonly string[];
  }[];
  /** How many items were left out (consent, contradictions, age), in a sentence; or `null`. */
  readonly withheld: string | null;
  readonly warnings: readonly ExplanationWarning[];
}

/**
 * Options of `explainer.staffBrief`.
 *
 * @example
 * explainer.staffBrief(brief, { locale: 'de', timeZone: 'Europe/Berlin' });
 */
export interface BriefOptions {
  readonly locale?: string;
  /** The IANA time zone dates are shown in (default `UTC`). */
  readonly timeZone?: string;
}

function checkItem(item: unknown, path: string): asserts item is BriefItemInput {
  const i = item as Partial<BriefItemInput> | null;
  if (
    !isPlainRecord(i) ||
    typeof i.kind !== 'string' ||
    typeof i.summary !== 'string' ||
    typeof i.source !== 'string' ||
    typeof i.how !== 'string' ||
    !isEpochMillis(i.at) ||
    (i.resolvedAt !== undefined && !isEpochMillis(i.resolvedAt)) ||
    (i.resolution !== undefined && typeof i.resolution !== 'string') ||
    (i.about !== undefined && typeof i.about !== 'string')
  )
    invalidInput(path, item, 'must be a brief item { kind, summary, source, how, at }');
}

function checkBrief(brief: unknown): asserts brief is StaffBriefInput {
  if (!isPlainRecord(brief)) invalidInput('brief', brief, 'must be a staff brief');
  for (const section of SECTIONS) {
    const items = brief[section];
    if (!Array.isArray(items)) invalidInput(`brief.${section}`, items, 'must be an array');
    items.forEach((item: unknown, i) => {
      if (section !== 'toClarify') {
        checkItem(item, `brief.${section}[${i}]`);
        return;
      }
      if (!Array.isArray(item) || item.length !== 2)
        invalidInput(`brief.toClarify[${i}]`, item, 'must be a pair of brief items');
      checkItem(item[0], `brief.toClarify[${i}][0]`);
      checkItem(item[1], `brief.toClarify[${i}][1]`);
    });
  }
  const withheld = brief.withheld;
  if (
    !Array.isArray(withheld) ||
    withheld.some(
      (w) => !isPlainRecord(w) || !Number.isSafeInteger(w.count) || (w.count as number) < 0,
    )
  )
    invalidInput('brief.withheld', withheld, 'must be an array of { why, count }');
}

/**
 * Builds the words of a staff brief. Throws `explain/invalid_input` naming a malformed field or
 * an unknown time zone.
 *
 * @example
 * buildBrief(catalogs, 'en', brief, { locale: 'en' }, Date.now());
 */
export function buildBrief(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  defaultLocale: string,
  brief: StaffBriefInput,
  options: BriefOptions,
  now: Instant,
): BriefPage {
  checkBrief(brief);
  if (!isPlainRecord(options as unknown)) invalidInput('options', options, 'must be an object');
  const requested = options.locale ?? defaultLocale;
  if (typeof requested !== 'string') invalidInput('options.locale', requested, 'must be a locale');
  const timeZone = options.timeZone ?? 'UTC';
  const { catalog, fellBack } = resolveLocale(catalogs, requested, defaultLocale);
  let dayOnly: Intl.DateTimeFormat;
  let withYear: Intl.DateTimeFormat;
  let yearOf: Intl.DateTimeFormat;
  try {
    dayOnly = new Intl.DateTimeFormat(catalog.locale, { timeZone, day: 'numeric', month: 'short' });
    withYear = new Intl.DateTimeFormat(catalog.locale, {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    yearOf = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' });
  } catch {
    return invalidInput('options.timeZone', timeZone, 'must be an IANA time zone');
  }
  const warnings: ExplanationWarning[] = [];
  if (fellBack) warnings.push({ code: 'locale_fallback', requested, used: catalog.locale });
  const thisYear = yearOf.format(now);
  const date = (at: Instant) => (yearOf.format(at) === thisYear ? dayOnly : withYear).format(at);
  const dayKey = (at: Instant) => withYear.format(at);
  const source = (id: string) => {
    const found = catalog.label('sources', id);
    if (found !== null) return found;
    if (!warnings.some((w) => w.code === 'missing_label' && w.id === id))
      warnings.push({ code: 'missing_label', kind: 'sources', id });
    return catalog.format('label.fallback', {
      name: id.replace(/[._-]+/g, ' ').trim(),
      kind: 'sources',
    });
  };
  const about = (i: BriefItemInput) => ({
    hasAbout: i.about === undefined ? 'no' : 'yes',
    about: i.about ?? '',
  });
  const sourced = (text: string, i: BriefItemInput) =>
    `${text} ${catalog.format('brief.source', { source: source(i.source) })}`;
  const line = (section: BriefSection, i: BriefItemInput): string => {
    const base = { summary: i.summary, date: date(i.at), how: i.how, ...about(i) };
    switch (section) {
      case 'openComplaints':
      case 'openCases':
        return sourced(catalog.format('brief.open', { ...base, kind: i.kind }), i);
      case 'recentlyResolved': {
        const resolvedAt = i.resolvedAt ?? i.at;
        return sourced(
          catalog.format('brief.resolved', {
            ...base,
            sameDay: dayKey(resolvedAt) === dayKey(i.at) ? 'yes' : 'no',
            resolvedAt: date(resolvedAt),
            hasResolution: i.resolution === undefined ? 'no' : 'yes',
            resolution: i.resolution ?? '',
          }),
          i,
        );
      }
      case 'statedReasons':
        return sourced(catalog.format('brief.reason', base), i);
      case 'preferences':
        return sourced(catalog.format('brief.preference', base), i);
      default:
        return sourced(catalog.format('brief.note', base), i);
    }
  };
  const sections = SECTIONS.map((section) => {
    const lines =
      section === 'toClarify'
        ? brief.toClarify.map(([a, b]) =>
            catalog.format('brief.clarify', {
              first: a.summary,
              firstDate: date(a.at),
              second: b.summary,
              secondDate: date(b.at),
            }),
          )
        : brief[section].map((i) => line(section, i));
    return { section, heading: catalog.format('brief.heading', { section }), lines };
  }).filter((s) => s.lines.length > 0);
  const withheldCount = brief.withheld.reduce((n, w) => n + w.count, 0);
  return {
    locale: catalog.locale,
    requestedLocale: requested,
    title: catalog.format('brief.title'),
    intro: catalog.format('brief.intro'),
    empty: sections.length === 0 ? catalog.format('brief.empty') : null,
    sections,
    withheld: withheldCount > 0 ? catalog.format('brief.withheld', { count: withheldCount }) : null,
    warnings,
  };
}
