import { type BriefPage, renderBrief } from '@candor/explain';
import { raw } from 'hono/html';
import type { CustomerView, MemoryItemView, MemoryPageView } from '../service';
import { ActionButton, PostForm } from './layout';

/** `December 4, 2026`: a day, as people write it. */
const dayFormat = new Intl.DateTimeFormat('en', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const day = (at: number) => dayFormat.format(at);

/** The shop's checkout for one item, where the customer may say what it is for. */
export function CheckoutPage(props: { readonly customer: CustomerView; readonly csrf: string }) {
  const c = props.customer;
  return (
    <>
      <h1>Checkout</h1>
      <p class="lead">Hiking boots, waterproof, EU 39 — 149 EUR.</p>
      <PostForm action={`/customers/${c.id}/checkout`} csrf={props.csrf} class="card">
        <input type="hidden" name="item" value="hiking boots" />
        <label for="reason">What are they for? (optional)</label>
        <p class="small muted">
          If you tell us, we can warn you about things that matter for it, such as the weather where
          you are going. You can see, correct or delete it any time under “What we remember about
          you”.
        </p>
        <textarea id="reason" name="reason" rows={2} maxlength={300} />
        <button type="submit">Place order</button>
      </PostForm>
    </>
  );
}

function MemoryItem(props: {
  readonly customer: CustomerView;
  readonly item: MemoryItemView;
  readonly csrf: string;
}) {
  const { item } = props;
  const base = `/customers/${props.customer.id}/memory`;
  return (
    <li class="card memory" data-kind={item.kind}>
      <h3>{item.label}</h3>
      <p class="memory-text">
        {`“${item.text}”`}
        {item.about ? ` — about your ${item.about}` : ''}
      </p>
      <p class="small muted source">
        {`Where it comes from: ${item.source}, on ${day(item.at)}.`}
        {item.corrected ? ' You corrected it.' : ''}
        {item.kind === 'complaint' || item.kind === 'support_case'
          ? item.open
            ? ' Still open.'
            : ` Resolved${item.resolution ? `: ${item.resolution}` : ''}.`
          : ''}
      </p>
      {item.correctable ? (
        <PostForm action={`${base}/correct`} csrf={props.csrf} class="row correct">
          <input type="hidden" name="memory" value={item.id} />
          <label class="small" for={`correct-${item.id}`}>
            Correct it
          </label>
          <input
            id={`correct-${item.id}`}
            type="text"
            name="text"
            maxlength={300}
            value={item.text}
          />
          <button type="submit" class="secondary">
            Save correction
          </button>
        </PostForm>
      ) : null}
      <ActionButton
        action={`${base}/erase`}
        csrf={props.csrf}
        label="Delete"
        variant="danger"
        fields={{ memory: item.id }}
      />
    </li>
  );
}

/** "What we remember about you": every memory with its source, and controls that act. */
export function MemoryPage(props: {
  readonly customer: CustomerView;
  readonly memory: MemoryPageView;
  readonly csrf: string;
}) {
  const { memory } = props;
  return (
    <>
      <h1>What we remember about you</h1>
      <p class="lead">
        Everything our systems and our staff keep about you beyond your orders and settings, with
        where it comes from. A correction or a deletion applies from the very next decision.
      </p>
      {memory.holdingBack ? (
        <p class="card notice" id="holding-back">
          {memory.holdingBack}
        </p>
      ) : null}
      {memory.items.length === 0 ? (
        <p class="card" id="memories">
          We remember nothing about you beyond your orders and settings.
        </p>
      ) : (
        <ul class="plain" id="memories">
          {memory.items.map((item) => (
            <MemoryItem customer={props.customer} item={item} csrf={props.csrf} />
          ))}
        </ul>
      )}
      {memory.erased.length > 0 ? (
        <section class="card" id="erased">
          <h2>Deleted</h2>
          <ul>
            {memory.erased.map((e) => (
              <li>{`${e.label}, deleted at your request on ${day(e.at)}. Nothing of it is kept.`}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

/** The operator's view of one customer: the brief from explain, and complaints to record. */
export function CustomerBriefPage(props: {
  readonly customer: CustomerView;
  readonly brief: BriefPage;
  readonly open: readonly MemoryItemView[];
  readonly csrf: string;
}) {
  const c = props.customer;
  const base = `/operator/customers/${c.id}`;
  return (
    <>
      <h1>{c.name}</h1>
      <div class="card" id="brief">
        {raw(renderBrief(props.brief, 'html'))}
      </div>
      <section class="card" id="complaints">
        <h2>Complaints</h2>
        {props.open.map((m) => (
          <PostForm action={`${base}/complaints/resolve`} csrf={props.csrf} class="row">
            <input type="hidden" name="memory" value={m.id} />
            <span>{`“${m.text}”, since ${day(m.at)}`}</span>
            <input
              type="text"
              name="resolution"
              maxlength={300}
              placeholder="How was it resolved?"
            />
            <button type="submit" class="secondary">
              Resolve
            </button>
          </PostForm>
        ))}
        <PostForm action={`${base}/complaints`} csrf={props.csrf} class="row">
          <label for="summary">Record a complaint</label>
          <input id="summary" type="text" name="summary" maxlength={300} />
          <button type="submit">Record</button>
        </PostForm>
      </section>
    </>
  );
}
