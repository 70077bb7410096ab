import { isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { createExplainer } from './explainer';
import { renderTransparency } from './render';
import { explainJsonSchema, parseParameterRegistry, safeParseParameterRegistry } from './schemas';
import type { ParameterRegistry } from './transparency';

// A rule set as the rules engine might hold it, mapped to the registry input.
const rules = [
  {
    id: 'card-expiry',
    name: 'Card expiry reminder',
    purpose: 'service.proactive_support',
    dataCategories: ['user.financial.card'],
    priority: 50,
  },
  {
    id: 'fraud-alert',
    name: { en: 'Suspicious payment alert', de: 'Warnung bei verdächtiger Zahlung' },
    purpose: 'service.fraud_protection',
    dataCategories: ['user.financial.transactions', 'user.location.approximate'],
    priority: 100,
  },
  {
    id: 'reorder',
    name: 'Reorder suggestion',
    purpose: 'personalization.recommendations',
    dataCategories: ['user.behavior.purchase_history'],
    priority: 10,
  },
];
const registry: ParameterRegistry = {
  name: { en: 'Proactive messages', de: 'Proaktive Nachrichten' },
  version: '2026-06',
  parameters: rules.map((r) => ({
    id: r.id,
    label: r.name,
    purpose: r.purpose,
    dataCategories: r.dataCategories,
    weight: r.priority,
  })),
};

describe('DSA Art. 27 transparency page', () => {
  const explainer = createExplainer();

  it('lists main parameters from most to least important, with their relative weight', () => {
    const page = explainer.transparencyPage(registry);
    expect(
      page.parameters.map((p) => [p.rank, p.id, p.importance, Math.round(p.share * 1000) / 1000]),
    ).toEqual([
      [1, 'fraud-alert', 'high', 0.625],
      [2, 'card-expiry', 'medium', 0.313],
      [3, 'reorder', 'low', 0.063],
    ]);
    expect(page.intro).toBe(
      'Proactive messages uses 3 main parameters, listed from most to least important.',
    );
    expect(page.parameters[0]?.text).toBe(
      '1. Suspicious payment alert: for protecting you from fraud, using your transactions and your approximate location. Relative importance: high (63%).',
    );
  });

  it('speaks German from the same catalogs and labels as the per-item text', () => {
    const page = explainer.transparencyPage(registry, { locale: 'de' });
    expect(page.title).toBe('Wie unsere Systeme entscheiden, welche Nachrichten Sie erhalten');
    expect(page.parameters[1]?.text).toBe(
      '2. Card expiry reminder: für proaktive Servicenachrichten; verwendete Daten: Ihre Kartendaten. Relative Bedeutung: mittel (31\u00a0%).',
    );
    expect(renderTransparency(page, 'markdown')).toContain(
      '- 1\\. Warnung bei verdächtiger Zahlung',
    );
  });

  it('renders safely in every format', () => {
    const hostile = {
      ...registry,
      parameters: [{ ...registry.parameters[0]!, label: '<img src=x onerror=alert(1)>' }],
    };
    const page = explainer.transparencyPage(hostile);
    expect(renderTransparency(page, 'html')).not.toContain('<img');
    expect(renderTransparency(page, 'json')).not.toContain('<');
    expect(renderTransparency(page, 'text')).toContain('1. <img src=x onerror=alert(1)>:');
  });

  it('rejects bad registries and faux-familiar labels', () => {
    const bad = { ...registry, parameters: [{ ...registry.parameters[0]!, weight: -1 }] };
    try {
      explainer.transparencyPage(bad);
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'explain/invalid_input')).toBe(true);
      if (isCandorError(error)) expect(error.details.path).toBe('registry.parameters[0].weight');
    }
    const familiar = {
      ...registry,
      parameters: [{ ...registry.parameters[0]!, label: 'Picks we know you love' }],
    };
    expect(() => explainer.transparencyPage(familiar)).toThrowError(/faux_familiarity/);
  });

  it('never shows a parameter id: one without a label is named in words, with a warning', () => {
    const [first, ...rest] = registry.parameters;
    const { label: _, ...unlabelled } = { ...first!, id: 'card_expiry.v2' };
    const page = explainer.transparencyPage(
      { ...registry, parameters: [unlabelled, ...rest] },
      { locale: 'de' },
    );
    expect(page.warnings).toContainEqual({
      code: 'missing_label',
      kind: 'parameters',
      id: 'card_expiry.v2',
    });
    expect(renderTransparency(page, 'text')).not.toContain('card_expiry.v2');
  });

  it.each([
    [{ ...registry, name: 42 }, 'registry.name'],
    [{ ...registry, version: { toString: null } }, 'registry.version'],
    [
      { ...registry, parameters: [{ ...registry.parameters[0]!, label: { en: 5 } }] },
      'registry.parameters[0].label.en',
    ],
    // No text in any locale: the page would have fallen back to the id, without a warning.
    [
      { ...registry, parameters: [{ ...registry.parameters[0]!, label: {} }] },
      'registry.parameters[0].label',
    ],
    [
      { ...registry, parameters: [{ ...registry.parameters[0]!, label: '' }] },
      'registry.parameters[0].label',
    ],
  ])('refuses a malformed registry naming the field (%#)', (bad, path) => {
    expect(() => explainer.transparencyPage(bad as never)).toThrow(
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path }),
      }),
    );
  });

  it('refuses a locale that is not one', () => {
    expect(() => explainer.transparencyPage(registry, { locale: 5 as never })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'options.locale' }) }),
    );
  });

  it('parses hand-written registries and exports their JSON Schema', () => {
    expect(parseParameterRegistry(JSON.parse(JSON.stringify(registry))).parameters).toHaveLength(3);
    const result = safeParseParameterRegistry({
      ...registry,
      parameters: [{ id: 'x', purpose: 'Bad Purpose', dataCategories: [], weight: 1 }],
    });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.details.path).toBe('registry.parameters[0].purpose');
    const schema = explainJsonSchema('ParameterRegistry');
    expect(schema.required).toEqual(['name', 'version', 'parameters']);
    expect(explainJsonSchema('MessageCatalog').type).toBe('object');
  });
});
