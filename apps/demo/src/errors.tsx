import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { page } from './pages';
import { forLog } from './refusal';
import type { DemoEnvBindings } from './security';

type C = Context<DemoEnvBindings>;

/**
 * Error pages and the request log. Every error page is plain language from the table below: it
 * never echoes the request (no ids, paths or stacks), and JSX escapes what it renders.
 */

const pages: Readonly<Record<number, { title: string; text: string }>> = {
  400: {
    title: 'Request not understood',
    text: 'This request was not in a form we understand, so nothing was changed. Go back to the page and try again.',
  },
  403: {
    title: 'Not allowed',
    text: 'This form has expired or did not come from this site, so nothing was changed. Reload the page and try again.',
  },
  404: {
    title: 'Not found',
    text: 'There is nothing here. The link may be out of date.',
  },
  413: {
    title: 'Request too large',
    text: 'This request was larger than this site accepts, so nothing was changed.',
  },
  429: {
    title: 'Too many attempts',
    text: 'Too many attempts in a short time. Please wait a little and try again.',
  },
  500: {
    title: 'Something went wrong',
    text: 'Something went wrong on our side; nothing half-done was kept. Please try again later.',
  },
};

/** Renders the plain error page for `status`, with an optional heading and text of the route's. */
export function errorPage(
  c: C,
  status: number,
  override: { readonly title?: string; readonly text?: string } = {},
) {
  const known = pages[status] ?? pages[status < 500 ? 400 : 500];
  const title = override.title ?? known?.title ?? 'Error';
  return page(
    c,
    { title, nav: [{ href: '/', label: 'Customers' }] },
    <>
      <h1>{title}</h1>
      <p class="lead" id="error">
        {override.text ?? known?.text}
      </p>
    </>,
    status,
  );
}

/** 404 page: "<what> not found". */
export function notFound(c: C, what: string) {
  c.set('problem', `${what.toLowerCase()} not found`);
  return errorPage(c, 404, { title: `${what} not found` });
}

/**
 * The app's error handler: a refusal (4xx `HTTPException`) gets its error page and is logged as
 * one line by {@link requestLog}; anything else is a 500 whose error (with its stack) goes to
 * `onError`.
 */
export function handleErrors(onError: (error: unknown) => void): ErrorHandler<DemoEnvBindings> {
  return (error, c) => {
    if (error instanceof HTTPException && error.status >= 400 && error.status < 500) {
      c.set('problem', error.message || 'refused');
      return errorPage(c, error.status);
    }
    c.set('problem', `server error: ${error.name} (stack in the error log)`);
    onError(error);
    return errorPage(c, 500);
  };
}

/** Logs one plain line for every response with an error status: status, method, path, problem. */
export function requestLog(log: (line: string) => void): MiddlewareHandler<DemoEnvBindings> {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (status < 400) return;
    const problem = c.get('problem') ?? (status < 500 ? 'refused' : 'server error');
    log(`${status} ${c.req.method} ${forLog(c.req.path)}: ${forLog(problem)}`);
  };
}
