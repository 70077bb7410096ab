// Runs in the browser: the preference centre through `@candor/consent/client`. A withdrawal is
// applied here at once (the card says so before the server answers), a grant once the server
// confirms it; choices wait in localStorage while offline and are sent once, with their
// idempotency key, when the browser is back. "Object" (legitimate interest) stays a plain form:
// the client's choices are grant, refuse and withdraw.
import { type ConsentClient, createConsentClient } from '@candor/consent/client';
import { CandorError } from '@candor/core';
import { announce, field, markReady, type PageApi } from './api';

/** Statuses worth retrying: signed out for now (a reload signs in again), rate limited, ours. */
const retryable = (status: number) =>
  status === 401 || status === 408 || status === 429 || status >= 500;

/** Enhances the preference centre's Allow / Withdraw / Turn back on forms. */
export function enhancePreferences(api: PageApi): void {
  const client = createConsentClient({
    load: async () => {
      const response = await fetch(`${api.base}/consent`, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`the consent snapshot answered ${response.status}`);
      return response.json();
    },
    send: async (choice) => {
      const answer = await api.post('/consent/choices', choice);
      if (answer.status === 200) return answer.body;
      if (retryable(answer.status)) throw new Error(`the choice answered ${answer.status}`);
      // Refused for good (invalid, conflicting): the client drops it and fails the promise.
      throw new CandorError('consent/invalid_event', `the choice was refused (${answer.status})`);
    },
    storage: window.localStorage,
    storageKey: `candor-consent:${api.customer}`,
  });
  client.subscribe(() => render(client));

  document.addEventListener('submit', (event) => {
    const form = event.target;
    // getAttribute: `form.action` is the form's field named "action".
    if (!(form instanceof HTMLFormElement) || !form.getAttribute('action')?.endsWith('/consent'))
      return;
    const purpose = field(form, 'purpose');
    const action = field(form, 'action');
    if (purpose === undefined || (action !== 'grant' && action !== 'withdraw')) return;
    if (client.snapshot === undefined) return; // no snapshot yet: the plain form does it
    event.preventDefault();
    void choose(client, form, purpose, action, field(form, 'category'));
  });
}

async function choose(
  client: ConsentClient,
  form: HTMLFormElement,
  purpose: string,
  action: 'grant' | 'withdraw',
  category: string | undefined,
) {
  const options = {
    ...(category === undefined ? {} : { dataCategories: [category] }),
    // "Allow" next to the GPC notice: an explicit choice over the browser's signal.
    ...(action === 'grant' && client.snapshot?.gpc ? { confirmed: true } : {}),
  };
  const done = client[action](purpose, options);
  if (action === 'withdraw') {
    announce(
      navigator.onLine
        ? 'Withdrawn. Nothing will use it from the very next decision.'
        : 'Withdrawn here at once. You are offline: we will tell our servers when you are back.',
    );
  } else announce('Saving…');
  try {
    await done;
    if (category !== undefined) form.closest('li')?.remove();
    announce(
      action === 'grant'
        ? 'Allowed. This applies from the very next decision.'
        : 'Withdrawn and saved. Nothing will use it from the very next decision.',
    );
  } catch {
    announce('That choice was not accepted. Please reload the page and try again.');
  }
}

/** Each purpose card's status and button, from the client's verdicts (text only, no markup). */
function render(client: ConsentClient) {
  for (const card of Array.from(document.querySelectorAll<HTMLElement>('section.purpose'))) {
    const purpose = card.dataset.purpose;
    if (purpose === undefined) continue;
    const verdict = client.decide({ purpose });
    if (verdict.reason === 'no_snapshot' || verdict.reason === 'snapshot_expired') continue;
    const badge = card.querySelector('.badge.status');
    // The server's words for the status it rendered ("Granted via banner on …") no longer hold
    // once a choice here changed it: hidden until the page is loaded again.
    const status = verdict.status.replaceAll('_', ' ');
    card.dataset.served ??= badge?.textContent ?? '';
    const reasons = card.querySelector<HTMLElement>('ul.reasons');
    if (reasons) reasons.hidden = status !== card.dataset.served;
    if (badge) {
      badge.textContent = status;
      badge.className = `badge status ${verdict.allowed ? 'ok' : 'bad'}`;
    }
    card.dataset.pending = client.pending.some((c) => c.purpose === purpose) ? 'true' : 'false';
    // The purpose's own button (not a category's "Turn back on"): Allow or Withdraw.
    for (const form of Array.from(card.querySelectorAll<HTMLFormElement>(':scope > form'))) {
      const input = form.querySelector<HTMLInputElement>('input[name=action]');
      const button = form.querySelector('button');
      if (!input || !button || input.value === 'object') continue;
      input.value = verdict.allowed ? 'withdraw' : 'grant';
      button.textContent = verdict.allowed ? 'Withdraw' : 'Allow';
      button.className = verdict.allowed ? 'danger' : '';
    }
    markReady();
  }
}
