import {
  type AccessLog,
  type AccessOutcome,
  type AccessQuery,
  type AccessRecord,
  type AccessSummary,
  type AccessSummaryGroup,
  checkAccessQuery,
  checkTimeZone,
  type DataCategoryId,
  isCandorError,
  localDays,
  type PurposeId,
  parseAccessSummary,
  summarizeAccessRecords,
} from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { invalidInput } from './errors';
import { resolveLocale } from './locale';
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
 * const page = await explainer.readAccessHistory(accessLog, { subject }, { locale: 'de' });
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
  /**
   * The IANA time zone days are counted in (default `UTC`; for an `AccessSummary`, its own zone,
   * which this must name if given).
   */
  readonly timeZone?: string;
}

/** Rethrows a core input error as `explain/invalid_input`, keeping its path and value. */
function asExplainError(error: unknown, path: string, value: unknown): never {
  if (!isCandorError(error, 'core/invalid_input')) throw error;
  const details = error.details;
  return invalidInput(
    details.path ?? path,
    'value' in details ? details.value : value,
    error.message.replace(/^[^:]*: /, ''),
  );
}

/** The zone's canonical name (`Asia/Calcutta` and `Asia/Kolkata` are one zone). */
const canonicalZone = (timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;

/**
 * The summary to render: `input` itself when it is an `AccessSummary` (checked, and its zone
 * must be `timeZone` if one is given), else the records grouped in `timeZone` (default `UTC`).
 */
function summaryOf(input: unknown, timeZone: unknown): AccessSummary {
  if (timeZone !== undefined) {
    try {
      checkTimeZone(timeZone, 'options.timeZone');
    } catch (error) {
      asExplainError(error, 'options.timeZone', timeZone);
    }
  }
  if (Array.isArray(input)) {
    let summary: AccessSummary;
    try {
      summary = summarizeAccessRecords(input, { timeZone: (timeZone as string) ?? 'UTC' });
    } catch (error) {
      return asExplainError(error, 'records', input);
    }
    // A history is one customer's: another's records would read as theirs.
    const other = input.findIndex((r) => r.subject !== input[0]?.subject);
    if (other > 0)
      invalidInput(
        `records[${other}].subject`,
        input[other]?.subject,
        "must be the customer of records[0]: a history is one customer's",
      );
    return summary;
  }
  let summary: AccessSummary;
  try {
    summary = parseAccessSummary(input);
  } catch (error) {
    return asExplainError(error, 'summary', input);
  }
  if (
    timeZone !== undefined &&
    canonicalZone(timeZone as string) !== canonicalZone(summary.timeZone)
  )
    invalidInput(
      'options.timeZone',
      timeZone,
      `must be the summary's time zone, ${summary.timeZone}`,
    );
  // The day's label is made from a group's lastAt: it must fall on the group's day.
  const dayOf = localDays(summary.timeZone);
  summary.groups.forEach((group, i) => {
    if (dayOf(group.lastAt) !== group.day)
      invalidInput(
        `summary.groups[${i}].lastAt`,
        group.lastAt,
        `must be a time on ${group.day} in ${summary.timeZone}`,
      );
  });
  return summary;
}

function whoOf(accessor: AccessSummaryGroup['accessor']): AccessWho {
  if (accessor.kind === 'feature') return accessor.id === 'explanation' ? 'explanation' : 'other';
  return accessor.kind;
}

interface Line {
  readonly purpose: PurposeId;
  readonly who: AccessWho;
  readonly outcome: AccessOutcome;
  readonly categories: Set<string>;
  times: number;
}

/**
 * The summary's groups by day (newest first), each day's lines in the order of their newest use
 * (the summary's order), groups of one customer-facing line merged (every feature but
 * explanations reads as "other").
 */
function linesByDay(summary: AccessSummary) {
  const days = new Map<string, { at: number; lines: Map<string, Line> }>();
  for (const group of summary.groups) {
    let day = days.get(group.day);
    if (day === undefined) {
      day = { at: group.lastAt, lines: new Map() };
      days.set(group.day, day);
    }
    const who = whoOf(group.accessor);
    const key = `${group.purpose}|${who}|${group.outcome}`;
    let line = day.lines.get(key);
    if (line === undefined) {
      line = {
        purpose: group.purpose,
        who,
        outcome: group.outcome,
        categories: new Set(),
        times: 0,
      };
      day.lines.set(key, line);
    }
    for (const c of group.dataCategories) line.categories.add(c);
    line.times += group.count;
  }
  return [...days].sort((a, b) => (a[0] < b[0] ? 1 : -1));
}

/**
 * Builds a customer's access history page from their access records (any order; one customer)
 * or from an `AccessSummary` (what `AccessLog.summarize` resolves): the same page either way.
 * Throws `explain/invalid_input` for a malformed record or summary (naming it) or time zone.
 *
 * @example
 * buildAccessHistory(catalogs, 'en', records, { locale: 'en' });
 */
export function buildAccessHistory(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  defaultLocale: string,
  input: readonly AccessRecord[] | AccessSummary,
  options: AccessHistoryOptions = {},
): AccessHistoryPage {
  if (typeof options !== 'object' || options === null)
    invalidInput('options', options, 'must be an object');
  const requested = options.locale ?? defaultLocale;
  if (typeof requested !== 'string') invalidInput('options.locale', requested, 'must be a locale');
  const summary = summaryOf(input, options.timeZone);
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
      kind,
    });
  };
  const dayLabel = new Intl.DateTimeFormat(catalog.locale, {
    timeZone: summary.timeZone,
    day: 'numeric',
    month: 'short',
  });
  const ordered = linesByDay(summary);
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
        lines: [...day.lines.values()].map(({ purpose, who, outcome, categories, times }) => {
          const dataCategories = [...categories].sort();
          const categoryLabels = dataCategories.map((c) => label('categories', c));
          const purposeLabel = label('purposes', purpose);
          const sent = outcome === 'sent' ? times : 0;
          return {
            purpose,
            purposeLabel,
            dataCategories,
            categoryLabels,
            who,
            outcome,
            times,
            sent,
            text: catalog
              .format('access.line', {
                date: dateLabel,
                who,
                dataList: catalog.list.format(categoryLabels),
                purpose: purposeLabel,
                times,
                outcome,
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

/**
 * Reads a customer's history from `log` and builds its page: from `log.summarize` when the log
 * offers it (a few grouped rows), else from `log.query`'s records; the same page either way.
 * Throws `explain/invalid_input` naming a bad `log`, query field or option; the log's own
 * failures pass through.
 *
 * @example
 * readAccessHistory(catalogs, 'en', log, { subject: 'cus_ana', from }, { timeZone: 'Europe/Berlin' });
 */
export async function readAccessHistory(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  defaultLocale: string,
  log: AccessLog,
  query: AccessQuery,
  options: AccessHistoryOptions = {},
): Promise<AccessHistoryPage> {
  if (typeof log !== 'object' || log === null || typeof log.query !== 'function')
    invalidInput('log', log, 'must be an AccessLog');
  if (typeof options !== 'object' || options === null)
    invalidInput('options', options, 'must be an object');
  const timeZone = options.timeZone ?? 'UTC';
  try {
    checkAccessQuery(query);
    checkTimeZone(timeZone, 'options.timeZone');
  } catch (error) {
    asExplainError(error, 'query', query);
  }
  const input =
    typeof log.summarize === 'function'
      ? await log.summarize(query, { timeZone })
      : await log.query(query);
  return buildAccessHistory(catalogs, defaultLocale, input, { ...options, timeZone });
}
