import {
  type AccessOutcome,
  type AccessQuery,
  type AccessSummary,
  type AccessSummaryGroup,
  type AccessSummaryOptions,
  CandorError,
  checkAccessQuery,
  checkAccessSummaryOptions,
  isCandorError,
} from '@candor/core';
import type { CandorDatabase } from './database';

interface Row {
  day: string;
  purpose: string;
  kind: 'rule' | 'model' | 'staff' | 'feature';
  feature: string | null;
  outcome: AccessOutcome;
  categories: string[] | string;
  n: string | number;
  last_at: string | number;
}

/**
 * The summary statement: the rows `query()` would read (same filter, order and limit), each
 * numbered in that order, grouped by local day (`at time zone`), purpose, accessor kind (a
 * feature also by id) and outcome; groups ordered by their first row. Rows are first grouped
 * with their category list as one more key (few distinct lists), then the lists are unnested;
 * byte-wise ("C") keys and a `date` day keep the 10k-row grouping cheap.
 */
const summarySql = (table: string) => `
  with r as (
    select at, purpose collate "C" as purpose, accessor_kind collate "C" as kind,
           accessor_feature collate "C" as feature, outcome collate "C" as outcome,
           data_categories as categories,
           row_number() over (order by at desc, seq desc) as rn
    from ${table}
    where subject = $1 and at >= $2 and at <= $3
      and ($4::text is null or purpose = $4 or starts_with(purpose, $4 || '.'))
    order by at desc, seq desc
    limit $5
  ), k as (
    select ((timestamptz 'epoch' + at * interval '1 millisecond') at time zone $6::text)::date
             as day,
           purpose, kind, feature, outcome, categories,
           count(*) as n, max(at) as last_at, min(rn) as first
    from r group by 1, 2, 3, 4, 5, 6
  )
  select to_char(day, 'YYYY-MM-DD') as day, purpose, kind, feature, outcome,
         array_agg(distinct e.c) as categories,
         sum(n) filter (where e.i = 1) as n, -- each k row once, at its first category
         max(last_at) as last_at
  from k cross join lateral jsonb_array_elements_text(k.categories) with ordinality as e(c, i)
  group by k.day, purpose, kind, feature, outcome
  order by min(first)`;

function unknownZone(error: unknown): boolean {
  return (
    isCandorError(error) &&
    error.details.sqlState === '22023' &&
    /time zone/i.test(String(error.message))
  );
}

/**
 * `AccessLog.summarize` on PostgreSQL or PGlite: one statement grouping the subject's records in
 * the database, resolving a few rows instead of every record. Throws `core/invalid_input`
 * naming a bad query field or `options.timeZone` (one the database does not know included).
 *
 * @example
 * const summary = await summarizeAccessRecordsIn(db, { subject: 'cus_1' }, { timeZone: 'Asia/Kathmandu' });
 */
export async function summarizeAccessRecordsIn(
  db: CandorDatabase,
  input: AccessQuery,
  options: AccessSummaryOptions,
): Promise<AccessSummary> {
  const { timeZone } = checkAccessSummaryOptions(options);
  const q = checkAccessQuery(input);
  let rows: Row[];
  try {
    rows = await db.driver.query<Row>(summarySql(db.table('access_records')), [
      q.subject,
      q.from ?? Number.MIN_SAFE_INTEGER,
      q.to ?? Number.MAX_SAFE_INTEGER,
      q.purpose ?? null,
      q.limit ?? 1_000_000,
      timeZone,
    ]);
  } catch (error) {
    if (!unknownZone(error)) throw error;
    throw new CandorError(
      'core/invalid_input',
      `options.timeZone: the database does not know the time zone "${timeZone}"`,
      { path: 'options.timeZone', value: timeZone },
      { cause: error },
    );
  }
  return {
    timeZone,
    groups: rows.map(
      (row): AccessSummaryGroup => ({
        day: row.day,
        purpose: row.purpose,
        accessor:
          row.kind === 'feature' ? { kind: 'feature', id: row.feature ?? '' } : { kind: row.kind },
        outcome: row.outcome,
        // Sorted here, by UTF-16 code units as JavaScript sorts: the database's collation may differ.
        dataCategories: categoriesOf(row.categories).sort(),
        count: Number(row.n),
        lastAt: Number(row.last_at),
      }),
    ),
  };
}

/** A text[] as node-postgres (an array) or an untyped driver (`{a,b}`) returns it. */
function categoriesOf(value: string[] | string): string[] {
  if (Array.isArray(value)) return [...value];
  return value
    .slice(1, -1)
    .split(',')
    .map((c) => c.replace(/^"|"$/g, ''));
}
