import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { defaultSignInLimits, type SignInLimits } from './rate-limit';

/** A whole number from 1 to 1,000,000, as an environment variable. */
const count = (name: string) =>
  z.optional(
    z.string().check(
      z.regex(/^\d{1,7}$/, `${name} must be a whole number`),
      z.refine((v) => Number(v) >= 1 && Number(v) <= 1_000_000, `${name} must be 1 to 1000000`),
    ),
  );

/** The environment the demo reads; every value is validated before the server starts. */
export const DemoEnv = z.object({
  PORT: z.optional(
    z
      .string()
      .check(z.regex(/^\d{1,5}$/, 'PORT must be a number between 0 and 65535'))
      .check(z.refine((v) => Number(v) <= 65_535, 'PORT must be at most 65535')),
  ),
  HOST: z.optional(z.string().check(z.minLength(1))),
  DATABASE_URL: z.optional(
    z
      .string()
      .check(
        z.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://'),
      ),
  ),
  CANDOR_DATA_DIR: z.optional(z.string().check(z.minLength(1))),
  CANDOR_DB_SCHEMA: z.optional(
    z
      .string()
      .check(
        z.regex(/^[a-z_][a-z0-9_]{0,62}$/, 'CANDOR_DB_SCHEMA must be a lower-case SQL identifier'),
      ),
  ),
  CANDOR_OPERATOR_TOKEN: z.optional(
    z.string().check(z.minLength(16, 'CANDOR_OPERATOR_TOKEN must be at least 16 characters')),
  ),
  CANDOR_SIGNIN_MAX_PER_ADDRESS: count('CANDOR_SIGNIN_MAX_PER_ADDRESS'),
  CANDOR_SIGNIN_MAX_PER_ACCOUNT: count('CANDOR_SIGNIN_MAX_PER_ACCOUNT'),
  CANDOR_SIGNIN_WINDOW_SECONDS: count('CANDOR_SIGNIN_WINDOW_SECONDS'),
});
export type DemoEnv = z.infer<typeof DemoEnv>;

/** What the server needs to start. */
export interface DemoConfig {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL connection string; when absent the demo runs on PGlite in `dataDir`. */
  readonly databaseUrl: string | null;
  /** Schema holding the tables (default `public`). */
  readonly schema?: string;
  readonly dataDir: string;
  readonly operatorToken: string;
  /** True when the token was generated at start (so it must be printed). */
  readonly operatorTokenGenerated: boolean;
  /** Operator sign-in attempts allowed per client address and in all (default {@link defaultSignInLimits}). */
  readonly signInLimits?: SignInLimits;
}

/** `apps/demo/data`, the default PGlite folder (gitignored). */
export const defaultDataDir = fileURLToPath(new URL('../data', import.meta.url));

/** Reads and validates the environment; throws an Error listing every bad variable. */
export function readConfig(env: Record<string, string | undefined>): DemoConfig {
  // An empty variable (`CANDOR_OPERATOR_TOKEN=`) counts as unset.
  const set = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = DemoEnv.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const generated = e.CANDOR_OPERATOR_TOKEN === undefined;
  const windowMs =
    e.CANDOR_SIGNIN_WINDOW_SECONDS === undefined
      ? defaultSignInLimits.perAddress.windowMs
      : Number(e.CANDOR_SIGNIN_WINDOW_SECONDS) * 1000;
  const max = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : Number(value);
  return {
    port: e.PORT === undefined ? 3000 : Number(e.PORT),
    host: e.HOST ?? '127.0.0.1',
    databaseUrl: e.DATABASE_URL ?? null,
    ...(e.CANDOR_DB_SCHEMA ? { schema: e.CANDOR_DB_SCHEMA } : {}),
    dataDir: e.CANDOR_DATA_DIR ?? defaultDataDir,
    operatorToken: e.CANDOR_OPERATOR_TOKEN ?? randomBytes(18).toString('base64url'),
    operatorTokenGenerated: generated,
    signInLimits: {
      perAddress: {
        max: max(e.CANDOR_SIGNIN_MAX_PER_ADDRESS, defaultSignInLimits.perAddress.max),
        windowMs,
      },
      perAccount: {
        max: max(e.CANDOR_SIGNIN_MAX_PER_ACCOUNT, defaultSignInLimits.perAccount.max),
        windowMs,
      },
    },
  };
}
