import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PathId } from './forms';

/**
 * Refusing what a client got wrong. A refusal is thrown as an `HTTPException` with a 4xx status;
 * the app's error handler (`errors.tsx`) answers it with a plain page and logs one line — the
 * `problem` given here, never a stack.
 */

/** The 4xx statuses the demo answers with its own error page. */
export type RefusalStatus = 400 | 403 | 404 | 413 | 429;

/** Stops the request with `status`; `problem` is for the log only, never shown to the visitor. */
export function refuse(status: RefusalStatus, problem: string): never {
  throw new HTTPException(status, { message: problem });
}

/** The request's form body; a body that cannot be read (a broken multipart boundary, …) is a 400. */
export async function readForm(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    return refuse(400, 'the form body could not be read');
  }
}

/**
 * The id in path parameter `name`. A malformed one (a CRLF or another control character, a
 * character ids never have) is a 400; a well-formed id nobody has is the route's 404.
 */
export function pathId(c: Context, name: string): string {
  const parsed = PathId.safeParse(c.req.param(name));
  return parsed.success ? parsed.data : refuse(400, `malformed ${name} in the path`);
}

/** Control characters (a CRLF that would split a log line or a header), as `\xHH` escapes. */
const CONTROL = /\p{Cc}/gu;

/** A request value fit for one log line: control characters escaped, at most 200 characters. */
export function forLog(value: string): string {
  const escaped = value.replace(
    CONTROL,
    (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}
