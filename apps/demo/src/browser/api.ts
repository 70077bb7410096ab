// Runs in the browser (bundled into /static/privacy.js): no Node built-ins.

/** The customer's privacy-centre API, as the page names it (`data-api` on `#privacy-api`). */
export interface PageApi {
  readonly base: string;
  readonly customer: string;
  /** POSTs `body` as JSON; resolves with the answer's status and JSON body (null if none). */
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
}

/** The API the page names, or `undefined` on a page without one. */
export function pageApi(): PageApi | undefined {
  const root = document.getElementById('privacy-api');
  const base = root?.dataset.api;
  const customer = root?.dataset.customer;
  if (base === undefined || customer === undefined) return undefined;
  return {
    base,
    customer,
    async post(path, body) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
  };
}

/** Shows `text` in the page's status line (a polite live region): plain text, never markup. */
export function announce(text: string): void {
  const status = document.getElementById('privacy-status');
  if (status) status.textContent = text;
}

/** A form's hidden or visible field, by name. */
export function field(form: HTMLFormElement, name: string): string | undefined {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : undefined;
}

/** A fresh idempotency key. */
export const newKey = (): string =>
  globalThis.crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** Marks the page enhanced (`data-ready` on `#privacy-api`): its forms now go through the API. */
export function markReady(): void {
  const root = document.getElementById('privacy-api');
  if (root) root.dataset.ready = 'true';
}
