import { isCandorError } from '@candor/core';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate } from '../test/fixtures';
import { loadCatalogs } from './catalog';
import { de } from './catalogs/de';
import { en } from './catalogs/en';
import { createExplainer, type ExplainerOptions } from './explainer';
import { messageIds, messageSpec } from './messages';

function loadError(options: ExplainerOptions) {
  try {
    createExplainer(options);
  } catch (error) {
    if (isCandorError(error)) return error;
    throw error;
  }
  throw new Error('expected createExplainer to throw');
}

describe('catalogs are validated when they load, not when they render', () => {
  it('ships complete English and German catalogs and a pseudo-locale', () => {
    expect(createExplainer().locales).toEqual(['en', 'en-XA', 'de']);
    for (const catalog of [en, de])
      expect(Object.keys(catalog.messages).sort()).toEqual([...messageIds].sort());
  });

  it('rejects a catalog with a missing message, naming it', () => {
    const { summary: _dropped, ...messages } = en.messages;
    const error = loadError({ catalogs: [{ ...en, locale: 'fr', messages }] });
    expect(error.code).toBe('explain/missing_message');
    expect(error.details.path).toBe('catalogs.fr.messages.summary');
  });

  it('rejects malformed ICU', () => {
    const error = loadError({
      messages: { en: { messages: { 'control.fewer': 'Fewer {of these' } } },
    });
    expect(error.code).toBe('explain/malformed_message');
    expect(error.details.path).toBe('messages.en.messages.control.fewer');
  });

  it('rejects placeholders the explainer never supplies, even inside plural branches', () => {
    const error = loadError({
      messages: {
        de: {
          messages: { 'withheld.consent': '{count, plural, one {{kount} Info} other {# Infos}}' },
        },
      },
    });
    expect(error.code).toBe('explain/unknown_placeholder');
    expect(error.details).toMatchObject({
      path: 'messages.de.messages.withheld.consent',
      value: 'kount',
    });
  });

  it('rejects plural over a text placeholder and date formatting of pre-formatted values', () => {
    expect(
      loadError({
        messages: { en: { messages: { 'control.muteTopic': '{topic, plural, other {x}}' } } },
      }).code,
    ).toBe('explain/unknown_placeholder');
    expect(
      loadError({
        messages: { en: { messages: { 'data.observed': 'On {observedAt, date, long}' } } },
      }).code,
    ).toBe('explain/unknown_placeholder');
  });

  it('rejects unknown message ids (typos), but accepts clause messages for custom reason codes', () => {
    expect(loadError({ messages: { en: { messages: { sumary: 'x' } } } }).code).toBe(
      'explain/unknown_message',
    );
    const explainer = createExplainer({
      clock,
      messages: {
        en: { messages: { 'clause.model_feature': 'Our model weighed {data} ({value}).' } },
      },
    });
    const record = cardExpiryProposal({
      reasons: [{ id: 'm1', code: 'model_feature', text: 'x', evidence: ['f_orders'] }],
    });
    expect(explainer.explain(record, { consent: fakeGate() }).reasons[0]?.clauses[0]?.text).toBe(
      'Our model weighed your purchase history (5).',
    );
  });

  it('rejects non-string messages and bad locales', () => {
    expect(loadError({ messages: { en: { messages: { summary: 42 as never } } } }).code).toBe(
      'explain/malformed_message',
    );
    expect(loadError({ catalogs: [{ ...en, locale: 'not a locale' }] }).code).toBe(
      'explain/invalid_input',
    );
    expect(loadError({ messages: { fr: { messages: {} } } }).code).toBe('explain/invalid_input');
    expect(loadError({ locale: 'fr' }).code).toBe('explain/invalid_input');
  });

  it('applies overrides of messages and labels, and the template version follows the text', () => {
    const base = createExplainer({ clock });
    const custom = createExplainer({
      clock,
      messages: {
        en: {
          messages: { 'control.fewer': 'Fewer reminders like this' },
          labels: { topics: { billing: 'billing' } },
        },
      },
    });
    const a = base.explain(cardExpiryProposal(), { consent: fakeGate() });
    const b = custom.explain(cardExpiryProposal(), { consent: fakeGate() });
    expect(b.controls.find((c) => c.kind === 'fewer_like_this')?.label).toBe(
      'Fewer reminders like this',
    );
    expect(b.summary).toContain('about billing');
    expect(a.template.id).toBe('candor.explain/standard');
    expect(a.template.version).toMatch(/^1\+[0-9a-f]{8}$/);
    expect(b.template.version).not.toBe(a.template.version);
  });

  it('accepts a further locale', () => {
    const fr = {
      ...en,
      locale: 'fr',
      messages: { ...en.messages, 'heading.title': 'Pourquoi vous voyez ceci' },
    };
    const e = createExplainer({ clock, catalogs: [fr] }).explain(cardExpiryProposal(), {
      consent: fakeGate(),
      locale: 'fr-CA',
    });
    expect(e.locale).toBe('fr');
    expect(e.headings.title).toBe('Pourquoi vous voyez ceci');
  });
});

