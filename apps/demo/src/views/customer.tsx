import type {
  CustomerView,
  ExplanationView,
  HistoryEntry,
  MessageChangeView,
  MessageView,
  PurposeView,
  SuppressionView,
} from '../service';
import {
  consentSourceLabel,
  jurisdictionLabels,
  labelOf,
  provenanceLabels,
  signalLabels,
  when,
} from './format';
import { ActionButton } from './layout';
import { PrivacyScript } from './privacy-script';

export function customerNav(c: CustomerView) {
  return [
    { href: `/customers/${c.id}/inbox`, label: 'Inbox' },
    { href: `/customers/${c.id}/preferences`, label: 'Privacy preferences' },
    { href: `/customers/${c.id}/memory`, label: 'What we remember' },
    { href: `/customers/${c.id}/checkout`, label: 'Shop' },
    { href: `/customers/${c.id}/data-use`, label: 'When we used your data' },
    { href: `/customers/${c.id}/data`, label: 'The data we hold' },
    { href: '/', label: 'Switch customer' },
    { href: '/transparency', label: 'How recommendations work' },
    { href: '/operator', label: 'Operator' },
  ];
}

export function CustomerPicker(props: { readonly customers: readonly CustomerView[] }) {
  return (
    <>
      <h1>Pick a customer</h1>
      <p class="lead">
        Each seeded customer lives under different rules. Open their inbox and privacy preferences,
        then play events from the operator's simulator and watch what Candor lets through.
      </p>
      <div class="grid">
        {props.customers.map((c) => (
          <div class="card customer" data-customer={c.id}>
            <h3>{c.name}</h3>
            <p class="row">
              <span class="badge">{jurisdictionLabels[c.jurisdiction] ?? c.jurisdiction}</span>
              {c.gpc ? <span class="badge warn">Global Privacy Control on</span> : null}
            </p>
            <p class="small muted">{c.story}</p>
            <p class="row">
              <a class="button" href={`/customers/${c.id}/inbox`}>
                Inbox
              </a>
              <a class="button secondary" href={`/customers/${c.id}/preferences`}>
                Preferences
              </a>
            </p>
          </div>
        ))}
      </div>
    </>
  );
}

export function InboxPage(props: {
  readonly customer: CustomerView;
  readonly messages: readonly MessageView[];
  readonly suppressions: readonly SuppressionView[];
  readonly csrf: string;
}) {
  const c = props.customer;
  return (
    <>
      <h1>{`${c.name}'s inbox`}</h1>
      <p class="lead">
        Proactive messages Candor's rules sent, newest first. Each one says why it was sent and lets
        you tell us what you think.{' '}
        <a href={`/customers/${c.id}/data-use`}>When we used your data</a> lists every time we
        looked, also when nothing was sent.
      </p>
      {props.messages.length === 0 ? (
        <div class="card muted" id="empty-inbox">
          Nothing yet. Send an event from the operator's simulator to start a story.
        </div>
      ) : null}
      {props.messages.map((m) => (
        <article
          class="card message"
          data-message={m.id}
          data-rule={m.ruleId}
          data-topic={m.topic}
          data-topic-label={labelOf('topics', m.topic)}
          data-channel={m.channel}
          data-channel-label={labelOf('channels', m.channel)}
        >
          <div class="spread">
            <h3>{m.title}</h3>
            <span class="small muted">{when(m.at)}</span>
          </div>
          <p>{m.body}</p>
          {m.choices.length > 0 ? (
            <div class="row choices">
              {m.choices.map((choice) => (
                <ActionButton
                  action={`/customers/${c.id}/messages/${m.id}/choice`}
                  csrf={props.csrf}
                  label={choice.label}
                  variant="secondary"
                  fields={{ choice: choice.id }}
                />
              ))}
            </div>
          ) : null}
          {m.chosen ? <p class="chosen">{`${m.chosen.text} on ${when(m.chosen.at)}.`}</p> : null}
          {m.link ? (
            <p>
              <a class="button" href={m.link.href} data-link={m.ruleId}>
                {m.link.text}
              </a>
            </p>
          ) : null}
          {m.change ? (
            <ChangeLine customer={c.id} message={m.id} change={m.change} csrf={props.csrf} />
          ) : null}
          <p class="row small">
            <a href={`/customers/${c.id}/messages/${m.id}`} class="why">
              Why am I seeing this?
            </a>
            <span class="badge">{labelOf('topics', m.topic)}</span>
            <span class="badge">{labelOf('channels', m.channel)}</span>
          </p>
          <div class="row feedback">
            {Object.entries(signalLabels).map(([signal, label]) => (
              <ActionButton
                action={`/customers/${c.id}/messages/${m.id}/feedback`}
                csrf={props.csrf}
                label={m.feedback.includes(signal) ? `${label} ✓` : label}
                variant="secondary"
                fields={{ signal }}
              />
            ))}
          </div>
        </article>
      ))}
      <SuppressionList customer={c.id} suppressions={props.suppressions} csrf={props.csrf} />
      <PrivacyScript customer={c.id} page="inbox" />
    </>
  );
}

