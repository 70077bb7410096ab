import { apiBaseOf } from '../privacy-api';

/**
 * Where a customer page's script (`/static/privacy.js`) finds the customer's privacy-centre API,
 * a status line it speaks through, and the script itself (same origin: the CSP allows no inline
 * script). Without JavaScript this renders nothing visible and the forms post as before.
 */
export function PrivacyScript(props: {
  readonly customer: string;
  readonly page: 'inbox' | 'preferences';
}) {
  return (
    <>
      <div
        id="privacy-api"
        hidden
        data-api={apiBaseOf(props.customer)}
        data-customer={props.customer}
        data-page={props.page}
      />
      <p id="privacy-status" class="small muted" role="status" aria-live="polite" />
      <script type="module" src="/static/privacy.js" />
    </>
  );
}
