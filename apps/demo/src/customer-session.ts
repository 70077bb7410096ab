import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { safeEqual } from './security';

/** The cookie that says which customer this browser is signed in as, under that customer's pages. */
export const CUSTOMER_COOKIE = 'candor_customer';

/**
 * The demo's customer sessions. The demo has no customer passwords: picking a customer (opening
 * one of their pages) signs the browser in as them. The session is an HttpOnly SameSite=Strict
 * cookie `customer.nonce.mac` (HMAC-SHA256 under a key made at start-up, so a restart signs
 * everyone out) whose path is that customer's pages (`/customers/{id}`): a browser with two
 * customers open in two tabs sends each tab's API calls with its own customer's session only.
 */
export interface CustomerSessions {
  /** Signs the browser in as `customer` unless its cookie already says so. */
  signIn(c: Context, customer: string): void;
  /** The customer the request's session cookie names, if the cookie is genuine. */
  subjectOf(c: Context): string | undefined;
}

/** Creates the sessions with a fresh random key. */
export function createCustomerSessions(): CustomerSessions {
  const key = randomBytes(32);
  const mac = (customer: string, nonce: string) =>
    createHmac('sha256', key).update(`${customer}.${nonce}`).digest('base64url');
  const subjectOf = (c: Context) => {
    // `customer.nonce.mac`: the nonce and the MAC are base64url (no dots), the id may have some.
    const match = /^(.+)\.([\w-]{22})\.([\w-]{43})$/.exec(getCookie(c, CUSTOMER_COOKIE) ?? '');
    if (!match) return undefined;
    const [, customer = '', nonce = '', sent = ''] = match;
    return safeEqual(sent, mac(customer, nonce)) ? customer : undefined;
  };
  return {
    subjectOf,
    signIn(c, customer) {
      if (subjectOf(c) === customer) return;
      const nonce = randomBytes(16).toString('base64url');
      setCookie(c, CUSTOMER_COOKIE, `${customer}.${nonce}.${mac(customer, nonce)}`, {
        httpOnly: true,
        sameSite: 'Strict',
        path: `/customers/${customer}`,
      });
    },
  };
}
