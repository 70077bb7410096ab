import type {
  CustomerView,
  DsaParameterView,
  EventTemplate,
  LedgerStatusView,
  MetricsView,
  OutcomeView,
  RuleView,
} from '../service';
import { LineChart } from './chart';
import { percent, when } from './format';
import { PostForm } from './layout';

export const operatorNav = [
  { href: '/operator', label: 'Rules' },
  { href: '/operator/metrics', label: 'Trust metrics' },
  { href: '/operator/ledger', label: 'Ledger' },
  { href: '/operator/simulator', label: 'Event simulator' },
  { href: '/operator/customers', label: 'Customer briefs' },
  { href: '/operator/corrections', label: 'Corrections' },
  { href: '/transparency', label: 'DSA parameters' },
  { href: '/', label: 'Customers' },
];

export function OperatorLogin(props: { readonly csrf: string; readonly status: 401 | 403 }) {
  return (
    <>
      <h1>Operator sign-in</h1>
      <p class="lead" id="refused">
        {props.status === 401
          ? 'The operator pages need the operator token.'
          : 'That token is not the operator token.'}
      </p>
      <div class="card">
        <PostForm action="/operator/login" csrf={props.csrf}>
          <label for="token">Operator token</label>
          <p class="small muted">
            Set by CANDOR_OPERATOR_TOKEN, or printed in the start log when generated.
          </p>
          <input id="token" name="token" type="password" autocomplete="off" required />{' '}
          <button type="submit">Sign in</button>
        </PostForm>
      </div>
    </>
  );
}

