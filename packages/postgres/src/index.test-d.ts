import type { ConsentLedgerStore } from '@candor/consent';
import type { FeedbackStore } from '@candor/feedback';
import type { RuleStateStore } from '@candor/rules';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import { expectTypeOf, it } from 'vitest';
import type { PostgresLedgerStore } from './consent';
import { createPostgresLedgerStore } from './consent';
import type { PostgresFeedbackStore } from './feedback';
import { createPostgresFeedbackStore } from './feedback';
import {
  type CandorDatabase,
  createCandorDatabase,
  createPgDriver,
  createPgliteDriver,
  type PGliteLike,
  type PgPoolLike,
  type PostgresErrorCode,
} from './index';
import type { PostgresRuleStateStore } from './rules';
import { createPostgresRuleStateStore } from './rules';

it('implements the ports of consent, rules and feedback', () => {
  expectTypeOf<PostgresLedgerStore>().toExtend<ConsentLedgerStore>();
  expectTypeOf<PostgresRuleStateStore>().toExtend<RuleStateStore>();
  expectTypeOf<PostgresFeedbackStore>().toExtend<FeedbackStore>();
  expectTypeOf(createPostgresLedgerStore).parameter(0).toEqualTypeOf<CandorDatabase>();
  expectTypeOf(createPostgresRuleStateStore).returns.toEqualTypeOf<PostgresRuleStateStore>();
  expectTypeOf(createPostgresFeedbackStore).returns.toEqualTypeOf<PostgresFeedbackStore>();
});

it('takes a connection string or a PGlite data directory', () => {
  expectTypeOf(createCandorDatabase).toBeCallableWith({ url: process.env.DATABASE_URL });
  expectTypeOf(createCandorDatabase).toBeCallableWith({ dataDir: './.candor', schema: 'app' });
  expectTypeOf(createCandorDatabase).returns.resolves.toEqualTypeOf<CandorDatabase>();
  expectTypeOf<'postgres/closed'>().toExtend<PostgresErrorCode>();
  // @ts-expect-error poolSize is a number
  void createCandorDatabase({ poolSize: '8' });
});

it('takes a real pg.Pool and PGlite, typed without importing their packages', () => {
  expectTypeOf<Pool>().toExtend<PgPoolLike>();
  expectTypeOf<PGlite>().toExtend<PGliteLike>();
  expectTypeOf(createCandorDatabase).toBeCallableWith({ pool: {} as Pool });
  expectTypeOf(createCandorDatabase).toBeCallableWith({ pglite: {} as PGlite });
  expectTypeOf(createPgDriver).toBeCallableWith({} as Pool, { owned: false });
  expectTypeOf(createPgliteDriver).toBeCallableWith({} as PGlite, { owned: true });
  // @ts-expect-error a pool is not any: a number is not one
  void createCandorDatabase({ pool: 42 });
  // @ts-expect-error nor is an object without its methods
  void createCandorDatabase({ pglite: { query: () => Promise.resolve({ rows: [] }) } });
});
