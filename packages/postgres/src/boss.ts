import type PgBoss from 'pg-boss';
import type { CandorDatabase } from './database';
import { sqlState } from './errors';

/**
 * @internal Starts a pg-boss instance on the database's own connections (no second pool), keeping
 * its tables in `schema`. Shared by the due-time dispatch and the partitioned event queue.
 */
export async function openBoss(
  db: CandorDatabase,
  schema: string,
  onError: (error: unknown) => void,
  maintenanceIntervalSeconds?: number,
): Promise<PgBoss> {
  const mod = (await import('pg-boss')) as unknown as { default?: typeof PgBoss } & typeof PgBoss;
  const Boss = (mod.default ?? mod) as typeof PgBoss;
  const sql = db.driver;
  const boss = new Boss({
    db: {
      executeSql: async (text: string, values: unknown[]) => ({
        rows: await sql.query(text, values ?? []),
      }),
    },
    schema,
    supervise: true,
    schedule: false,
    migrate: true,
    ...(maintenanceIntervalSeconds === undefined ? {} : { maintenanceIntervalSeconds }),
  });
  boss.on('error', onError);
  await boss.start();
  return boss;
}

/**
 * @internal `boss.createQueue`, retried when it deadlocks: pg-boss 10 deadlocks when two processes
 * create the same queue at once (each waits on the other's insert and foreign key); PostgreSQL
 * aborts one, and its retry finds the queue made.
 */
export async function createQueue(
  boss: PgBoss,
  name: string,
  options: PgBoss.Queue,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      const code =
        sqlState(error) ?? (error as { details?: { sqlState?: unknown } }).details?.sqlState;
      if (attempt >= 5 || code !== '40P01') throw error;
    }
  }
}
