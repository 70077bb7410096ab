import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate } from '../test/fixtures';
import {
  auditKey,
  canonicalJson,
  createExplainer,
  createMemoryAuditStore,
  escapeHtml,
  escapeMarkdown,
  explainJsonSchema,
  isSafeUrl,
  lintCatalog,
  parseFactRegistry,
  parseMessageCatalog,
  parseParameterRegistry,
  readability,
  render,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
  renderTransparency,
  safeParseFactRegistry,
  safeParseMessageCatalog,
  safeParseParameterRegistry,
  sha256Hex,
} from './index';
import type { ParameterRegistry } from './transparency';

// Every public function of @candor/explain, and the methods of the explainer and the audit store,
// called with values a caller may pass by mistake: each must throw (or, when async, reject with)
// an `explain/invalid_input` CandorError naming the argument, never a TypeError.
const nullProto: unknown = Object.create(null);
const all: readonly unknown[] = [null, undefined, 'x', 42, {}, [], nullProto];
const notString: readonly unknown[] = [null, undefined, 42, {}, [], nullProto, 1n];
const notOptions: readonly unknown[] = [null, 'x', 42, []];
const badRules: readonly unknown[] = ['x', 42, {}, nullProto, [null], [{}], [{ id: 'r' }]];
const code = 'explain/invalid_input';

const explainer = createExplainer({ clock });
const gate = fakeGate();
const record = cardExpiryProposal();
const explanation = explainer.explain(record, { consent: gate });
const registry: ParameterRegistry = {
  name: 'Our systems',
  version: 1,
  parameters: [
    {
      id: 'card-expiry',
      purpose: 'service.proactive_support',
      dataCategories: ['user.financial.card'],
      weight: 1,
    },
  ],
};
const page = explainer.transparencyPage(registry);
const { audit } = await explainer.explainWithAudit(record, { consent: gate });
const store = createMemoryAuditStore();

interface Case {
  readonly name: string;
  readonly values: readonly unknown[];
  readonly call: (value: unknown) => unknown;
  /** A string for an exact path, a RegExp when the path names a field inside the argument. */
  readonly path: string | RegExp;
}

const error = (path: string | RegExp) =>
  expect.objectContaining({
    name: 'CandorError',
    code,
    details: expect.objectContaining({
      path: typeof path === 'string' ? path : expect.stringMatching(path),
    }),
  });

const label = (value: unknown) => {
  if (value === nullProto) return 'null-prototype object';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};
const rows = (values: readonly unknown[]) => values.map((value) => [label(value), value]);

