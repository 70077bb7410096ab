import type { CorrectionView, DataHeldView, HeldFactView } from '../corrections';
import type { CustomerView } from '../service';
import { PostForm } from './layout';

/** One correction's line: what, from what to what, where it stands and why. */
function CorrectionLine(props: { readonly c: CorrectionView; readonly who?: string }) {
  const { c } = props;
  return (
    <>
      <strong>{`${props.who ? `${props.who}: ` : ''}${c.label}`}</strong>
      {` — from “${c.from}” to “${c.to}”${c.note ? ` (“${c.note}”)` : ''}. `}
      <span class="status" data-status={c.status}>
        {c.statusText}
      </span>
      {c.reason ? <span class="reason">{`: ${c.reason}`}</span> : null}
      <span class="small muted">
        {` Asked ${c.openedAt}${c.decidedAt ? `, decided ${c.decidedAt}` : ''}.`}
      </span>
    </>
  );
}

function FactItem(props: {
  readonly customer: CustomerView;
  readonly fact: HeldFactView;
  readonly n: number;
  readonly csrf: string;
}) {
  const { fact, n } = props;
  return (
    <li class="card held-fact">
      <h3>{fact.label}</h3>
      <p class="value">
        {fact.value}
        {fact.correctedByYou ? <span class="small muted"> (corrected at your request)</span> : null}
      </p>
      <details>
        <summary>This is wrong</summary>
        <PostForm
          action={`/customers/${props.customer.id}/data/correct`}
          csrf={props.csrf}
          class="correct"
        >
          <input type="hidden" name="fact" value={fact.ref} />
          {fact.input === 'onoff' ? (
            <>
              <label for={`value-${n}`}>What is right?</label>
              <select id={`value-${n}`} name="value">
                <option value="on">on</option>
                <option value="off">off</option>
              </select>
            </>
          ) : (
            <>
              <label for={`value-${n}`}>What is right?</label>
              <input id={`value-${n}`} type="text" name="value" maxlength={200} required />
            </>
          )}
          <label for={`note-${n}`}>Anything to add? (optional)</label>
          <input id={`note-${n}`} type="text" name="note" maxlength={300} />
          <button type="submit">Ask us to correct it</button>
        </PostForm>
      </details>
    </li>
  );
}

/** "The data we hold about you": each fact in words with "This is wrong", and the corrections. */
export function DataHeldPage(props: {
  readonly customer: CustomerView;
  readonly data: DataHeldView;
  readonly csrf: string;
}) {
  const { data } = props;
  return (
    <>
      <h1>The data we hold about you</h1>
      <p class="lead">
        What our systems hold about you and may use for the messages you get. If something is wrong,
        tell us: we check it, tell you here what we decided, and once we correct it every later
        message uses what you told us.
      </p>
      <ul class="plain" id="held-facts">
        {data.facts.map((fact, n) => (
          <FactItem customer={props.customer} fact={fact} n={n} csrf={props.csrf} />
        ))}
      </ul>
      <section class="card" id="corrections">
        <h2>Your corrections</h2>
        {data.corrections.length === 0 ? (
          <p>You have not asked us to correct anything.</p>
        ) : (
          <ul>
            {data.corrections.map((c) => (
              <li>
                <CorrectionLine c={c} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** The operator's queue: open corrections to accept or reject (with a reason), then the rest. */
export function CorrectionsQueuePage(props: {
  readonly corrections: readonly CorrectionView[];
  readonly names: ReadonlyMap<string, string>;
  readonly csrf: string;
}) {
  const open = props.corrections.filter((c) => c.status === 'open');
  const decided = props.corrections.filter((c) => c.status !== 'open');
  return (
    <>
      <h1>Corrections</h1>
      <p class="lead">
        Customers' corrections of the data we hold. Accepting one makes the customer's value a fact
        they stated, used from the next decision; a rejection needs a reason the customer reads.
      </p>
      <section class="card" id="open-corrections">
        <h2>To decide</h2>
        {open.length === 0 ? <p>Nothing to decide.</p> : null}
        {open.map((c) => (
          <PostForm action="/operator/corrections/decide" csrf={props.csrf} class="decide">
            <p>
              <CorrectionLine c={c} who={props.names.get(c.subject) ?? 'A customer'} />
            </p>
            <input type="hidden" name="subject" value={c.subject} />
            <input type="hidden" name="correction" value={c.id} />
            <label for={`reason-${c.id}`}>Reason, in words the customer understands</label>
            <input id={`reason-${c.id}`} type="text" name="reason" maxlength={300} />
            <button type="submit" name="action" value="accept">
              Accept
            </button>
            <button type="submit" name="action" value="reject" class="secondary">
              Reject
            </button>
          </PostForm>
        ))}
      </section>
      <section class="card" id="decided-corrections">
        <h2>Decided</h2>
        <ul>
          {decided.map((c) => (
            <li>
              <CorrectionLine c={c} who={props.names.get(c.subject) ?? 'A customer'} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
