import { describe, expect, it } from 'vitest';
import { machineWords, visibleText } from '../test/machine-words';
import type { BriefItemInput, StaffBriefInput } from './brief';
import { createExplainer } from './explainer';
import { lintCatalog } from './lint';
import { renderBrief } from './render';

const NOW = Date.UTC(2026, 10, 20, 9);
const day = 86_400_000;
const item = (over: Partial<BriefItemInput> & Pick<BriefItemInput, 'kind' | 'summary'>) => ({
  source: 'support_chat',
  how: 'stated',
  at: NOW - 18 * day,
  ...over,
});
const brief = (over: Partial<StaffBriefInput> = {}): StaffBriefInput => ({
  openComplaints: [item({ kind: 'complaint', summary: 'Refund for the cancelled tour is late' })],
  openCases: [],
  recentlyResolved: [
    item({
      kind: 'complaint',
      summary: 'Her card was blocked in error',
      at: Date.UTC(2026, 10, 2, 10),
      resolvedAt: Date.UTC(2026, 10, 2, 16),
      resolution: 'unblocked, with an apology',
    }),
  ],
  statedReasons: [
    item({
      kind: 'stated_reason',
      summary: 'a trek in the Alps in June',
      source: 'checkout',
      at: Date.UTC(2026, 4, 3, 12),
      about: 'hiking boots',
    }),
  ],
  preferences: [item({ kind: 'preference', summary: 'window seat', how: 'inferred' })],
  notes: [item({ kind: 'staff_note', summary: 'Prefers email over calls', source: 'crm' })],
  toClarify: [],
  withheld: [{ why: 'consent', count: 2 }],
  ...over,
});
const explainer = createExplainer({
  clock: { now: () => NOW },
  messages: {
    en: { labels: { sources: { checkout: 'at checkout', support_chat: 'our support chat' } } },
    de: { labels: { sources: { checkout: 'beim Bezahlen', support_chat: 'unser Support-Chat' } } },
  },
});

