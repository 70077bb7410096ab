import { type AccessHistoryPage, renderAccessHistory } from '@candor/explain';
import { raw } from 'hono/html';
import type { CustomerView } from '../service';

/**
 * "When we used your data": every recorded use of the customer's data in the last 90 days — the
 * rules that checked it (also when they sent nothing), explanations, what support recalled —
 * in words from `@candor/explain`, with everything held as one JSON download.
 */
export function DataUsePage(props: {
  readonly customer: CustomerView;
  readonly history: AccessHistoryPage;
}) {
  const c = props.customer;
  return (
    <>
      <h1>When we used your data</h1>
      <p class="lead">
        Every time our systems or our staff looked at your data in the last 90 days, also when
        nothing was sent to you. Data you did not agree to share is never read, so it never appears
        here.
      </p>
      <div class="card" id="data-use">
        {raw(renderAccessHistory(props.history, 'html'))}
      </div>
      <p class="small">
        <a href={`/customers/${c.id}/export.json`} id="export">
          Download everything we hold about your choices and this record (JSON)
        </a>
      </p>
    </>
  );
}
