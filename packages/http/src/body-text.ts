/** The text of the JSON responses this package made, so the Node adapter need not stream it. */
const texts = new WeakMap<Response, string>();

/**
 * A `Response` whose body is `text`, remembered so {@link bodyTextOf} can hand it back without
 * reading the body stream (which costs more than building the response on Node).
 *
 * @example
 * const response = textResponse('{"ok":true}', { status: 200 });
 */
export function textResponse(text: string, init: ResponseInit): Response {
  const response = new Response(text, init);
  texts.set(response, text);
  return response;
}

/**
 * The body text of a response made by {@link textResponse}, else `undefined`. (It does not ask
 * `bodyUsed`: a handler returns a response whose body is unread, and on some runtimes asking
 * costs as much as building the response.)
 *
 * @example
 * const text = bodyTextOf(response) ?? (await response.text());
 */
export function bodyTextOf(response: Response): string | undefined {
  return texts.get(response);
}
