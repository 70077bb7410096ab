import { expect, test } from 'vitest';
import { readConfig } from './config';
import { safeEqual } from './security';

test('defaults: port 3000, PGlite in apps/demo/data, a generated operator token', () => {
  const config = readConfig({});
  expect(config.port).toBe(3000);
  expect(config.databaseUrl).toBeNull();
  expect(config.dataDir).toMatch(/apps\/demo\/data$/);
  expect(config.operatorTokenGenerated).toBe(true);
  expect(config.operatorToken.length).toBeGreaterThanOrEqual(20);
  expect(readConfig({}).operatorToken).not.toBe(config.operatorToken);
});

test('reads PORT, DATABASE_URL and the operator token from the environment', () => {
  const config = readConfig({
    PORT: '8080',
    DATABASE_URL: 'postgres://u:p@localhost:5432/candor',
    CANDOR_OPERATOR_TOKEN: 'a-long-enough-operator-token',
  });
  expect(config.port).toBe(8080);
  expect(config.databaseUrl).toBe('postgres://u:p@localhost:5432/candor');
  expect(config.operatorToken).toBe('a-long-enough-operator-token');
  expect(config.operatorTokenGenerated).toBe(false);
});

test('refuses a bad environment, naming every variable at fault', () => {
  expect(() =>
    readConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CANDOR_OPERATOR_TOKEN: 'short' }),
  ).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*CANDOR_OPERATOR_TOKEN/);
  expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT/);
});

test('sign-in limits: 10 per address and 50 in all per 15 minutes, or from the environment', () => {
  expect(readConfig({}).signInLimits).toEqual({
    perAddress: { max: 10, windowMs: 900_000 },
    perAccount: { max: 50, windowMs: 900_000 },
  });
  const config = readConfig({
    CANDOR_SIGNIN_MAX_PER_ADDRESS: '3',
    CANDOR_SIGNIN_MAX_PER_ACCOUNT: '7',
    CANDOR_SIGNIN_WINDOW_SECONDS: '60',
  });
  expect(config.signInLimits).toEqual({
    perAddress: { max: 3, windowMs: 60_000 },
    perAccount: { max: 7, windowMs: 60_000 },
  });
  expect(() =>
    readConfig({ CANDOR_SIGNIN_MAX_PER_ADDRESS: '0', CANDOR_SIGNIN_WINDOW_SECONDS: 'soon' }),
  ).toThrow(/CANDOR_SIGNIN_MAX_PER_ADDRESS[\s\S]*CANDOR_SIGNIN_WINDOW_SECONDS/);
});

test('an empty operator token counts as unset (a token is generated)', () => {
  expect(readConfig({ CANDOR_OPERATOR_TOKEN: '' }).operatorTokenGenerated).toBe(true);
});

test('safeEqual compares tokens exactly', () => {
  expect(safeEqual('abc', 'abc')).toBe(true);
  expect(safeEqual('abc', 'abd')).toBe(false);
  expect(safeEqual('abc', 'abcd')).toBe(false);
});
