import {
  CandorError,
  type ChangeLog,
  type ChangeRecord,
  canonicalJson,
  parseChangeRecord,
} from '@candor/core';
import type { CandorDatabase } from './database';
import { checkDatabase } from './errors';

/**
 * A durable `ChangeLog` of `@candor/core` (what a rule changed for a customer, and its undo or
 * expiry): `candor_change_records`, one row per record, read per customer in append order. The
 * record id is unique across every instance on the database: an identical retried record is
 * ignored, a different one under a stored id is refused with `core/invalid_input`, so a change
 * closes once (undone or expired, never both) however many instances race to close it. An undo
 * is claimed first (`candor_undo_claims`, for a minute at most), so one instance at a time runs
 * the app's undo of a change.
 *
 * @example
 * const engine = createRuleEngine({ rules, consent, changes: { port, log: createPostgresChangeLog(db) } });
 */
export function createPostgresChangeLog(db: CandorDatabase): ChangeLog {
  checkDatabase(db);
  const table = db.table('change_records');
  const claims = db.table('undo_claims');
  const sql = db.driver;
  // Read as text and parsed here: drivers differ in whether they parse jsonb.
  const parse = (text: string): ChangeRecord => parseChangeRecord(JSON.parse(text));
  return {
    async append(input) {
      const record = parseChangeRecord(input);
      const text = canonicalJson(record);
      const inserted = await sql.query<{ id: string }>(
        `insert into ${table} (id, subject, record) values ($1, $2, $3::jsonb)
         on conflict (id) do nothing returning id`,
        [record.id, record.subject, text],
      );
      if (inserted.length === 1) return;
      const held = await sql.query<{ record: string }>(
        `select record::text as record from ${table} where id = $1`,
        [record.id],
      );
      const stored = held[0]?.record;
      if (stored !== undefined && canonicalJson(parse(stored)) === text) return;
      throw new CandorError(
        'core/invalid_input',
        `change.id: a different record "${record.id}" is already stored`,
        { path: 'change.id', value: record.id },
      );
    },
    async claimUndo(claim, now) {
      const taken = await sql.query<{ holder: string }>(
        `insert into ${claims} (change_id, holder, until) values ($1, $2, $3)
         on conflict (change_id) do update set holder = excluded.holder, until = excluded.until
           where ${claims}.holder = excluded.holder or ${claims}.until <= $4
         returning holder`,
        [claim.changeId, claim.holder, claim.until, now],
      );
      return taken.length === 1;
    },
    async releaseUndo(claim) {
      await sql.query(`delete from ${claims} where change_id = $1 and holder = $2`, [
        claim.changeId,
        claim.holder,
      ]);
    },
    async list(subject) {
      if (typeof subject !== 'string' || subject.length === 0)
        throw new CandorError('core/invalid_input', 'subject: must be a non-empty string', {
          path: 'subject',
          value: subject,
        });
      const rows = await sql.query<{ record: string }>(
        `select record::text as record from ${table} where subject = $1 order by seq`,
        [subject],
      );
      return rows.map((row) => parse(row.record));
    },
  };
}