describe('the catalog lint runs at load', () => {
  it('rejects faux familiarity in an override, naming where and why', () => {
    const error = loadError({
      messages: { en: { messages: { short: 'We know you love {dataList}! {shownCount}' } } },
    });
    expect(error.code).toBe('explain/catalog_lint');
    expect(error.details.path).toBe('messages.en.messages.short');
    expect(error.message).toContain('faux_familiarity');
  });

  it('rejects unverifiable claims in labels too', () => {
    const error = loadError({
      messages: { de: { labels: { topics: { deals: 'garantiert die besten Angebote' } } } },
    });
    expect(error.code).toBe('explain/catalog_lint');
    expect(error.details.path).toBe('messages.de.labels.topics.deals');
  });

  it('is configurable: rules can be switched off or added', () => {
    expect(() =>
      createExplainer({
        messages: { en: { labels: { topics: { deals: 'our best deals' } } } },
        lint: { disable: ['en/superlative'] },
      }),
    ).not.toThrow();
    const error = loadError({
      messages: { en: { labels: { topics: { deals: 'amazing deals' } } } },
      lint: {
        extraRules: [
          {
            id: 'no-amazing',
            kind: 'unverifiable',
            locales: ['en'],
            pattern: /\bamazing\b/i,
            hint: 'be specific',
          },
        ],
      },
    });
    expect(error.details.value).toBe('amazing');
  });
});

describe('messages format exactly as intl-messageformat formats them', () => {
  /** Every select key a placeholder meets anywhere in a message, to try each branch. */
  function keysOf(elements: readonly unknown[], into: Map<string, Set<string>>) {
    for (const el of elements as Array<{
      type: number;
      value?: string;
      options?: Record<string, { value: unknown[] }>;
    }>) {
      if (el.options && el.value) {
        const keys = into.get(el.value) ?? new Set<string>();
        for (const key of Object.keys(el.options)) keys.add(key);
        into.set(el.value, keys);
      }
      for (const option of Object.values(el.options ?? {})) keysOf(option.value, into);
    }
  }

  it('for every built-in message, every branch, in English and German', () => {
    const catalogs = loadCatalogs();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const source of [en, de]) {
      const compiled = catalogs.get(source.locale)!;
      for (const id of messageIds) {
        const text = source.messages[id]!;
        const reference = new IntlMessageFormat(text, source.locale, undefined, {
          ignoreTag: true,
        });
        const keys = new Map<string, Set<string>>();
        keysOf(reference.getAst() as unknown[], keys);
        const spec = messageSpec[id] as Record<string, string>;
        for (let round = 0; round < 60; round++) {
          const values: Record<string, string | number> = {};
          for (const [name, type] of Object.entries(spec)) {
            if (type === 'number') values[name] = [0, 1, 2, 5, 21, 0.25][round % 6]!;
            else {
              const options = [...(keys.get(name) ?? []), 'zz other', ''];
              values[name] = options[Math.floor(random() * options.length)]!;
            }
          }
          expect(
            compiled.format(id, values),
            `${source.locale} ${id} ${JSON.stringify(values)}`,
          ).toBe(reference.format(values));
        }
      }
    }
  });
});
