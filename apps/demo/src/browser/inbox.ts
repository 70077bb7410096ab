// Runs in the browser: the inbox's feedback buttons and "Unmute" go through the privacy-centre
// API (`POST /feedback`, and `POST /feedback/suppressions/lift` with the listed mute's scope and
// target) instead of reloading the page. Every text shown
// comes from the page or is set with textContent.
import { announce, field, markReady, newKey, type PageApi } from './api';

/** One active suppression as `GET/POST /feedback…` answer it. */
interface Suppression {
  readonly scope: string;
  readonly target: string;
  readonly detail: string;
  readonly since: number;
  readonly until: number | null;
}

const when = (at: number) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Enhances the inbox's forms; they keep working as plain forms where this does not run. */
export function enhanceInbox(api: PageApi): void {
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const action = form.getAttribute('action') ?? '';
    const message = form.closest<HTMLElement>('article.message');
    if (message && action.endsWith('/feedback')) {
      event.preventDefault();
      void feedback(api, form, message);
    } else if (action.endsWith('/unmute')) {
      event.preventDefault();
      void unmute(api, form);
    }
  });
  markReady();
}

async function feedback(api: PageApi, form: HTMLFormElement, message: HTMLElement) {
  const kind = field(form, 'signal');
  const decisionId = message.dataset.message;
  if (kind === undefined || decisionId === undefined) return;
  const sent = await send(api, '/feedback', { idempotencyKey: newKey(), decisionId, kind });
  if (!sent) return;
  const button = form.querySelector('button');
  if (button && !button.textContent?.endsWith(' ✓')) button.textContent += ' ✓';
  announce('Thanks, noted.');
  render(sent);
}

async function unmute(api: PageApi, form: HTMLFormElement) {
  const scope = field(form, 'scope');
  const target = field(form, 'target');
  if (scope === undefined || target === undefined) return;
  // The row's own scope and target name the mute: no message of it needs to be on the page.
  const sent = await send(api, '/feedback/suppressions/lift', {
    idempotencyKey: newKey(),
    scope,
    target,
  });
  if (!sent) return;
  announce('Unmuted. This applies from the very next message.');
  render(sent);
}

async function send(
  api: PageApi,
  path: string,
  body: unknown,
): Promise<readonly Suppression[] | undefined> {
  try {
    const answer = await api.post(path, body);
    const list = (answer.body as { suppressions?: readonly Suppression[] } | null)?.suppressions;
    if (answer.status === 200 && Array.isArray(list)) return merged(list);
    announce('That did not work. Please reload the page and try again.');
  } catch {
    announce('You seem to be offline: nothing was sent. Please try again when you are back.');
  }
  return undefined;
}

/** One row per scope and target, the longest-lasting (as the server-rendered list). */
function merged(list: readonly Suppression[]): Suppression[] {
  const rows = new Map<string, Suppression>();
  for (const r of list) {
    const key = `${r.scope}\u0000${r.target}`;
    const held = rows.get(key);
    if (held !== undefined && (held.until === null || (r.until !== null && r.until <= held.until)))
      continue;
    rows.set(key, r);
  }
  return [...rows.values()];
}

/** Redraws "What you asked us not to send" from the API's answer, with DOM nodes only. */
function render(list: readonly Suppression[]) {
  const section = document.getElementById('suppressions');
  const template = section?.querySelector<HTMLTemplateElement>('template.unmute');
  if (!section || !template) return;
  const heading = section.querySelector('h2');
  section.replaceChildren(...(heading ? [heading] : []), template);
  if (list.length === 0) {
    const none = document.createElement('p');
    none.className = 'muted';
    none.textContent = 'Nothing muted.';
    section.append(none);
    return;
  }
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['What', 'Why', 'Since', 'Until', 'Change']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const s of list) {
    const row = body.insertRow();
    row.className = 'suppression';
    for (const text of [
      labelOf(s),
      s.detail,
      when(s.since),
      s.until === null ? 'until you change it' : when(s.until),
    ])
      row.insertCell().textContent = text;
    const form = template.content.firstElementChild?.cloneNode(true) as HTMLFormElement;
    (form.querySelector('[name=scope]') as HTMLInputElement).value = s.scope;
    (form.querySelector('[name=target]') as HTMLInputElement).value = s.target;
    row.insertCell().append(form);
  }
  section.append(table);
}

/** What a suppression covers, in the words the page already uses for its messages. */
function labelOf(s: Suppression): string {
  const label = (key: 'topicLabel' | 'channelLabel', of: 'topic' | 'channel') =>
    Array.from(document.querySelectorAll<HTMLElement>('article.message')).find(
      (m) => m.dataset[of] === s.target,
    )?.dataset[key] ?? s.target.slice(s.target.lastIndexOf('.') + 1).replace(/[_-]+/g, ' ');
  if (s.scope === 'topic') return `Messages about ${label('topicLabel', 'topic')}`;
  if (s.scope === 'channel') return `Messages by ${label('channelLabel', 'channel')}`;
  if (s.scope === 'rule') return 'Messages like this one';
  return 'This item';
}
