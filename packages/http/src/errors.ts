import { CandorError, isCandorError } from '@candor/core';

/**
 * The codes an `@candor/http` response carries in `error.code`, each with one HTTP status:
 * - `http/unauthenticated` (401) — the app's `authenticate` hook found no signed-in customer
 * - `http/forbidden_origin` (403) — an unsafe request from another site (CSRF check)
 * - `http/forbidden_subject` (403) — the body names a customer other than the signed-in one
 * - `http/not_found` (404) — no such route, or no such decision, memory or record of theirs
 * - `http/method_not_allowed` (405, with `Allow`) — the route exists for other methods
 * - `http/idempotency_conflict` (409) — an idempotency key reused for different content
 * - `http/conflict` (409) — the write does not apply to the record's current state
 * - `http/gone` (410) — the message can no longer be explained: the data behind it is too old
 * - `http/payload_too_large` (413) — a body over the size limit
 * - `http/unsupported_media_type` (415) — a body that is not `application/json`
 * - `http/invalid_json` (400) — a body that does not parse as JSON
 * - `http/invalid_body` (400) — JSON that fails validation (`path` names the field)
 * - `http/invalid_query` (400) — a query parameter that fails validation
 * - `http/rate_limited` (429, with `Retry-After`) — too many requests from this customer
 * - `http/unavailable` (503, with `Retry-After`) — the store is catching up; try again shortly
 * - `http/internal` (500) — anything else; the real error goes to `onError`, never the response
 * - `http/invalid_option` — thrown by {@link createPrivacyApi} for a bad option (never a response)
 *
 * @example
 * if (body.error.code === 'http/rate_limited') await sleep(Number(res.headers.get('retry-after')) * 1000);
 */
export type HttpErrorCode =
  | 'http/unauthenticated'
  | 'http/forbidden_origin'
  | 'http/forbidden_subject'
  | 'http/not_found'
  | 'http/method_not_allowed'
  | 'http/idempotency_conflict'
  | 'http/conflict'
  | 'http/gone'
  | 'http/payload_too_large'
  | 'http/unsupported_media_type'
  | 'http/invalid_json'
  | 'http/invalid_body'
  | 'http/invalid_query'
  | 'http/rate_limited'
  | 'http/unavailable'
  | 'http/internal'
  | 'http/invalid_option';

/**
 * The status each response code is sent with.
 *
 * @example
 * statusOf['http/rate_limited']; // 429
 */
export const statusOf = /* @__PURE__ */ Object.freeze({
  'http/unauthenticated': 401,
  'http/forbidden_origin': 403,
  'http/forbidden_subject': 403,
  'http/not_found': 404,
  'http/method_not_allowed': 405,
  'http/idempotency_conflict': 409,
  'http/conflict': 409,
  'http/gone': 410,
  'http/payload_too_large': 413,
  'http/unsupported_media_type': 415,
  'http/invalid_json': 400,
  'http/invalid_body': 400,
  'http/invalid_query': 400,
  'http/rate_limited': 429,
  'http/unavailable': 503,
  'http/internal': 500,
  'http/invalid_option': 500,
} satisfies Record<HttpErrorCode, number>);

/**
 * The JSON body of every error response: a code, a message for developers, and for validation
 * errors the path of the offending field.
 *
 * @example
 * const { error }: HttpErrorBody = await response.json();
 */
export interface HttpErrorBody {
  readonly error: {
    readonly code: HttpErrorCode;
    readonly message: string;
    readonly path?: string;
  };
}

/**
 * Builds an `@candor/http` {@link CandorError}; `headers` travel to the response (`Allow`,
 * `Retry-After`).
 *
 * @example
 * throw httpError('http/not_found', 'No such decision', { path: 'decisionId' });
 */
export function httpError(
  code: HttpErrorCode,
  message: string,
  details: { readonly path?: string; readonly headers?: Record<string, string> } = {},
): CandorError<HttpErrorCode> {
  return new CandorError(code, message, details);
}

/**
 * What the packages' own errors mean for the caller of the API: the answer's code, its message
 * (`null`: the package's, which names the body's field) and, when `true`, that the package's
 * `path` is not the body's and is left out. Only codes that a customer's request can cause, or
 * that answer it on purpose, are listed; anything else is the server's problem (500, reported).
 */
const packageErrors: Readonly<
  Record<string, readonly [HttpErrorCode, string | null, pathless?: true]>
> = {
  'consent/invalid_event': ['http/invalid_body', null],
  'consent/invalid_purpose': ['http/invalid_body', null],
  'consent/invalid_notice': ['http/invalid_body', null],
  'consent/invalid_category': ['http/invalid_body', null],
  'consent/idempotency_conflict': [
    'http/idempotency_conflict',
    'This idempotency key was already used for a different request',
  ],
  'consent/stale_sequence': ['http/unavailable', 'Another change is being saved; try again'],
  'feedback/invalid_scope': ['http/invalid_body', null],
  'feedback/invalid_duration': ['http/invalid_body', null],
  'feedback/idempotency_conflict': [
    'http/idempotency_conflict',
    'This idempotency key was already used for a different request',
  ],
  'feedback/not_prepared': ['http/unavailable', 'Your settings are loading; try again'],
  'feedback/invalid_event': ['http/invalid_body', null],
  'memory/not_found': ['http/not_found', 'No such memory'],
  'memory/not_allowed': ['http/conflict', 'This memory cannot be changed that way any more'],
  // The explainer's evidence-age policy blocks it: a deliberate answer, not a crash (no report).
  'explain/stale_evidence': [
    'http/gone',
    'We can no longer explain this message, because the information behind it is too old',
    true,
  ],
};

/**
 * The error a response reports: an `http/*` error as is; a package error a request can cause,
 * translated (validation messages kept, as they name the caller's own field); anything else as
 * `http/internal` with a generic message — `internal: true` says the real error must be reported.
 *
 * @example
 * const { error, internal } = toHttpError(thrown);
 */
export function toHttpError(thrown: unknown): {
  readonly error: CandorError<HttpErrorCode>;
  readonly internal: boolean;
} {
  if (isCandorError(thrown) && thrown.code.startsWith('http/') && thrown.code in statusOf)
    return { error: thrown as CandorError<HttpErrorCode>, internal: false };
  const known = isCandorError(thrown) ? packageErrors[thrown.code] : undefined;
  if (known && isCandorError(thrown)) {
    const [code, message, pathless] = known;
    // The package's name for the body it was given (`event.scope`) is the body's own field.
    const inBody = (text: string) => text.replace(/^(event|input)\./, '');
    const given = pathless ? undefined : thrown.details.path;
    const path = typeof given === 'string' ? inBody(given) : undefined;
    return {
      error: httpError(code, message ?? inBody(thrown.message), path === undefined ? {} : { path }),
      internal: false,
    };
  }
  return {
    error: httpError('http/internal', 'Something went wrong on our side; please try again later'),
    internal: true,
  };
}