/** Where a change made for the customer stands, with a one-tap undo while it can be undone. */
function ChangeLine(props: {
  readonly customer: string;
  readonly message: string;
  readonly change: MessageChangeView;
  readonly csrf: string;
}) {
  const ch = props.change;
  return (
    <div class="row change" data-change={ch.status}>
      {ch.status === 'undoable' ? (
        <>
          <span>{`You are booked on ${ch.to}. You can undo this until ${when(ch.undoUntil)}.`}</span>
          <ActionButton
            action={`/customers/${props.customer}/messages/${props.message}/undo`}
            csrf={props.csrf}
            label="Undo"
            variant="secondary"
          />
        </>
      ) : ch.status === 'undone' ? (
        <span>{`You undid this change${ch.undoneAt === null ? '' : ` on ${when(ch.undoneAt)}`}: you are booked on ${ch.from} again.`}</span>
      ) : (
        <span>{`The time to undo this ended at ${when(ch.undoUntil)}, so you stay booked on ${ch.to}.`}</span>
      )}
    </div>
  );
}

export function SuppressionList(props: {
  readonly customer: string;
  readonly suppressions: readonly SuppressionView[];
  readonly csrf: string;
}) {
  return (
    <section id="suppressions">
      <h2>What you asked us not to send</h2>
      {/* The Unmute button the page's script gives rows it draws from the API's answer. */}
      <template class="unmute">
        <ActionButton
          action={`/customers/${props.customer}/unmute`}
          csrf={props.csrf}
          label="Unmute"
          variant="secondary"
          fields={{ scope: '', target: '' }}
        />
      </template>
      {props.suppressions.length === 0 ? (
        <p class="muted">Nothing muted.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>What</th>
              <th>Why</th>
              <th>Since</th>
              <th>Until</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {props.suppressions.map((s) => (
              <tr class="suppression">
                <td>{suppressionLabel(s.scope, s.target)}</td>
                <td>{s.detail}</td>
                <td>{when(s.since)}</td>
                <td>{s.until === null ? 'until you change it' : when(s.until)}</td>
                <td>
                  <ActionButton
                    action={`/customers/${props.customer}/unmute`}
                    csrf={props.csrf}
                    label="Unmute"
                    variant="secondary"
                    fields={{ scope: s.scope, target: s.target }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What a suppression covers, in words: a topic, a kind of message, a channel, or one item. */
function suppressionLabel(scope: string, target: string): string {
  if (scope === 'topic') return `Messages about ${labelOf('topics', target)}`;
  if (scope === 'channel') return `Messages by ${labelOf('channels', target)}`;
  if (scope === 'rule') return 'Messages like this one';
  return 'This item';
}

const layerLabels = { short: 'In short', standard: 'Standard', detailed: 'In detail' } as const;

export function WhyPage(props: {
  readonly customer: CustomerView;
  readonly view: ExplanationView;
  readonly csrf: string;
}) {
  const e = props.view.explanation;
  const m = props.view.message;
  const c = props.customer;
  const base = `/customers/${c.id}/messages/${m.id}`;
  const controls = e.controls;
  return (
    <>
      <p class="small">
        <a href={`/customers/${c.id}/inbox`}>← Back to the inbox</a> ·{' '}
        <a href={`/customers/${c.id}/data-use`}>When we used your data</a>
      </p>
      <h1>{e.headings.title}</h1>
      <div class="card">
        <h3>{m.title}</h3>
        <p class="muted small">{m.body}</p>
      </div>
      <nav class="row small" aria-label="How much detail" id="layers">
        {(['short', 'standard', 'detailed'] as const).map((layer) => (
          <a
            class={`button ${layer === e.layer ? '' : 'secondary'}`}
            href={`${base}?layer=${layer}`}
            aria-current={layer === e.layer ? 'page' : undefined}
          >
            {layerLabels[layer]}
          </a>
        ))}
      </nav>
      <section class="card" id="summary">
        <p>
          <strong>{e.summary}</strong>
        </p>
        {e.change ? <p id="change">{e.change.text}</p> : null}
        {e.layer === 'detailed' && e.reasons.length ? (
          <>
            <h2>{e.headings.reasons}</h2>
            <ul id="reasons">
              {e.reasons.flatMap((r) => r.clauses.map((clause) => <li>{clause.text}</li>))}
            </ul>
          </>
        ) : null}
        {e.counterfactual ? <p class="small muted">{e.counterfactual}</p> : null}
      </section>
      {e.dataUsed.length ? (
        <section class="card" id="data-used">
          <h2>{e.headings.data}</h2>
          <table>
            <thead>
              <tr>
                <th>What</th>
                <th>Value</th>
                <th>Where it comes from</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {e.dataUsed.map((d) => (
                <tr class="fact" data-category={d.category} data-path={d.path}>
                  <td>{d.label.charAt(0).toUpperCase() + d.label.slice(1)}</td>
                  <td>
                    {d.value}
                    {d.stale ? <span class="badge warn">may be out of date</span> : null}
                  </td>
                  <td class="small">{`${d.sourceLabel} (${provenanceLabels[d.kind] ?? d.kind}${d.party === 'third' ? ', a partner' : ''})`}</td>
                  <td class="small">{when(d.observedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section class="card" id="purpose">
        <h2>{e.headings.purpose}</h2>
        <p>{e.purpose.text}</p>
        {e.decision.text ? <p class="small muted">{e.decision.text}</p> : null}
      </section>
      {e.withheldText.length ? (
        <section class="card" id="withheld">
          <h2>{e.headings.withheld}</h2>
          <ul>
            {e.withheldText.map((t) => (
              <li>{t}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="card" id="controls">
        <h2>{e.headings.controls}</h2>
        {e.controlsNote ? <p class="controls-note">{e.controlsNote}</p> : null}
        {controls.length === 0 ? <p class="muted">No controls apply to this message.</p> : null}
        {controls.map((ctl) =>
          ctl.kind === 'manage_all' || ctl.kind === 'choose_channel' ? (
            <p class="row control" data-control={ctl.id}>
              <a class="button secondary" href={`/customers/${c.id}/preferences`}>
                {ctl.label}
              </a>
            </p>
          ) : (
            <div class="row control" data-control={ctl.id} data-kind={ctl.kind}>
              <ActionButton
                action={`${base}/controls`}
                csrf={props.csrf}
                label={ctl.label}
                variant="secondary"
                fields={{ control: ctl.id }}
              />
            </div>
          ),
        )}
      </section>
    </>
  );
}

export function PreferencesPage(props: {
  readonly customer: CustomerView;
  readonly purposes: readonly PurposeView[];
  readonly history: readonly HistoryEntry[];
  readonly csrf: string;
}) {
  const c = props.customer;
  const titles = new Map(props.purposes.map((p) => [p.id, p.title]));
  return (
    <>
      <h1>Privacy preferences</h1>
      <p class="lead">
        {`What ${c.name} lets us use, and for what. Changes take effect for the very next decision.`}
      </p>
      <div class="card row">
        <span class="badge">{jurisdictionLabels[c.jurisdiction] ?? c.jurisdiction}</span>
        {c.gpc ? (
          <span class="badge warn" id="gpc">
            Your browser sends Global Privacy Control: we treat it as an opt-out of sale, sharing
            and targeted advertising.
          </span>
        ) : (
          <span class="badge" id="gpc">
            No Global Privacy Control signal
          </span>
        )}
        <a class="button secondary" href={`/customers/${c.id}/receipt.json`} download>
          Download my consent receipt
        </a>
      </div>
      {props.purposes.map((p) => (
        <section class="card purpose" data-purpose={p.id}>
          <div class="spread">
            <div>
              <h3>{p.title}</h3>
              <p class="small muted">
                {[
                  p.noticeVersion ? `notice version ${p.noticeVersion}` : '',
                  p.basis ? `basis: ${p.basis.replaceAll('_', ' ')}` : '',
                ]
                  .filter((part) => part !== '')
                  .join(' · ')}
              </p>
            </div>
            <span class={`badge status ${p.allowed ? 'ok' : 'bad'}`}>
              {p.status.replaceAll('_', ' ')}
            </span>
          </div>
          <p>{p.description}</p>
          {p.benefit === null ? (
            <p class="small muted">{`Uses: ${p.dataCategories.map((c) => labelOf('categories', c)).join(', ')}`}</p>
          ) : (
            <p class="small value-exchange">{`You share ${p.dataCategories.map((c) => labelOf('categories', c)).join(', ')}. You get: ${p.benefit}`}</p>
          )}
          {p.turnedOff.length ? (
            <ul class="small turned-off">
              {p.turnedOff.map((category) => (
                <li class="row" data-category={category}>
                  {`You turned off ${labelOf('categories', category)} for this.`}
                  <ActionButton
                    action={`/customers/${c.id}/consent`}
                    csrf={props.csrf}
                    label="Turn back on"
                    variant="secondary"
                    fields={{ purpose: p.id, action: 'grant', category }}
                  />
                </li>
              ))}
            </ul>
          ) : null}
          {p.reasons.length ? (
            <ul class="small reasons">
              {p.reasons.map((r) => (
                <li>{r}</li>
              ))}
            </ul>
          ) : null}
          {!p.controllable ? (
            <p class="small muted">This purpose does not rest on your consent.</p>
          ) : !p.allowed ? (
            <ActionButton
              action={`/customers/${c.id}/consent`}
              csrf={props.csrf}
              label="Allow"
              fields={{ purpose: p.id, action: 'grant' }}
            />
          ) : p.basis === 'legitimate_interest' ? (
            <ActionButton
              action={`/customers/${c.id}/consent`}
              csrf={props.csrf}
              label="Object"
              variant="danger"
              fields={{ purpose: p.id, action: 'object' }}
            />
          ) : (
            <ActionButton
              action={`/customers/${c.id}/consent`}
              csrf={props.csrf}
              label="Withdraw"
              variant="danger"
              fields={{ purpose: p.id, action: 'withdraw' }}
            />
          )}
        </section>
      ))}
      <section id="history">
        <h2>History</h2>
        {props.history.length === 0 ? (
          <p class="muted">No consent records yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Purpose</th>
                <th>What happened</th>
                <th>Source</th>
                <th>Notice</th>
                <th>Record hash</th>
              </tr>
            </thead>
            <tbody>
              {props.history.map((h) => (
                <tr>
                  <td>{when(h.at)}</td>
                  <td>
                    {h.purpose
                      .split(', ')
                      .map((id) => titles.get(id) ?? id)
                      .join(', ')}
                  </td>
                  <td>{h.action}</td>
                  <td>{consentSourceLabel(h.source)}</td>
                  <td>{h.noticeVersion ?? '–'}</td>
                  <td>
                    <code class="small">{h.hash ? `${h.hash.slice(0, 12)}…` : '–'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <PrivacyScript customer={c.id} page="preferences" />
    </>
  );
}
