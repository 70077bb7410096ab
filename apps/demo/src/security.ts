import { randomBytes, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { SignInGuard, SignInVerdict } from './rate-limit';
import { readForm } from './refusal';

/** Per-request values the pages read. */
export interface DemoVariables {
  /** The double-submit CSRF token every form carries in `_csrf`. */
  csrf: string;
  /** True when the request carries the operator token. */
  operator: boolean;
  /** Why the request was refused or failed, for the one-line request log (never shown). */
  problem: string | undefined;
}

export type DemoEnvBindings = { Variables: DemoVariables };

export const CSRF_COOKIE = 'candor_csrf';
export const CSRF_FIELD = '_csrf';
export const OPERATOR_COOKIE = 'candor_operator';
/** The one account the operator token signs in to (the key of its per-account limit). */
export const OPERATOR_ACCOUNT = 'operator';

/** Constant-time string comparison (different lengths compare unequal without early exit leaks). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Security headers with a strict CSP: scripts, styles, images and API calls from this origin only
 * (no inline script: the pages' one script is `/static/privacy.js`),
 * forms post back here only, never framed (`frame-ancestors 'none'`, and `X-Frame-Options: DENY`
 * for browsers without CSP 2 — SAMEORIGIN would contradict it).
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      connectSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    strictTransportSecurity: false,
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  });
}

/**
 * CSRF protection, two layers: Hono's origin / Sec-Fetch-Site check, then a double-submit token
 * (an HttpOnly SameSite=Strict cookie that every form echoes in `_csrf`). `onRefuse` renders the
 * 403 page.
 */
export function csrfProtection(
  onRefuse: (c: Context<DemoEnvBindings>) => Response | Promise<Response>,
): MiddlewareHandler<DemoEnvBindings> {
  const originCheck = csrf();
  return async (c, next) => {
    let token = getCookie(c, CSRF_COOKIE);
    if (token === undefined || !/^[A-Za-z0-9_-]{32}$/.test(token)) {
      token = randomBytes(24).toString('base64url');
      setCookie(c, CSRF_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    c.set('csrf', token);
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const refuse = () => {
      c.set('problem', 'CSRF check failed');
      return onRefuse(c);
    };
    let sameOrigin = false;
    try {
      await originCheck(c, async () => {
        sameOrigin = true;
      });
    } catch (error) {
      if (error instanceof HTTPException) return refuse();
      throw error;
    }
    if (!sameOrigin) return refuse();
    const type = c.req.header('content-type') ?? '';
    let sent: unknown;
    if (
      type.startsWith('application/x-www-form-urlencoded') ||
      type.startsWith('multipart/form-data')
    ) {
      sent = (await readForm(c))[CSRF_FIELD];
    } else {
      sent = c.req.header('x-csrf-token');
    }
    if (typeof sent !== 'string' || !safeEqual(sent, token)) return refuse();
    return next();
  };
}

/** Reads the operator token from `Authorization: Bearer …` or the operator cookie. */
export function presentedOperatorToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return getCookie(c, OPERATOR_COOKIE);
}

/**
 * The client's address as the socket saw it. No `X-Forwarded-For`: the demo trusts no proxy (behind
 * one, every client would share the proxy's address).
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not served by @hono/node-server (app.fetch called directly)
  }
}

export interface RequireOperatorOptions {
  readonly token: string;
  /** Counts wrong tokens as sign-in attempts. */
  readonly guard: SignInGuard;
  /** Renders the page shown instead (a sign-in form): 401 without a token, 403 with a wrong one. */
  readonly onRefuse: (
    c: Context<DemoEnvBindings>,
    status: 401 | 403,
  ) => Response | Promise<Response>;
  /** Renders the 429 page once the sign-in limits are spent. */
  readonly onLimited: (
    c: Context<DemoEnvBindings>,
    verdict: Exclude<SignInVerdict, { allowed: true }>,
  ) => Response | Promise<Response>;
}

/**
 * Guards operator routes: no token → 401, wrong token → 403 and one sign-in attempt counted,
 * any token while the sign-in limits are spent → 429 (the right one too: else a lucky guess would
 * still tell itself apart from the others).
 */
export function requireOperator(
  options: RequireOperatorOptions,
): MiddlewareHandler<DemoEnvBindings> {
  return async (c, next) => {
    const presented = presentedOperatorToken(c);
    if (presented === undefined || presented === '') return options.onRefuse(c, 401);
    const right = safeEqual(presented, options.token);
    const address = clientAddress(c);
    const verdict = right
      ? options.guard.check(address, OPERATOR_ACCOUNT)
      : options.guard.attempt(address, OPERATOR_ACCOUNT);
    if (!verdict.allowed) return options.onLimited(c, verdict);
    if (!right) return options.onRefuse(c, 403);
    c.set('operator', true);
    return next();
  };
}

/** Sets the operator cookie after a successful sign-in. */
export function setOperatorCookie(c: Context, token: string): void {
  setCookie(c, OPERATOR_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/operator' });
}