// biome-ignore-start lint/suspicious/noExplicitAny: deliberately calling with wrong types
const throwing: readonly Case[] = [
  {
    name: 'createExplainer(options)',
    values: notOptions,
    call: (v) => createExplainer(v as any),
    path: 'options',
  },
  {
    name: 'createExplainer({ locale })',
    values: [null, 42, {}, [], nullProto],
    call: (v) => createExplainer({ locale: v as any }),
    path: 'locale',
  },
  {
    name: 'createExplainer({ facts })',
    values: notOptions,
    call: (v) => createExplainer({ facts: v as any }),
    path: 'facts',
  },
  {
    name: 'createExplainer({ facts: { path: description } })',
    values: all,
    call: (v) => createExplainer({ facts: { 'card.expiresAt': v as any } }),
    path: /^facts\.card\.expiresAt/,
  },
  {
    name: 'createExplainer({ facts: { path: { format } } })',
    values: [null, 42, 'money', 'yen', {}],
    call: (v) => createExplainer({ facts: { x: { label: 'x', format: v as any } } }),
    path: /^facts\.x\.(?:format|currency)$/,
  },
  {
    name: 'createExplainer({ facts: { path: { values } } })',
    values: ['x', 42, [], { a: '' }, { a: 42 }],
    call: (v) => createExplainer({ facts: { x: { label: 'x', values: v as any } } }),
    path: /^facts\.x\.values/,
  },
  {
    name: 'createExplainer({ policy })',
    values: notOptions,
    call: (v) => createExplainer({ policy: v as any }),
    path: 'policy',
  },
  {
    name: 'createExplainer({ policy: { sensitiveCategories } })',
    values: ['x', 42, {}, nullProto],
    call: (v) => createExplainer({ policy: { sensitiveCategories: v as any } }),
    path: 'policy.sensitiveCategories',
  },
  {
    name: 'createExplainer({ policy: { nameSensitive } })',
    values: ['x', 42, {}, nullProto],
    call: (v) => createExplainer({ policy: { nameSensitive: v as any } }),
    path: 'policy.nameSensitive',
  },
  {
    name: 'createExplainer({ clock })',
    values: ['x', 42, {}, [], nullProto],
    call: (v) => createExplainer({ clock: v as any }),
    path: 'clock',
  },
  {
    name: 'createExplainer({ catalogs })',
    values: ['x', 42, {}, nullProto],
    call: (v) => createExplainer({ catalogs: v as any }),
    path: 'catalogs',
  },
  {
    name: 'createExplainer({ messages })',
    values: ['x', 42, []],
    call: (v) => createExplainer({ messages: v as any }),
    path: 'messages',
  },
  {
    name: 'createExplainer({ lint })',
    values: ['x', 42, [], true],
    call: (v) => createExplainer({ lint: v as any }),
    path: 'lint',
  },
  {
    name: 'createExplainer({ lint: { rules } })',
    values: badRules,
    call: (v) => createExplainer({ lint: { rules: v as any } }),
    path: /^lint\.rules/,
  },
  {
    name: 'createExplainer({ lint: { extraRules } })',
    values: badRules,
    call: (v) => createExplainer({ lint: { extraRules: v as any } }),
    path: /^lint\.extraRules/,
  },
  {
    name: 'createExplainer({ lint: { disable } })',
    values: ['x', 42, {}, nullProto],
    call: (v) => createExplainer({ lint: { disable: v as any } }),
    path: 'lint.disable',
  },
  {
    name: 'explainer.explain(record)',
    values: all,
    call: (v) => explainer.explain(v as any, { consent: gate }),
    path: /^decision/,
  },
  {
    name: 'explainer.explain(record, options)',
    values: all,
    call: (v) => explainer.explain(record, v as any),
    path: 'options.consent',
  },
  {
    name: 'explainer.transparencyPage(registry)',
    values: all,
    call: (v) => explainer.transparencyPage(v as any),
    path: /^registry/,
  },
  {
    name: 'explainer.transparencyPage(registry, options)',
    values: notOptions,
    call: (v) => explainer.transparencyPage(registry, v as any),
    path: 'options',
  },
  { name: 'escapeHtml(text)', values: notString, call: (v) => escapeHtml(v as any), path: 'text' },
  {
    name: 'escapeMarkdown(text)',
    values: notString,
    call: (v) => escapeMarkdown(v as any),
    path: 'text',
  },
  {
    name: 'renderText(explanation)',
    values: all,
    call: (v) => renderText(v as any),
    path: 'explanation',
  },
  {
    name: 'renderMarkdown(explanation)',
    values: all,
    call: (v) => renderMarkdown(v as any),
    path: 'explanation',
  },
  {
    name: 'renderHtml(explanation)',
    values: all,
    call: (v) => renderHtml(v as any),
    path: 'explanation',
  },
  {
    name: 'renderJson(explanation)',
    values: all,
    call: (v) => renderJson(v as any),
    path: 'explanation',
  },
  {
    name: 'render(explanation)',
    values: all,
    call: (v) => render(v as any, 'html'),
    path: 'explanation',
  },
  {
    name: 'render(explanation, format)',
    values: all,
    call: (v) => render(explanation, v as any),
    path: 'format',
  },
  {
    name: 'renderTransparency(page)',
    values: all,
    call: (v) => renderTransparency(v as any, 'text'),
    path: 'page',
  },
  {
    name: 'renderTransparency(page, format)',
    values: all,
    call: (v) => renderTransparency(page, v as any),
    path: 'format',
  },
  {
    name: 'lintCatalog(catalog)',
    values: all,
    call: (v) => lintCatalog(v as any),
    path: /^catalog/,
  },
  {
    name: 'lintCatalog({ locale })',
    values: notString,
    call: (v) => lintCatalog({ locale: v as any, messages: {} }),
    path: 'catalog.locale',
  },
  {
    name: 'lintCatalog({ messages })',
    values: [null, undefined, 'x', 42],
    call: (v) => lintCatalog({ locale: 'en', messages: v as any }),
    path: 'catalog.messages',
  },
  {
    name: 'lintCatalog({ labels })',
    values: ['x', 42, [], { topics: 'x' }],
    call: (v) => lintCatalog({ locale: 'en', messages: {}, labels: v as any }),
    path: /^catalog\.labels/,
  },
  {
    name: 'lintCatalog(catalog, options)',
    values: notOptions,
    call: (v) => lintCatalog({ locale: 'en', messages: {} }, v as any),
    path: 'options',
  },
  {
    name: 'lintCatalog(catalog, { rules })',
    values: badRules,
    call: (v) => lintCatalog({ locale: 'en', messages: {} }, { rules: v as any }),
    path: /^options\.rules/,
  },
  {
    name: 'explainJsonSchema(name)',
    values: [...all, 'toString'],
    call: (v) => explainJsonSchema(v as any),
    path: 'name',
  },
  { name: 'parseMessageCatalog(input)', values: all, call: parseMessageCatalog, path: /^catalog/ },
  {
    name: 'parseFactRegistry(input)',
    values: [null, undefined, 'x', 42, [], { x: 1 }, { x: { format: 'money' } }],
    call: parseFactRegistry,
    path: /^facts/,
  },
  {
    name: 'readability(text)',
    values: notString,
    call: (v) => readability(v as any, 'en'),
    path: 'text',
  },
  {
    name: 'readability(text, locale)',
    values: notString,
    call: (v) => readability('Hello.', v as any),
    path: 'locale',
  },
  {
    name: 'parseParameterRegistry(input)',
    values: all,
    call: parseParameterRegistry,
    path: /^registry/,
  },
  { name: 'auditKey(audit)', values: all, call: (v) => auditKey(v as any), path: 'audit' },
  {
    name: 'canonicalJson(value)',
    values: [undefined, () => 1, Symbol('s'), 1n, { a: 1n }, Number.NaN, [undefined], new Date(0)],
    call: canonicalJson,
    path: /^value\b/,
  },
  { name: 'sha256Hex(text)', values: notString, call: (v) => sha256Hex(v as any), path: 'text' },
];

