import {
  type AccessOutcome,
  type AccessRecord,
  checkAccessRecords,
  type DataCategoryId,
  type PurposeId,
} from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { invalidInput } from './errors';
import { resolveLocale } from './explain';
import type { ExplanationWarning, LabelKind } from './types';

/**
 * Who used the data, as the customer reads it: automated `rule`s, a `model`, a member of
 * `staff`, an `explanation` shown to the customer, or `other` features of the app.
 *
 * @example
 * const who: AccessWho = 'rule';
 */
export type AccessWho = 'rule' | 'model' | 'staff' | 'explanation' | 'other';

/**
 * One line of the access history: the uses on one day, for one purpose, by one kind of accessor,
 * with one outcome, and the sentence that says so ("3 Dec: our automated rules checked your booked
 * trips for proactive service messages. Nothing was sent.").
 *
 * @example
 * line.text;
 */
export interface AccessHistoryLine {
  readonly purpose: PurposeId;
  readonly purposeLabel: string;
  readonly dataCategories: readonly DataCategoryId[];
  readonly categoryLabels: readonly string[];
  readonly who: AccessWho;
  readonly outcome: AccessOutcome;
  /** How many uses the line stands for, and how many of them sent a message. */
  readonly times: number;
  readonly sent: number;
  readonly text: string;
}

/**
 * A customer's access history, grouped by day (newest first) and purpose, in their language:
 * render it with `renderAccessHistory`.
 *
 * @example
 * const page = explainer.accessHistory(await accessLog.query({ subject }), { locale: 'de' });
 */
export interface AccessHistoryPage {
  readonly locale: string;
  readonly requestedLocale: string;
  readonly title: string;
  readonly intro: string;
  /** `null` when there is at least one day; otherwise the sentence that says nothing was used. */
  readonly empty: string | null;
  readonly days: readonly {
    /** `YYYY-MM-DD` in the page's time zone. */
    readonly date: string;
    readonly label: string;
    readonly lines: readonly AccessHistoryLine[];
  }[];
  readonly warnings: readonly ExplanationWarning[];
}

/**
 * Options of `explainer.accessHistory`.
 *
 * @example
 * explainer.accessHistory(records, { locale: 'de', timeZone: 'Europe/Berlin' });
 */
export interface AccessHistoryOptions {
  readonly locale?: string;
  /** The IANA time zone days are counted in (default `UTC`). */
  readonly timeZone?: string;
}

const SIX_HOURS = 6 * 3_600_000;
/** 10000-01-01T00:00:00Z: from here `toISOString()` starts with `+010000`. */
const MAX_ISO_DAY = 253_402_300_800_000;

/** The zone's offset from UTC at `at`, in ms, from one formatting (`format`: numeric, h23). */
function offsetAt(format: Intl.DateTimeFormat, at: number): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(at)) p[part.type] = Number(part.value);
  const local = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
  return local - (at - (at % 60_000));
}

/**
 * @internal The local date (`YYYY-MM-DD`) of an instant in `dayKey`'s zone, without formatting
 * every record: the zone's offset is found once per six-hour span (where it is the same at both
 * ends, it holds throughout: zones change offset at most twice a year), then the date is
 * arithmetic.
 */
export function dayKeys(dayKey: Intl.DateTimeFormat): (at: number) => string {
  const timeZone = dayKey.resolvedOptions().timeZone;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const offsets = new Map<number, number | null>();
  return (at) => {
    const span = Math.floor(at / SIX_HOURS);
    let offset = offsets.get(span);
    if (offset === undefined) {
      const start = offsetAt(parts, span * SIX_HOURS);
      offset = start === offsetAt(parts, (span + 1) * SIX_HOURS - 1) ? start : null;
      offsets.set(span, offset);
    }
    // Offsets that change within six hours, and years past 9999 (ISO strings grow a sign), ask Intl.
    if (offset === null || !Number.isFinite(offset) || at + offset >= MAX_ISO_DAY)
      return dayKey.format(at);
    return new Date(at + offset).toISOString().slice(0, 10);
  };
}

function whoOf(record: AccessRecord): AccessWho {
  const a = record.accessor;
  if (a.kind === 'feature') return a.id === 'explanation' ? 'explanation' : 'other';
  return a.kind;
}

