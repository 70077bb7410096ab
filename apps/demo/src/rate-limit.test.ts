import { createVirtualClock } from '@candor/core';
import { expect, test } from 'vitest';
import { createFixedWindowLimiter, createSignInGuard } from './rate-limit';

test('a fixed window allows max hits, then says how long to wait, then starts afresh', () => {
  const clock = createVirtualClock(1_000_000);
  const limiter = createFixedWindowLimiter({ max: 2, windowMs: 60_000 }, clock);
  expect(limiter.wait('a')).toBe(0);
  limiter.hit('a');
  clock.advance(10_000);
  limiter.hit('a');
  expect(limiter.wait('a')).toBe(50_000);
  expect(limiter.wait('b')).toBe(0);
  clock.advance(49_999);
  expect(limiter.wait('a')).toBe(1);
  clock.advance(1);
  expect(limiter.wait('a')).toBe(0);
  limiter.hit('a');
  expect(limiter.wait('a')).toBe(0);
});

test('the limiter keeps at most maxKeys keys: expired ones go first, then the oldest', () => {
  const clock = createVirtualClock(0);
  const limiter = createFixedWindowLimiter({ max: 1, windowMs: 1_000 }, clock, 2);
  limiter.hit('old');
  clock.advance(1_000);
  limiter.hit('a');
  limiter.hit('b'); // 'old' has expired: dropped to make room
  expect(limiter.wait('a')).toBeGreaterThan(0);
  expect(limiter.wait('b')).toBeGreaterThan(0);
  limiter.hit('c'); // full of live windows: the oldest ('a') goes
  expect(limiter.wait('a')).toBe(0);
  expect(limiter.wait('b')).toBeGreaterThan(0);
  expect(limiter.wait('c')).toBeGreaterThan(0);
});

test('sign-in guard: per address, then per account; refused attempts are not counted', () => {
  const clock = createVirtualClock(0);
  const guard = createSignInGuard(
    { perAddress: { max: 2, windowMs: 60_000 }, perAccount: { max: 3, windowMs: 120_000 } },
    clock,
  );
  expect(guard.attempt('10.0.0.1', 'operator').allowed).toBe(true);
  expect(guard.attempt('10.0.0.1', 'operator').allowed).toBe(true);
  expect(guard.attempt('10.0.0.1', 'operator')).toEqual({
    allowed: false,
    limit: 'address',
    retryAfterMs: 60_000,
  });
  // check() never counts.
  for (let i = 0; i < 5; i++) expect(guard.check('10.0.0.2', 'operator').allowed).toBe(true);
  // The account has 1 of 3 left: the refused third attempt from .1 did not spend it.
  expect(guard.attempt('10.0.0.2', 'operator').allowed).toBe(true);
  clock.advance(30_000);
  expect(guard.attempt('10.0.0.3', 'operator')).toEqual({
    allowed: false,
    limit: 'account',
    retryAfterMs: 90_000,
  });
  expect(guard.attempt('10.0.0.3', 'another').allowed).toBe(true);
  clock.advance(90_000);
  expect(guard.attempt('10.0.0.1', 'operator').allowed).toBe(true);
});
