/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyTextOf } from './body-text';
import { nodeRequest } from './node-request';

/**
 * A Fetch handler, as {@link createPrivacyApi}'s `fetch` is.
 *
 * @example
 * const handler: FetchHandler = (request) => api.fetch(request);
 */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Serves a Fetch handler from Node's `http` (or `https`) server: each request becomes a
 * `Request` (its body streamed, never buffered here), and the `Response` is written back with its
 * status, headers and whole body (with a `Content-Length`: these answers are small). A handler that throws answers a bare 500 and the error goes to `onError`.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { toNodeListener } from '@candor/http/node';
 * createServer(toNodeListener(api.fetch)).listen(3000);
 */
export function toNodeListener(
  handler: FetchHandler,
  options: { readonly onError?: (error: unknown) => void } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(handler, req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error');
    });
  };
}

async function handle(handler: FetchHandler, req: IncomingMessage, res: ServerResponse) {
  let request: Request;
  try {
    request = toRequest(req);
  } catch {
    // A Host header that makes no URL: the client's mistake, not the handler's.
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Bad Request');
    return;
  }
  const response = await handler(request);
  const headers: Record<string, string | string[]> = {};
  let cookies = false;
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie') cookies = true;
    else headers[key] = value;
  });
  if (cookies) headers['set-cookie'] = response.headers.getSetCookie();
  // The whole body, so it goes out with a Content-Length in one write (no chunked framing); a
  // string goes out in the same write as the head.
  const text = bodyTextOf(response);
  const body =
    text !== undefined
      ? text
      : response.body === null
        ? null
        : Buffer.from(await response.arrayBuffer());
  if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(response.status, headers);
  res.end(req.method === 'HEAD' ? undefined : (body ?? undefined));
}

function toRequest(req: IncomingMessage): Request {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return nodeRequest(
    req,
    `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
  );
}