export function RulesPage(props: { readonly rules: readonly RuleView[]; readonly csrf: string }) {
  return (
    <>
      <div class="spread">
        <div>
          <h1>Rule set</h1>
          <p class="lead">
            Every proactive rule, the purpose it serves, the data it may use, and how customers
            react to it.
          </p>
        </div>
        <PostForm action="/operator/logout" csrf={props.csrf}>
          <button type="submit" class="secondary">
            Sign out
          </button>
        </PostForm>
      </div>
      <table id="rules">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Trigger</th>
            <th>Purpose</th>
            <th>Data categories</th>
            <th>Delivered</th>
            <th>Helpful</th>
            <th>Intrusive</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {props.rules.map((r) => (
            <tr data-rule={r.id}>
              <td>
                <strong>{r.title}</strong>
                <br />
                <code class="small">{r.id}</code>
              </td>
              <td>
                <code>{r.trigger}</code>
              </td>
              <td>
                <code>{r.purpose}</code>
              </td>
              <td class="small">{r.dataCategories.join(', ')}</td>
              <td>{r.health.delivered}</td>
              <td>{percent(r.health.helpfulRate)}</td>
              <td>{percent(r.health.intrusiveRate)}</td>
              <td>
                {r.health.status === 'paused' ? (
                  <span class="badge bad" title={r.health.pausedReason ?? ''}>
                    auto-paused
                  </span>
                ) : r.health.status === 'flagged' ? (
                  <span class="badge bad" title={r.health.pausedReason ?? ''}>
                    flagged: critical, still sent
                  </span>
                ) : (
                  <span class="badge ok">active</span>
                )}
                {r.health.pausedReason ? (
                  <div class="small muted">{r.health.pausedReason}</div>
                ) : null}
                {r.health.status !== 'active' ? (
                  <PostForm action={`/operator/rules/${r.id}/resume`} csrf={props.csrf}>
                    <button type="submit" class="secondary">
                      Resume
                    </button>
                  </PostForm>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function MetricsPage(props: { readonly metrics: MetricsView }) {
  const points = props.metrics.points;
  const eff = props.metrics.efficacy;
  const keys = [...new Set(points.flatMap((p) => Object.keys(p.values)))];
  const series = (names: readonly string[]) =>
    names
      .filter((n) => keys.includes(n))
      .map((n) => ({
        label: n.replaceAll('_', ' '),
        points: points
          .filter((p) => p.values[n] !== undefined)
          .map((p) => [p.at, p.values[n] ?? 0] as const),
      }));
  const rates = keys.filter((k) => k.endsWith('_rate'));
  const counts = keys.filter((k) => !k.endsWith('_rate'));
  const corrections = props.metrics.corrections;
  return (
    <>
      <h1>Trust metrics over time</h1>
      <p class="lead">
        Computed by the feedback package from customers' reactions, one point per simulator step.
      </p>
      <LineChart
        title="Rates"
        series={series(rates)}
        yMax={1}
        formatY={(y) => `${Math.round(y * 100)}%`}
      />
      <LineChart title="Messages with feedback or delivery" series={series(counts)} />
      <div class="card" id="efficacy">
        <h2>Does "not interested" work?</h2>
        <p>
          {eff.signals === 0
            ? 'No "not interested" signals yet.'
            : `${eff.honored} of ${eff.signals} "not interested" signals were honored (${Math.round(eff.efficacy * 100)} %); ${eff.leakedDeliveries} message(s) on a muted topic leaked.`}
        </p>
      </div>
      <table>
        <thead>
          <tr>
            <th>When</th>
            {keys.map((k) => (
              <th>{k.replaceAll('_', ' ')}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {points
            .slice(-10)
            .reverse()
            .map((p) => (
              <tr>
                <td>{when(p.at)}</td>
                {keys.map((k) => (
                  <td>
                    {p.values[k] === undefined
                      ? '–'
                      : k.endsWith('_rate')
                        ? percent(p.values[k] ?? 0)
                        : String(p.values[k])}
                  </td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
      <h2>Data corrections customers asked for</h2>
      {corrections.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul id="corrections">
          {corrections.map((c) => (
            <li>{`${when(c.at)} · ${c.subject} · ${c.ruleId}: ${c.note}`}</li>
          ))}
        </ul>
      )}
    </>
  );
}

export function LedgerPage(props: { readonly status: LedgerStatusView }) {
  const s = props.status;
  return (
    <>
      <h1>Consent ledger</h1>
      <div class="card" id="ledger-status">
        {s.ok ? (
          <p>
            <span class="badge ok">verified</span>{' '}
            {`Every hash chain checks out: ${s.entries} entries over ${s.subjects} customers.`}
          </p>
        ) : (
          <p>
            <span class="badge bad">tampered</span> Verification failed.
          </p>
        )}
        {s.problems.length ? (
          <ul>
            {s.problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </>
  );
}

export function SimulatorPage(props: {
  readonly customers: readonly CustomerView[];
  readonly templates: readonly EventTemplate[];
  readonly outcomes: readonly OutcomeView[];
  readonly now: number;
  readonly csrf: string;
}) {
  return (
    <>
      <h1>Event simulator</h1>
      <p class="lead">
        {`Virtual clock: ${when(props.now)}. Send an event for a customer, then open their inbox.`}
      </p>
      <div class="grid">
        <div class="card">
          <h2>Send an event</h2>
          <PostForm action="/operator/events" csrf={props.csrf}>
            <label for="subject">Customer</label>
            <select id="subject" name="subject">
              {props.customers.map((c) => (
                <option
                  value={c.id}
                >{`${c.name} (${c.jurisdiction}${c.gpc ? ', GPC' : ''})`}</option>
              ))}
            </select>
            <label for="type">Event</label>
            <select id="type" name="type">
              {props.templates.map((t) => (
                <option value={t.type}>{`${t.label} — ${t.type}`}</option>
              ))}
            </select>
            <p>
              <button type="submit">Send event</button>
            </p>
          </PostForm>
        </div>
        <div class="card">
          <h2>Advance the clock</h2>
          <PostForm action="/operator/clock" csrf={props.csrf}>
            <label for="amount">By</label>
            <div class="row">
              <input id="amount" name="amount" type="number" min="1" max="9999" value="1" />
              <select name="unit" aria-label="Unit">
                <option value="hour">hours</option>
                <option value="day" selected>
                  days
                </option>
                <option value="week">weeks</option>
              </select>
              <button type="submit">Advance</button>
            </div>
          </PostForm>
        </div>
      </div>
      <h2>Stories</h2>
      <ul class="small">
        {props.templates.map((t) => (
          <li>
            <code>{t.type}</code>: {t.story}
          </li>
        ))}
      </ul>
      <h2>What happened (since the server started)</h2>
      <table id="outcomes">
        <thead>
          <tr>
            <th>When</th>
            <th>Customer</th>
            <th>Event</th>
            <th>Rule</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {props.outcomes.map((o) => (
            <tr class={`outcome ${o.fired ? 'fired' : 'suppressed'}`} data-rule={o.ruleId}>
              <td>{when(o.at)}</td>
              <td>{o.subject}</td>
              <td>
                <code>{o.event}</code>
              </td>
              <td>
                <code>{o.ruleId}</code>
              </td>
              <td>
                {o.fired ? (
                  <span class="badge ok">sent</span>
                ) : (
                  <span class="badge">held back</span>
                )}{' '}
                <span class="small">{o.reason}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function DsaPage(props: { readonly dsa: DsaParameterView }) {
  const page = props.dsa;
  return (
    <>
      <h1>{page.title}</h1>
      <p class="lead">{page.intro}</p>
      <table id="parameters">
        <thead>
          <tr>
            <th>#</th>
            <th>Parameter</th>
            <th>Purpose</th>
            <th>Data it uses</th>
            <th>Importance</th>
          </tr>
        </thead>
        <tbody>
          {page.parameters.map((p) => (
            <tr data-parameter={p.id}>
              <td>{p.rank}</td>
              <td>{p.label}</td>
              <td>{p.purposeLabel}</td>
              <td class="small">{p.categoryLabels.join(', ')}</td>
              <td>
                <span class={`badge ${p.importance === 'high' ? 'warn' : ''}`}>{p.importance}</span>{' '}
                <span class="small muted">{`${Math.round(p.share * 100)} %`}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="card">
        <p>{page.controlsText}</p>
        <p class="small muted">{`Version ${page.registryVersion}`}</p>
      </div>
    </>
  );
}
