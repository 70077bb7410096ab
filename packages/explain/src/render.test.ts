import { isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate } from '../test/fixtures';
import { createExplainer } from './explainer';
import {
  escapeHtml,
  escapeMarkdown,
  render,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
} from './render';
import type { Explanation } from './types';

const explainer = createExplainer({
  clock,
  messages: {
    en: { labels: { topics: { 'billing.card_expiry': 'your card expiring' } } },
    de: { labels: { topics: { 'billing.card_expiry': 'Kartenablauf' } } },
  },
  policy: {
    manageUrl: 'https://example.com/privacy',
    changeUrls: { bySource: { billing: 'https://example.com/settings/billing?tab=cards' } },
  },
});

const payloads = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '[click](javascript:alert(1))',
  '<a href="javascript:alert(1)">x</a>',
  '**bold** _it_ `code` # heading',
  'line\nbreak\r\n- fake item',
];

function hostile(payload: string) {
  const record = cardExpiryProposal();
  return cardExpiryProposal({
    id: `d${payload}`,
    action: { ...record.action, channel: payload },
    source: { kind: 'rule', id: payload, version: payload },
    reasons: [
      {
        ...record.reasons[0]!,
        params: { path: 'card.expiresAt', operator: payload, expected: payload },
      },
      record.reasons[1]!,
    ],
    evidence: [
      {
        ...record.evidence[0]!,
        value: payload,
        provenance: { ...record.evidence[0]!.provenance, source: payload },
      },
      { ...record.evidence[1]!, value: [payload, { key: payload }] },
    ],
  });
}

const ALLOWED_TAGS = new Set(['section', 'h2', 'h3', 'ul', 'li', 'p', 'div', 'a', 'button']);
const ALLOWED_ATTRS = /^(?:class|lang|type|href|data-[a-z-]+)$/;

function assertSafeHtml(html: string) {
  for (const tag of html.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)) {
    expect(ALLOWED_TAGS).toContain(tag[1]);
    for (const attr of (tag[2] ?? '').matchAll(/\s([^\s=]+)="([^"]*)"/g)) {
      expect(attr[1]).toMatch(ALLOWED_ATTRS);
      if (attr[1] === 'href') expect(attr[2]).toMatch(/^(?:https?:\/\/|\/[^/])/);
    }
    // Nothing but well-formed attributes inside a tag.
    expect((tag[2] ?? '').replace(/\s[^\s=]+="[^"]*"/g, '').trim()).toBe('');
  }
}

describe('rendering escapes every interpolated value', () => {
  it.each(payloads)('HTML is inert with %j in every value', (payload) => {
    for (const layer of ['short', 'standard', 'detailed'] as const) {
      const html = renderHtml(explainer.explain(hostile(payload), { consent: fakeGate(), layer }));
      assertSafeHtml(html);
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
    }
  });

  it.each(payloads)('Markdown shows %j literally', (payload) => {
    const md = renderMarkdown(
      explainer.explain(hostile(payload), { consent: fakeGate(), layer: 'detailed' }),
    );
    expect(md).not.toMatch(/(?<!\\)</);
    for (const link of md.matchAll(/(?<!\\)\]\(([^)]*)\)/g))
      expect(link[1]).toMatch(/^https?:\/\//);
    for (const line of md.split('\n')) expect(line).not.toMatch(/^- fake item/);
  });

  it.each(payloads)('JSON round-trips %j and never contains a raw "<"', (payload) => {
    const explanation = explainer.explain(hostile(payload), { consent: fakeGate() });
    const json = renderJson(explanation);
    expect(json).not.toMatch(/[<>]/);
    expect(JSON.parse(json)).toEqual(explanation);
  });

  it('keeps values on one line in plain text', () => {
    const text = renderText(explainer.explain(hostile('a\nb\u2028c'), { consent: fakeGate() }));
    expect(text.split('\n').some((line) => line.startsWith('b'))).toBe(false);
  });

  it('never links to javascript: or data: URLs, even in a hand-made explanation', () => {
    const explanation = explainer.explain(cardExpiryProposal(), { consent: fakeGate() });
    const forged: Explanation = {
      ...explanation,
      controls: explanation.controls.map((c) =>
        c.kind === 'manage_all' ? { ...c, url: 'javascript:alert(1)' } : c,
      ),
      dataUsed: explanation.dataUsed.map((d) => ({
        ...d,
        changeAt: { url: 'data:text/html,<b>', text: 'x' },
      })),
    };
    for (const format of ['text', 'markdown', 'html'] as const) {
      const out = render(forged, format);
      expect(out).not.toContain('javascript:');
      expect(out).not.toContain('data:text');
    }
  });

  it('refuses unsafe URLs in the policy up front', () => {
    try {
      createExplainer({ policy: { manageUrl: 'javascript:alert(1)' } });
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'explain/invalid_input')).toBe(true);
      if (isCandorError(error)) expect(error.details.path).toBe('policy.manageUrl');
    }
  });

  it('escape helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect(escapeMarkdown('# *x* [y](z) <b>')).toBe('\\# \\*x\\* \\[y\\](z) \\<b\\>');
    // Nothing GFM would link on its own: shown the same, linking nowhere.
    expect(escapeMarkdown('see https://evil.example or www.evil.example, or a@evil.example')).toBe(
      'see https&#58;//evil.example or www&#46;evil.example, or a&#64;evil.example',
    );
  });
});

describe('snapshots of each format', () => {
  const record = cardExpiryProposal();
  it('English, standard, plain text', () => {
    expect(renderText(explainer.explain(record, { consent: fakeGate() }))).toMatchSnapshot();
  });
  it('German, standard, plain text', () => {
    expect(
      renderText(explainer.explain(record, { consent: fakeGate(), locale: 'de' })),
    ).toMatchSnapshot();
  });
  it('English, detailed, Markdown', () => {
    expect(
      renderMarkdown(explainer.explain(record, { consent: fakeGate(), layer: 'detailed' })),
    ).toMatchSnapshot();
  });
  it('German, standard, HTML, with one category withdrawn', () => {
    const gate = fakeGate({ withdrawn: ['user.behavior'] });
    expect(
      renderHtml(explainer.explain(record, { consent: gate, locale: 'de' })),
    ).toMatchSnapshot();
  });
  it('English, short, every format', () => {
    const short = explainer.explain(record, { consent: fakeGate(), layer: 'short' });
    expect({
      text: renderText(short),
      markdown: renderMarkdown(short),
      html: renderHtml(short),
    }).toMatchSnapshot();
  });
});
