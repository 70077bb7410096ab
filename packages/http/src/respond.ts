import type { CandorError } from '@candor/core';
import { textResponse } from './body-text';
import { type HttpErrorBody, type HttpErrorCode, statusOf } from './errors';

const jsonHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * A JSON response that no cache keeps (every body here is one customer's personal data).
 *
 * @example
 * return json(200, { ok: true });
 */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return textResponse(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });
}

/**
 * The response for an `http/*` error: its status, `{ error: { code, message, path? } }`, and
 * the headers it carries (`Allow`, `Retry-After`).
 *
 * @example
 * return errorResponse(httpError('http/not_found', 'No such route'));
 */
export function errorResponse(error: CandorError<HttpErrorCode>): Response {
  const path = typeof error.details.path === 'string' ? error.details.path : undefined;
  const body: HttpErrorBody = {
    error: { code: error.code, message: error.message, ...(path === undefined ? {} : { path }) },
  };
  const headers = (error.details.headers ?? {}) as Record<string, string>;
  return json(statusOf[error.code], body, headers);
}
