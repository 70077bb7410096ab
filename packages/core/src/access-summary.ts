import * as z from 'zod/mini';
import { AccessOutcome, checkAccessRecords } from './access';
import { checkTimeZone, localDays } from './local-day';
import { DataCategoryId, Instant, PurposeId } from './schemas';
import { parsers, type SafeParseResult } from './validate';

const isTimeZone = (value: string) => {
  try {
    checkTimeZone(value);
    return true;
  } catch {
    return false;
  }
};
const TimeZone = /* @__PURE__ */ (() =>
  z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"')))();

/**
 * How to summarize an access history: the IANA time zone whose local days group the records.
 *
 * @example
 * AccessSummaryOptions.parse({ timeZone: 'Asia/Kathmandu' });
 */
export const AccessSummaryOptions = /* @__PURE__ */ (() =>
  z.strictObject({ timeZone: TimeZone }))();
/** How to summarize an access history. */
export type AccessSummaryOptions = z.infer<typeof AccessSummaryOptions>;

/**
 * One group of an {@link AccessSummary}: the uses on one local `day` for one `purpose`, by one
 * kind of accessor (a feature also by its id: `explanation` is one), with one `outcome`; the data
 * categories they read (sorted, each once), how many uses, and when the newest was.
 *
 * @example
 * AccessSummaryGroup.parse({
 *   day: '2026-12-03', purpose: 'service.proactive_support', accessor: { kind: 'rule' },
 *   outcome: 'held_back', dataCategories: ['user.travel.itinerary'], count: 2, lastAt: 1780000000000,
 * });
 */
export const AccessSummaryGroup = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The local date, `YYYY-MM-DD`, in the summary's time zone. */
    day: z.string().check(z.regex(/^\d{4,}-\d{2}-\d{2}$/, 'must be a date like 2026-12-03')),
    purpose: PurposeId,
    accessor: z.union([
      z.strictObject({ kind: z.enum(['rule', 'model', 'staff']) }),
      z.strictObject({
        kind: z.literal('feature'),
        id: z.string().check(z.minLength(1), z.maxLength(200)),
      }),
    ]),
    outcome: AccessOutcome,
    dataCategories: z.readonly(z.array(DataCategoryId).check(z.minLength(1))),
    count: z.int().check(z.gte(1)),
    /** The newest use's time (an instant on `day`). */
    lastAt: Instant,
  }))();
/** One group of an access summary. */
export type AccessSummaryGroup = z.infer<typeof AccessSummaryGroup>;

/**
 * A subject's access history grouped by local day, purpose, accessor kind and outcome: what
 * `AccessLog.summarize` resolves, in a few groups instead of every record. Groups come in the
 * order their newest record comes in `AccessLog.query` (newest first).
 *
 * @example
 * const summary = parseAccessSummary(await log.summarize({ subject: 'cus_1' }, { timeZone: 'UTC' }));
 */
export const AccessSummary = /* @__PURE__ */ (() =>
  z.strictObject({
    timeZone: TimeZone,
    groups: z.readonly(z.array(AccessSummaryGroup)),
  }))();
/** A subject's access history, grouped. */
export type AccessSummary = z.infer<typeof AccessSummary>;

const summaryParsers = /* @__PURE__ */ parsers(AccessSummary, 'core/invalid_input', 'summary');
const optionsParsers = /* @__PURE__ */ parsers(
  AccessSummaryOptions,
  'core/invalid_input',
  'options',
);

/**
 * Returns `input` as an {@link AccessSummary} or throws `core/invalid_input` naming the field.
 *
 * @example
 * const summary = parseAccessSummary(json);
 */
export function parseAccessSummary(input: unknown): AccessSummary {
  return summaryParsers.parse(input);
}

/**
 * Like {@link parseAccessSummary} but returns `{ success, data | error }`.
 *
 * @example
 * if (!safeParseAccessSummary(json).success) reject();
 */
export function safeParseAccessSummary(
  input: unknown,
): SafeParseResult<AccessSummary, 'core/invalid_input'> {
  return summaryParsers.safeParse(input);
}

/**
 * Validates {@link AccessSummaryOptions}; throws `core/invalid_input` naming the field
 * (`options.timeZone` for a zone that is not IANA).
 *
 * @example
 * checkAccessSummaryOptions({ timeZone: 'Mars/Olympus' }); // throws at 'options.timeZone'
 */
export function checkAccessSummaryOptions(options: unknown): AccessSummaryOptions {
  return optionsParsers.parse(options);
}

interface Building {
  day: string;
  purpose: string;
  accessor: AccessSummaryGroup['accessor'];
  outcome: AccessOutcome;
  categories: Set<string>;
  count: number;
  lastAt: number;
}

/**
 * Groups access records into an {@link AccessSummary} in `options.timeZone` (what the in-memory
 * log's `summarize` does with its records): groups in the order of their first record in
 * `records`. Throws `core/invalid_input` naming a malformed record or option.
 *
 * @example
 * summarizeAccessRecords(await log.query({ subject: 'cus_1' }), { timeZone: 'Europe/Berlin' });
 */
export function summarizeAccessRecords(
  records: unknown,
  options: AccessSummaryOptions,
): AccessSummary {
  const { timeZone } = checkAccessSummaryOptions(options);
  const valid = checkAccessRecords(records);
  const dayOf = localDays(timeZone);
  const groups = new Map<string, Building>();
  for (const record of valid) {
    const day = dayOf(record.at);
    const a = record.accessor;
    const featureId = a.kind === 'feature' ? a.id : '';
    // The feature id comes last: the other parts hold no space, so keys cannot collide.
    const key = `${day} ${record.purpose} ${record.outcome} ${a.kind} ${featureId}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        day,
        purpose: record.purpose,
        accessor: a.kind === 'feature' ? { kind: 'feature', id: a.id } : { kind: a.kind },
        outcome: record.outcome,
        categories: new Set(),
        count: 0,
        lastAt: record.at,
      };
      groups.set(key, group);
    }
    for (const c of record.dataCategories) group.categories.add(c);
    group.count++;
    if (record.at > group.lastAt) group.lastAt = record.at;
  }
  return {
    timeZone,
    groups: [...groups.values()].map((g) => ({
      day: g.day,
      purpose: g.purpose,
      accessor: g.accessor,
      outcome: g.outcome,
      dataCategories: [...g.categories].sort(),
      count: g.count,
      lastAt: g.lastAt,
    })),
  };
}
