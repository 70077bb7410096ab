import type { AccessRecord } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { clock } from '../test/fixtures';
import { createExplainer } from './explainer';
import { renderAccessHistory } from './render';

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 3, 15);
let n = 0;
const record = (over: Partial<AccessRecord>): AccessRecord => ({
  id: `acc_${n++}`,
  subject: 'cus_ana',
  at: T,
  accessor: { kind: 'rule', id: 'storm-warning', version: 2 },
  purpose: 'service.proactive_support',
  dataCategories: ['user.travel.itinerary'],
  evidence: ['trip.flight'],
  outcome: 'held_back',
  heldBackBecause: 'conditions_not_met',
  ...over,
});
const explainer = createExplainer({ clock });

describe('a customer’s access history', () => {
  it('says in plain words, by day and purpose, what was used and what came of it', () => {
    const page = explainer.accessHistory([
      record({}),
      record({ at: T + 60_000 }),
      record({ at: T - DAY, outcome: 'sent', dataCategories: ['user.financial.card'] }),
      record({
        at: T - DAY,
        accessor: { kind: 'staff', id: 'agent_7' },
        outcome: 'looked_up',
        purpose: 'service',
      }),
      record({
        at: T - DAY,
        accessor: { kind: 'feature', id: 'explanation' },
        outcome: 'explained',
      }),
    ]);
    expect(page.title).toBe('When we used your data');
    expect(page.days.map((d) => d.label)).toEqual(['Dec 3', 'Dec 2']);
    expect(page.days[0]?.lines.map((l) => l.text)).toEqual([
      'Dec 3: our automated rules checked your booked trips for proactive service messages (2 times). Nothing was sent.',
    ]);
    expect(page.days[1]?.lines.map((l) => l.text)).toEqual([
      'Dec 2: our automated rules checked your card details for proactive service messages. We sent you a message.',
      'Dec 2: a member of our staff looked at your booked trips for providing our service.',
      'Dec 2: we showed you your booked trips to explain a message.',
    ]);
    // No identifiers, paths or rule syntax in what the customer reads.
    const text = renderAccessHistory(page, 'text');
    for (const secret of [
      'storm-warning',
      'agent_7',
      'trip.flight',
      'service.proactive_support',
      'acc_',
    ])
      expect(text).not.toContain(secret);
  });

  it('speaks German, says when nothing was used, and renders every format safely', () => {
    const de = explainer.accessHistory([record({})], { locale: 'de', timeZone: 'Europe/Berlin' });
    expect(de.days[0]?.lines[0]?.text).toBe(
      '3. Dez.: Unsere automatischen Regeln haben Ihre gebuchten Reisen für proaktive Servicenachrichten geprüft. Es wurde nichts gesendet.',
    );
    const empty = explainer.accessHistory([]);
    expect(empty.empty).toBe('We have not used your data in this period.');
    const html = renderAccessHistory(explainer.accessHistory([record({})]), 'html');
    expect(html).toContain('class="candor-access-history"');
    expect(html).toContain('<li data-purpose="service.proactive_support">');
    expect(JSON.parse(renderAccessHistory(empty, 'json')).empty).toBe(empty.empty);
    expect(renderAccessHistory(de, 'markdown')).toContain('### 3\\. Dez.');
  });

  it('refuses malformed records and time zones, naming them', () => {
    expect(() => explainer.accessHistory([{ ...record({}), at: 'yesterday' } as never])).toThrow(
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path: 'records[0].at' }),
      }),
    );
    // Another customer's record would read as this customer's.
    expect(() =>
      explainer.accessHistory([record({}), record({}), record({ subject: 'cus_bo' })]),
    ).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'records[2].subject' }) }),
    );
    expect(() => explainer.accessHistory([], { timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'options.timeZone' }) }),
    );
    expect(() => renderAccessHistory({} as never, 'text')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'page' }) }),
    );
  });
});
