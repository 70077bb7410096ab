export type { CandorDatabase, CandorDatabaseOptions } from './database';
export { createCandorDatabase } from './database';
export type {
  CandorDriver,
  DriverKind,
  HealthReport,
  IsolationLevel,
  ListenSession,
  PGliteLike,
  PgPoolClientLike,
  PgPoolLike,
  SqlClient,
  TransactionOptions,
} from './driver';
export { createPgDriver, createPgliteDriver } from './driver';
export type { PostgresErrorCode } from './errors';
export type { ChangeFeedOptions, PostgresChangeFeed } from './feed';
export type { Migration, MigrationReport } from './migrations';
export { candorMigrations, migrate } from './migrations';
