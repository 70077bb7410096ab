import { type Clock, duration, systemClock } from '@candor/core';

/**
 * Sign-in rate limiting: fixed windows counted in memory, per client address and per account.
 * In memory means per process and forgotten on restart — enough for the demo; several instances
 * behind a load balancer would need a shared store.
 */

/** At most `max` attempts per window of `windowMs`. */
export interface WindowLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** The sign-in limits: per client address, and per account (whatever the address). */
export interface SignInLimits {
  readonly perAddress: WindowLimit;
  readonly perAccount: WindowLimit;
}

/** 10 attempts per address and 50 for the account, per 15 minutes. */
export const defaultSignInLimits: SignInLimits = Object.freeze({
  perAddress: Object.freeze({ max: 10, windowMs: 15 * duration.minute }),
  perAccount: Object.freeze({ max: 50, windowMs: 15 * duration.minute }),
});

/** Counts hits per key in fixed windows. */
export interface FixedWindowLimiter {
  /** Milliseconds until `key` may be hit again (0: now). */
  wait(key: string): number;
  /** Counts one hit for `key`. */
  hit(key: string): void;
}

/**
 * A fixed-window counter per key. At most `maxKeys` keys are kept: past that, expired windows
 * are dropped first, then the oldest.
 */
export function createFixedWindowLimiter(
  limit: WindowLimit,
  clock: Clock = systemClock,
  maxKeys = 10_000,
): FixedWindowLimiter {
  const windows = new Map<string, { readonly start: number; count: number }>();
  const live = (key: string) => {
    const window = windows.get(key);
    if (window === undefined) return undefined;
    if (clock.now() - window.start < limit.windowMs) return window;
    windows.delete(key);
    return undefined;
  };
  const makeRoom = () => {
    const now = clock.now();
    for (const [key, window] of windows)
      if (now - window.start >= limit.windowMs) windows.delete(key);
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };
  return {
    wait(key) {
      const window = live(key);
      if (window === undefined || window.count < limit.max) return 0;
      return window.start + limit.windowMs - clock.now();
    },
    hit(key) {
      const window = live(key);
      if (window) {
        window.count++;
        return;
      }
      if (windows.size >= maxKeys) makeRoom();
      windows.set(key, { start: clock.now(), count: 1 });
    },
  };
}

/** Whether a sign-in attempt may go ahead; if not, which limit is spent and for how long. */
export type SignInVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly limit: 'address' | 'account';
      readonly retryAfterMs: number;
    };

/** Sign-in attempts counted per client address and per account. */
export interface SignInGuard {
  /**
   * Counts one attempt from `address` on `account`. A refused attempt is not counted, so one
   * address spends at most its own limit of the account's.
   */
  attempt(address: string, account: string): SignInVerdict;
  /** Whether an attempt would be refused now, without counting one. */
  check(address: string, account: string): SignInVerdict;
}

/** A sign-in guard over two fixed-window limiters. */
export function createSignInGuard(
  limits: SignInLimits = defaultSignInLimits,
  clock: Clock = systemClock,
): SignInGuard {
  const byAddress = createFixedWindowLimiter(limits.perAddress, clock);
  const byAccount = createFixedWindowLimiter(limits.perAccount, clock);
  const check = (address: string, account: string): SignInVerdict => {
    const addressWait = byAddress.wait(address);
    if (addressWait > 0) return { allowed: false, limit: 'address', retryAfterMs: addressWait };
    const accountWait = byAccount.wait(account);
    if (accountWait > 0) return { allowed: false, limit: 'account', retryAfterMs: accountWait };
    return { allowed: true };
  };
  return {
    check,
    attempt(address, account) {
      const verdict = check(address, account);
      if (verdict.allowed) {
        byAddress.hit(address);
        byAccount.hit(account);
      }
      return verdict;
    },
  };
}
