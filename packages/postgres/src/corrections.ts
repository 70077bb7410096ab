import { CandorError, type SubjectId, zodToCandorError } from '@candor/core';
import { CorrectionEvent, type CorrectionStore } from '@candor/feedback';
import type { CandorDatabase } from './database';
import { checkDatabase } from './errors';

const invalid = (path: string, value: unknown, problem: string) =>
  new CandorError('feedback/invalid_event', `${path}: ${problem}`, { path, value });

/**
 * A durable `CorrectionStore` of `@candor/feedback` (customers' corrections of the data held about
 * them): `candor_correction_events`, append-only, read per customer in append order. A call's
 * events are checked first and written in one statement (all or nothing). A correction is opened
 * once and decided once across every instance on the database: a second opening or decision of
 * the same correction (another instance racing this one) is not stored, so the first stands, as
 * the desk's fold has it.
 *
 * @example
 * const desk = createCorrectionDesk({ store: createPostgresCorrectionStore(db), facts });
 */
export function createPostgresCorrectionStore(db: CandorDatabase): CorrectionStore {
  checkDatabase(db);
  const table = db.table('correction_events');
  const sql = db.driver;
  return {
    async append(events) {
      if (!Array.isArray(events)) throw invalid('events', events, 'expected an array');
      const valid = events.map((event, i) => {
        const result = CorrectionEvent.safeParse(event);
        if (!result.success)
          throw zodToCandorError('feedback/invalid_event', result.error, event, `events[${i}]`);
        return result.data;
      });
      if (valid.length === 0) return;
      // In the order given; one row per opening and one per decision of a correction.
      await sql.query(
        `insert into ${table} (subject, correction_id, opening, event)
         select x.e->>'subject', x.e->>'correctionId', x.e->>'type' = 'opened', x.e
         from jsonb_array_elements($1::jsonb) with ordinality as x(e, n)
         order by x.n
         on conflict do nothing`,
        [JSON.stringify(valid)],
      );
    },
    async read(subject: SubjectId) {
      if (typeof subject !== 'string' || subject.length === 0)
        throw invalid('subject', subject, 'must be a non-empty string');
      // Read as text and parsed here: drivers differ in whether they parse jsonb.
      const rows = await sql.query<{ event: string }>(
        `select event::text as event from ${table} where subject = $1 order by seq`,
        [subject],
      );
      return rows.map((row, i) => {
        const result = CorrectionEvent.safeParse(JSON.parse(row.event));
        if (!result.success)
          throw zodToCandorError('feedback/invalid_event', result.error, row.event, `stored[${i}]`);
        return result.data;
      });
    },
  };
}
