/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { bodyTextOf } from './body-text';

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
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // The whole body, so it goes out with a Content-Length in one write (no chunked framing).
  const text = bodyTextOf(response);
  const body =
    text !== undefined
      ? Buffer.from(text)
      : response.body === null
        ? null
        : Buffer.from(await response.arrayBuffer());
  if (body !== null) headers['content-length'] = String(body.byteLength);
  res.writeHead(response.status, headers);
  res.end(req.method === 'HEAD' ? undefined : (body ?? undefined));
}

function toRequest(req: IncomingMessage): Request {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const url = `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  // Pairs straight into the Request (a Headers object first would be copied once more).
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.startsWith(':')) continue;
    headers.push([name, raw[i + 1] as string]);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    ...(hasBody
      ? { body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>, duplex: 'half' }
      : {}),
  } as RequestInit);
}
