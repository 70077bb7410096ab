import { type CorrectionStore, parseCorrectionEvent } from '@candor/feedback';
import type { CandorDatabase } from '@candor/postgres';

/**
 * The demo's durable `CorrectionStore`: one append-only table of correction events beside the
 * packages' tables (created when missing), read back per customer in append order.
 */
export async function sqlCorrectionStore(
  db: CandorDatabase,
  quoteIdent: (name: string) => string,
): Promise<CorrectionStore> {
  const sql = db.driver;
  const table = `${quoteIdent(db.schema)}.demo_corrections`;
  await sql.query(
    `create table if not exists ${table} (
      seq bigint generated always as identity primary key,
      subject text not null,
      event jsonb not null
    )`,
  );
  return {
    async append(events) {
      await sql.transaction(async (tx) => {
        for (const event of events)
          await tx.query(`insert into ${table} (subject, event) values ($1, $2)`, [
            event.subject,
            JSON.stringify(parseCorrectionEvent(event)),
          ]);
      });
    },
    async read(subject) {
      // Read as text and parsed here: drivers differ in whether they parse jsonb.
      const rows = await sql.query<{ event: string }>(
        `select event::text as event from ${table} where subject = $1 order by seq`,
        [subject],
      );
      return rows.map((row) => parseCorrectionEvent(JSON.parse(row.event)));
    },
  };
}