describe('a staff brief in words', () => {
  it('puts what is open first, then recently resolved problems, reasons, preferences, notes', () => {
    const page = explainer.staffBrief(brief());
    expect(page.title).toBe('Before you talk to this customer');
    expect(page.sections.map((s) => s.heading)).toEqual([
      'Open complaints',
      'Resolved in the last 6 months',
      'Reasons the customer gave',
      'Preferences',
      'Notes from colleagues',
    ]);
    expect(page.sections.flatMap((s) => s.lines)).toEqual([
      'Complaint opened on Nov 2, still open: “Refund for the cancelled tour is late”. Source: our support chat.',
      'Her card was blocked in error on Nov 2; resolved the same day: unblocked, with an apology. Source: our support chat.',
      'You told us on May 3 this was for “a trek in the Alps in June” (hiking boots). Source: at checkout.',
      'Our systems estimated on Nov 2, and you have not confirmed it: “window seat”. Source: our support chat.',
      'A colleague noted on Nov 2: “Prefers email over calls”. Source: “crm”.',
    ]);
    expect(page.withheld).toBe(
      '2 more items are not shown: the customer’s privacy choices or our rules do not allow it for this conversation.',
    );
    // A source without a label is named in words and reported, never as its id.
    expect(page.warnings).toEqual([{ code: 'missing_label', kind: 'sources', id: 'crm' }]);
  });

  it('phrases everything honestly: sources and dates, never feigned familiarity', () => {
    const page = explainer.staffBrief(brief());
    const de = explainer.staffBrief(brief(), { locale: 'de' });
    const lines = (p: typeof page) => [p.title, p.intro, ...p.sections.flatMap((s) => s.lines)];
    for (const [locale, p] of [
      ['en', page],
      ['de', de],
    ] as const) {
      const messages = Object.fromEntries(lines(p).map((text, i) => [`line${i}`, text]));
      expect(lintCatalog({ locale, messages })).toEqual([]);
    }
    // A resolved problem says when and how it was resolved; a later resolution gives its date.
    const later = explainer.staffBrief(
      brief({
        recentlyResolved: [
          item({ kind: 'support_case', summary: 'Lost luggage', resolvedAt: NOW - 2 * day }),
        ],
      }),
    );
    expect(later.sections[1]?.lines[0]).toBe(
      'Lost luggage on Nov 2; resolved on Nov 18. Source: our support chat.',
    );
    // Dates from another year carry the year.
    const old = explainer.staffBrief(
      brief({
        statedReasons: [
          item({ kind: 'stated_reason', summary: 'a gift', at: Date.UTC(2025, 4, 3) }),
        ],
      }),
    );
    expect(old.sections[2]?.lines[0]).toContain('on May 3, 2025');
  });

  it('speaks German', () => {
    const de = explainer.staffBrief(brief(), { locale: 'de-AT', timeZone: 'Europe/Berlin' });
    expect(de.locale).toBe('de');
    expect(de.sections[0]?.heading).toBe('Offene Beschwerden');
    expect(de.sections.flatMap((s) => s.lines).slice(1, 3)).toEqual([
      'Her card was blocked in error am 2. Nov.; am selben Tag gelöst: unblocked, with an apology. Quelle: unser Support-Chat.',
      'Sie haben uns am 3. Mai gesagt, dass dies für „a trek in the Alps in June“ war (hiking boots). Quelle: beim Bezahlen.',
    ]);
  });

  it('says when there is nothing to know, and renders every format without machine words', () => {
    const empty = explainer.staffBrief(
      brief({
        openComplaints: [],
        recentlyResolved: [],
        statedReasons: [],
        preferences: [],
        notes: [],
        withheld: [],
      }),
    );
    expect(empty.sections).toEqual([]);
    expect(empty.empty).toBe(
      'Our records hold nothing about this customer that you need for this conversation.',
    );
    expect(empty.withheld).toBeNull();
    const page = explainer.staffBrief(
      brief({
        toClarify: [
          [
            item({ kind: 'preference', summary: 'window seat' }),
            item({ kind: 'preference', summary: 'aisle seat', at: NOW - day }),
          ],
        ],
      }),
    );
    expect(page.sections.at(-1)?.lines).toEqual([
      'These disagree, so ask the customer which is right: “window seat” (Nov 2) or “aisle seat” (Nov 19).',
    ]);
    for (const format of ['text', 'markdown', 'html'] as const) {
      const shown = visibleText(renderBrief(page, format), format);
      expect(machineWords(shown, ['support_chat']), format).toEqual([]);
    }
    expect(JSON.parse(renderBrief(page, 'json')).title).toBe(page.title);
    expect(renderBrief(page, 'markdown')).toContain('### Open complaints');
  });

  it('escapes every user-written word in HTML and Markdown', () => {
    const hostile = '<img src=x onerror=alert(1)> & "quotes" [link](javascript:x)';
    const page = explainer.staffBrief(
      brief({
        openComplaints: [item({ kind: 'complaint', summary: hostile, about: '<b>boots</b>' })],
        notes: [item({ kind: 'staff_note', summary: "it's <script>x</script>" })],
      }),
    );
    const html = renderBrief(page, 'html');
    expect(html).toContain('class="candor-brief"');
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('it&#39;s &lt;script&gt;');
    expect(renderBrief(page, 'markdown')).toContain('\\[link\\](javascript:x)');
    expect(renderBrief(page, 'json')).not.toMatch(/<script|<img/);
  });

  it('refuses malformed briefs, time zones and pages, naming them', () => {
    expect(() => explainer.staffBrief({ ...brief(), openCases: 'none' } as never)).toThrow(
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path: 'brief.openCases' }),
      }),
    );
    expect(() =>
      explainer.staffBrief(
        brief({ notes: [{ ...item({ kind: 'staff_note', summary: 'x' }), at: 'today' } as never] }),
      ),
    ).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'brief.notes[0]' }) }),
    );
    // Times no date can show, and counts that are no counts.
    for (const notes of [
      [{ ...item({ kind: 'staff_note', summary: 'x' }), at: 1e20 }],
      [{ ...item({ kind: 'staff_note', summary: 'x' }), resolvedAt: -1e17 }],
    ])
      expect(() => explainer.staffBrief(brief({ notes } as never))).toThrow(
        expect.objectContaining({ details: expect.objectContaining({ path: 'brief.notes[0]' }) }),
      );
    for (const count of [Number.POSITIVE_INFINITY, 1.5])
      expect(() =>
        explainer.staffBrief(brief({ withheld: [{ why: 'consent', count }] } as never)),
      ).toThrow(
        expect.objectContaining({ details: expect.objectContaining({ path: 'brief.withheld' }) }),
      );
    expect(() => explainer.staffBrief(brief(), { timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'options.timeZone' }) }),
    );
    expect(() => renderBrief({} as never, 'text')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'page' }) }),
    );
    expect(() => renderBrief(explainer.staffBrief(brief()), 'pdf' as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'format' }) }),
    );
  });
});