const rejecting: readonly Case[] = [
  {
    name: 'explainer.explainWithAudit(record)',
    values: all,
    call: (v) => explainer.explainWithAudit(v as any, { consent: gate }),
    path: /^decision/,
  },
  {
    name: 'explainer.explainWithAudit(record, options)',
    values: all,
    call: (v) => explainer.explainWithAudit(record, v as any),
    path: 'options.consent',
  },
  {
    name: 'explainer.replay(audit)',
    values: all,
    call: (v) => explainer.replay(v as any, record),
    path: 'audit',
  },
  {
    name: 'explainer.replay({ template })',
    values: [null, undefined, 'x', 42],
    call: (v) => explainer.replay({ ...audit, template: v as any }, record),
    path: 'audit',
  },
  {
    name: 'explainer.replay({ consent })',
    values: [[null], ['x'], [{}], [{ purpose: 'a' }]],
    call: (v) => explainer.replay({ ...audit, consent: v as any }, record),
    path: 'audit.consent[0]',
  },
  {
    name: 'explainer.replay(audit, record)',
    values: all,
    call: (v) => explainer.replay(audit, v as any),
    path: /^decision/,
  },
  { name: 'store.append(audit)', values: all, call: (v) => store.append(v as any), path: 'audit' },
  {
    name: 'store.listBySubject(subject)',
    values: notString,
    call: (v) => store.listBySubject(v as any),
    path: 'subject',
  },
  {
    name: 'store.listBySubject(subject, options)',
    values: notOptions,
    call: (v) => store.listBySubject('cus_1', v as any),
    path: 'options',
  },
  {
    name: 'store.listBySubject(subject, { since })',
    values: ['x', {}, nullProto, Number.NaN, 1500.5, Number.NEGATIVE_INFINITY],
    call: (v) => store.listBySubject('cus_1', { since: v as any }),
    path: 'options.since',
  },
  {
    name: 'store.listBySubject(subject, { limit })',
    values: ['x', {}, nullProto, Number.NaN, 1.5, Number.POSITIVE_INFINITY, -1],
    call: (v) => store.listBySubject('cus_1', { limit: v as any }),
    path: 'options.limit',
  },
  {
    name: 'store.listByDecision(decisionId)',
    values: notString,
    call: (v) => store.listByDecision(v as any),
    path: 'decisionId',
  },
  {
    name: 'store.deleteSubject(subject)',
    values: notString,
    call: (v) => store.deleteSubject(v as any),
    path: 'subject',
  },
];
// biome-ignore-end lint/suspicious/noExplicitAny: deliberately calling with wrong types

describe.each(throwing)('$name', ({ values, call, path }) => {
  it.each(rows(values))('throws a typed error for %s', (_, value) => {
    expect(() => call(value)).toThrow(error(path));
  });
});

describe.each(rejecting)('$name', ({ values, call, path }) => {
  it.each(rows(values))('rejects with a typed error for %s', async (_, value) => {
    let result: unknown;
    expect(() => {
      result = call(value);
    }).not.toThrow();
    await expect(result).rejects.toEqual(error(path));
  });
});

describe('predicates and safeParse functions answer without throwing', () => {
  it.each(rows(all))('for %s', (_, value) => {
    expect(isSafeUrl(value)).toBe(false);
    const catalog = safeParseMessageCatalog(value);
    const parsed = safeParseParameterRegistry(value);
    expect(catalog.success).toBe(false);
    expect(parsed.success).toBe(false);
    if (!catalog.success) expect(catalog.error.code).toBe(code);
    if (!parsed.success) expect(parsed.error.code).toBe(code);
  });

  it.each(rows([null, undefined, 'x', 42, [], { x: 1 }]))('safeParseFactRegistry(%s)', (_, v) => {
    const facts = safeParseFactRegistry(v);
    expect(facts.success).toBe(false);
    if (!facts.success) expect(facts.error.code).toBe(code);
  });

  it('canonicalJson still renders every JSON value', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(nullProto)).toBe('{}');
    expect(canonicalJson({ b: 1, a: [] })).toBe('{"a":[],"b":1}');
  });

  it('a cyclic value is an invalid input, not a TypeError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(error('value.self'));
  });
});
