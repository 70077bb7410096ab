import { type SubjectId, unstorableText, zodToCandorError } from '@candor/core';
import type * as z from 'zod/mini';
import { httpError } from './errors';

/**
 * Reads a request's JSON body: `application/json` only (415), at most `maxBytes` (413, checked
 * on `Content-Length` and again while reading, so a lying or missing header cannot get more
 * through), valid JSON (400 `http/invalid_json`), then `schema` (400 `http/invalid_body` with the
 * field's `path`). A body whose `subject` is not the signed-in customer is refused (403
 * `http/forbidden_subject`) before anything else looks at it. A value nested deeper than
 * {@link MAX_DEPTH} levels, a `__proto__` key anywhere (which copying would silently drop), or a
 * NUL character or a lone UTF-16 surrogate in any key or text is refused (400
 * `http/invalid_body` naming where).
 *
 * @example
 * const body = await readJson(request, FeedbackBody, { maxBytes: 16_384, subject: 'cus_1' });
 */
export async function readJson<S extends z.ZodMiniType>(
  request: Request,
  schema: S,
  limits: { readonly maxBytes: number; readonly subject: SubjectId },
): Promise<z.infer<S>> {
  const { maxBytes, subject } = limits;
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw httpError(
      'http/unsupported_media_type',
      'The body must be JSON (Content-Type: application/json)',
    );
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const text = await readText(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw httpError('http/invalid_json', 'The body is not valid JSON');
  }
  checkShape(value);
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.hasOwn(value, 'subject') &&
    (value as { subject?: unknown }).subject !== subject
  )
    throw httpError('http/forbidden_subject', 'You can only make choices for yourself', {
      path: 'subject',
    });
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const error = zodToCandorError('http/invalid_body', result.error, value);
  throw httpError('http/invalid_body', error.message, { path: String(error.details.path) });
}

/**
 * Validates a URL's query string against `schema` (each parameter at most once); throws
 * `http/invalid_query` naming the parameter.
 *
 * @example
 * const { days } = readQuery(new URL(request.url), AccessQueryParams);
 */
export function readQuery<S extends z.ZodMiniType>(url: URL, schema: S): z.infer<S> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(query, key))
      throw httpError('http/invalid_query', `${key}: must be given once`, { path: key });
    Object.defineProperty(query, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const error = zodToCandorError('http/invalid_query', result.error, query);
  throw httpError('http/invalid_query', error.message, { path: String(error.details.path) });
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(all);
}

/** How deeply a body's values may nest (a correction's proposed value, say). */
const MAX_DEPTH = 32;

/**
 * Refuses a body nested deeper than {@link MAX_DEPTH}, with a `__proto__` key, or with a NUL
 * character or a lone UTF-16 surrogate in a key or text, naming where.
 */
function checkShape(body: unknown): void {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    const problem = typeof value === 'string' ? unstorableText(value) : undefined;
    if (problem !== undefined)
      throw httpError('http/invalid_body', `${path}: ${problem}`, { path });
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH)
      throw httpError(
        'http/invalid_body',
        `${path}: is nested more than ${MAX_DEPTH} levels deep`,
        {
          path,
        },
      );
    for (const [key, item] of Object.entries(value)) {
      const at = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      if (key === '__proto__' || unstorableText(key) !== undefined)
        throw httpError('http/invalid_body', `${at}: is not a field name we accept`, {
          path: at,
        });
      pending.push({ value: item, path: at, depth: depth + 1 });
    }
  }
}

function tooLarge(maxBytes: number) {
  return httpError('http/payload_too_large', `The body must be at most ${maxBytes} bytes`);
}
