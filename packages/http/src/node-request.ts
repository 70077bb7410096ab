/// <reference types="node" />
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A `Request` for a Node request that builds only what is asked: `method` and `url` at once,
 * `headers` on first use, and the full Fetch `Request` (with the body streamed from `req`) the
 * first time anything else is read or called. Building a Fetch `Request` on Node costs more than
 * answering most of this API's requests (an `AbortSignal`, a copied header list), and most of
 * them need only the method, the URL and two headers. Throws a `TypeError` for a URL that does
 * not parse (a bad Host header), as `new Request` would.
 *
 * @example
 * const request = nodeRequest(req, 'http://shop.example/consent');
 * request.headers.get('cookie'); // no Fetch Request built yet
 */
export function nodeRequest(req: IncomingMessage, url: string): Request {
  new URL(url); // a bad Host header fails here, before the handler runs
  return new NodeRequest(req, url) as unknown as Request;
}

const FULL = Symbol('request');

class NodeRequest {
  readonly method: string;
  readonly url: string;
  #req: IncomingMessage;
  #headers: Headers | undefined;
  #full: Request | undefined;

  constructor(req: IncomingMessage, url: string) {
    this.#req = req;
    this.url = url;
    this.method = req.method ?? 'GET';
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      // Pairs straight into Headers (HTTP/2 pseudo-headers such as `:path` are not headers).
      const headers = new Headers();
      const raw = this.#req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i] as string;
        if (!name.startsWith(':')) headers.append(name, raw[i + 1] as string);
      }
      this.#headers = headers;
    }
    return this.#headers;
  }

  [FULL](): Request {
    if (this.#full === undefined) {
      const { method } = this;
      const hasBody = method !== 'GET' && method !== 'HEAD';
      this.#full = new Request(this.url, {
        method,
        headers: this.headers,
        ...(hasBody
          ? {
              body: Readable.toWeb(this.#req) as unknown as ReadableStream<Uint8Array>,
              duplex: 'half',
            }
          : {}),
      } as RequestInit);
    }
    return this.#full;
  }
}

// Everything else a Request has (body, signal, json(), clone(), …) comes from the full one.
const full = (self: unknown) => (self as NodeRequest)[FULL]();
for (const key of Reflect.ownKeys(Request.prototype)) {
  if (key === 'constructor' || key === 'method' || key === 'url' || key === 'headers') continue;
  const own = Object.getOwnPropertyDescriptor(Request.prototype, key) as PropertyDescriptor;
  if (typeof own.value === 'function') {
    Object.defineProperty(NodeRequest.prototype, key, {
      configurable: true,
      writable: true,
      value(this: unknown, ...args: unknown[]) {
        const request = full(this) as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return (request[key] as (...a: unknown[]) => unknown).apply(request, args);
      },
    });
  } else if (own.get !== undefined) {
    Object.defineProperty(NodeRequest.prototype, key, {
      configurable: true,
      get(this: unknown) {
        return Reflect.get(full(this), key);
      },
    });
  }
}
Object.setPrototypeOf(NodeRequest.prototype, Request.prototype);