/**
 * Builds a customer's access history page from their access records (any order; one customer).
 * Throws `explain/invalid_input` for a malformed record (naming it) or time zone.
 *
 * @example
 * buildAccessHistory(catalogs, 'en', records, { locale: 'en' });
 */
export function buildAccessHistory(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  defaultLocale: string,
  records: readonly AccessRecord[],
  options: AccessHistoryOptions = {},
): AccessHistoryPage {
  let valid: readonly AccessRecord[];
  try {
    valid = checkAccessRecords(records);
  } catch (error) {
    const details = (error as { details?: { path?: string } }).details;
    return invalidInput(details?.path ?? 'records', records, (error as Error).message);
  }
  if (typeof options !== 'object' || options === null)
    invalidInput('options', options, 'must be an object');
  const requested = options.locale ?? defaultLocale;
  if (typeof requested !== 'string') invalidInput('options.locale', requested, 'must be a locale');
  const timeZone = options.timeZone ?? 'UTC';
  let dayKey: Intl.DateTimeFormat;
  try {
    dayKey = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  } catch {
    return invalidInput('options.timeZone', timeZone, 'must be an IANA time zone');
  }
  const { catalog, fellBack } = resolveLocale(catalogs, requested, defaultLocale);
  const warnings: ExplanationWarning[] = [];
  if (fellBack) warnings.push({ code: 'locale_fallback', requested, used: catalog.locale });
  const label = (kind: LabelKind, id: string) => {
    const found = catalog.label(kind, id);
    if (found !== null) return found;
    if (!warnings.some((w) => w.code === 'missing_label' && w.id === id))
      warnings.push({ code: 'missing_label', kind, id });
    return catalog.format('label.fallback', {
      name: id.slice(id.lastIndexOf('.') + 1).replace(/_/g, ' '),
    });
  };
  const dayLabel = new Intl.DateTimeFormat(catalog.locale, {
    timeZone,
    day: 'numeric',
    month: 'short',
  });
  // day → (purpose, who, outcome) → categories and counts
  const days = new Map<
    string,
    {
      at: number;
      groups: Map<
        string,
        { record: AccessRecord; categories: Set<string>; times: number; sent: number }
      >;
    }
  >();
  const dateOf = dayKeys(dayKey);
  for (const record of valid) {
    const date = dateOf(record.at);
    let day = days.get(date);
    if (day === undefined) {
      day = { at: record.at, groups: new Map() };
      days.set(date, day);
    }
    const key = `${record.purpose}|${whoOf(record)}|${record.outcome}`;
    let group = day.groups.get(key);
    if (group === undefined) {
      group = { record, categories: new Set(), times: 0, sent: 0 };
      day.groups.set(key, group);
    }
    for (const c of record.dataCategories) group.categories.add(c);
    group.times++;
    if (record.outcome === 'sent') group.sent++;
  }
  const ordered = [...days].sort((a, b) => (a[0] < b[0] ? 1 : -1));
  return {
    locale: catalog.locale,
    requestedLocale: requested,
    title: catalog.format('access.title'),
    intro: catalog.format('access.intro'),
    empty: ordered.length === 0 ? catalog.format('access.empty') : null,
    days: ordered.map(([date, day]) => {
      const dateLabel = dayLabel.format(day.at);
      return {
        date,
        label: dateLabel,
        lines: [...day.groups.values()].map(({ record, categories, times, sent }) => {
          const dataCategories = [...categories].sort();
          const categoryLabels = dataCategories.map((c) => label('categories', c));
          const purposeLabel = label('purposes', record.purpose);
          const who = whoOf(record);
          return {
            purpose: record.purpose,
            purposeLabel,
            dataCategories,
            categoryLabels,
            who,
            outcome: record.outcome,
            times,
            sent,
            text: catalog
              .format('access.line', {
                date: dateLabel,
                who,
                dataList: catalog.list.format(categoryLabels),
                purpose: purposeLabel,
                times,
                outcome: record.outcome,
                sent,
              })
              .trim(),
          };
        }),
      };
    }),
    warnings,
  };
}
