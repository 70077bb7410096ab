import {
  type ConsentGate,
  type ConsentVerdict,
  createMemoryAccessLog,
  createVirtualClock,
  type Fact,
  isCandorError,
  isContextCategory,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { any, createRuleEngine, fact, parseRule, type Rule } from './index';
import type { Outcome } from './outcome';

// A rule's contextual fallback: when the consent gate refuses the rule's purpose, a message that
// rests only on context (the weather, the region) the customer's pack treats as not personal.

const AT = Date.parse('2026-06-01T09:00:00Z');
const PERSONAL = 'PERSONAL-VALUE-7f3a';

/** Grants the purpose to `granted` subjects; a question about context only is always allowed. */
function gate(granted: ReadonlySet<string>): ConsentGate {
  return {
    decide(query): ConsentVerdict {
      const contextOnly =
        query.dataCategories.length > 0 && query.dataCategories.every(isContextCategory);
      const allowed = contextOnly || granted.has(query.subject);
      return {
        allowed,
        purpose: query.purpose,
        status: contextOnly ? 'not_required' : allowed ? 'granted' : 'refused',
        basis: contextOnly ? null : allowed ? 'consent' : null,
        reasons: [
          {
            code: contextOnly ? 'not_personal' : allowed ? 'explicit_grant' : 'refused',
            detail: '',
          },
        ],
        recordIds: [],
        noticeVersion: null,
        expiresAt: null,
      };
    },
  };
}

const storm: Rule = {
  id: 'storm',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.travel.itinerary', 'context.weather'],
  trigger: { type: 'event', events: ['weather.alert'] },
  conditions: fact('trip.flight').exists(),
  action: { type: 'notify', channel: 'push', topic: 'travel.disruption', templateKey: 'storm' },
  contextual: {
    dataCategories: ['context.weather', 'context.region'],
    conditions: fact('weather.severity').gte(3),
    action: {
      type: 'notify',
      channel: 'push',
      topic: 'travel.disruption',
      templateKey: 'storm-area',
    },
  },
};

const provenance = {
  source: 'test',
  kind: 'observed' as const,
  observedAt: AT,
  party: 'first' as const,
};
const facts = (severity: number): Fact[] => [
  { id: 'f1', path: 'trip.flight', category: 'user.travel.itinerary', value: PERSONAL, provenance },
  { id: 'f2', path: 'weather.severity', category: 'context.weather', value: severity, provenance },
  { id: 'f3', path: 'region.name', category: 'context.region', value: 'Lyon', provenance },
];
const event = (subject: string, severity: number, n = 1) => ({
  id: `e${n}`,
  type: 'weather.alert',
  subject,
  at: AT + n,
  facts: facts(severity),
});

type Node = { category?: string; actual?: unknown; children?: readonly Node[] };
function* nodes(node: Node | undefined): Generator<Node> {
  if (node === undefined) return;
  yield node;
  for (const child of node.children ?? []) yield* nodes(child);
}

describe('a contextual fallback', () => {
  const engine = createRuleEngine({ rules: [storm], consent: gate(new Set(['ana'])) });

  it('does not replace the rule for a customer who allows the purpose', () => {
    const [outcome] = engine.evaluate(event('ana', 5));
    expect(outcome?.kind).toBe('proposal');
    if (outcome?.kind !== 'proposal') return;
    expect(outcome.action.templateKey).toBe('storm');
    expect(outcome.evidence.map((f) => f.path)).toContain('trip.flight');
  });

  it('is proposed for a customer who refused, resting on context only', () => {
    const [outcome] = engine.evaluate(event('chloe', 5));
    expect(outcome?.kind).toBe('proposal');
    if (outcome?.kind !== 'proposal') return;
    expect(outcome.ruleId).toBe('storm');
    expect(outcome.action.templateKey).toBe('storm-area');
    expect(outcome.dataCategories.every(isContextCategory)).toBe(true);
    expect(outcome.evidence.map((f) => f.path)).toEqual(['weather.severity']);
    expect(outcome.consent[0]?.reasons[0]?.code).toBe('not_personal');
    expect(JSON.stringify(outcome)).not.toContain(PERSONAL);
  });

  it('is held back by its own conditions, and the refusal stands without a fallback', () => {
    const [calm] = engine.evaluate(event('chloe', 1));
    expect(calm).toMatchObject({ kind: 'suppression', reason: 'conditions_not_met' });
    const plain = createRuleEngine({
      rules: [{ ...storm, contextual: undefined } as unknown as Rule],
      consent: gate(new Set()),
    });
    expect(plain.evaluate(event('chloe', 5))[0]).toMatchObject({ reason: 'consent' });
  });

  it('property: with the purpose refused, nothing personal is read, traced or cited', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ severity: fc.integer({ min: 0, max: 6 }), granted: fc.boolean() }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (events) => {
          const accessLog = createMemoryAccessLog();
          const granted = new Set(events.flatMap((e, i) => (e.granted ? [`s${i}`] : [])));
          // Its conditions name a personal fact too: the fallback must still never read it.
          const nosy: Rule = {
            ...storm,
            contextual: {
              ...storm.contextual!,
              conditions: any(fact('trip.flight').exists(), fact('weather.severity').gte(3)),
            },
          };
          const subject = createRuleEngine({
            rules: [nosy],
            consent: gate(granted),
            accessLog,
            clock: createVirtualClock(AT),
          });
          for (const [i, e] of events.entries()) {
            const outcomes: Outcome[] = await subject.process(event(`s${i}`, e.severity, i + 1));
            if (e.granted) continue;
            const text = JSON.stringify(outcomes);
            expect(text).not.toContain(PERSONAL);
            for (const o of outcomes) {
              // The trace names the conditions; any value it shows is of a context category.
              for (const node of nodes(o.trace as Node | undefined))
                if (node.actual !== undefined) expect(isContextCategory(node.category)).toBe(true);
              if (o.kind === 'proposal') {
                expect(o.evidence.every((f) => isContextCategory(f.category))).toBe(true);
                expect(o.action.templateKey).toBe('storm-area');
              }
            }
            const records = await accessLog.query({ subject: `s${i}` });
            for (const r of records) {
              expect(r.dataCategories.every(isContextCategory)).toBe(true);
              expect(r.evidence).not.toContain('trip.flight');
            }
            // What the fallback did read is on the record, with what came of it.
            expect(records.map((r) => [r.evidence, r.outcome])).toEqual([
              [['weather.severity'], e.severity >= 3 ? 'sent' : 'held_back'],
            ]);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('must read context categories only, and needs an event trigger (typed errors, naming where)', () => {
    const bad = (rule: unknown, path: string) => {
      try {
        parseRule(rule);
        expect.unreachable();
      } catch (error) {
        expect(isCandorError(error, 'rules/invalid_rule')).toBe(true);
        expect((error as { details: { path: string } }).details.path).toBe(path);
      }
    };
    bad(
      {
        ...storm,
        contextual: { ...storm.contextual, dataCategories: ['context.weather', 'user.travel'] },
      },
      'rule.contextual.dataCategories[1]',
    );
    bad(
      { ...storm, trigger: { type: 'relative', fact: 'trip.departsAt', offset: '-1d' } },
      'rule.contextual',
    );
    bad({ ...storm, contextual: { ...storm.contextual, extra: 1 } }, 'rule.contextual.extra');
  });

  it('never sees a personal fact, even when its conditions name one', () => {
    const nosy = createRuleEngine({
      rules: [
        {
          ...storm,
          contextual: { ...storm.contextual!, conditions: fact('trip.flight').exists() },
        },
      ],
      consent: gate(new Set()),
    });
    const [outcome] = nosy.evaluate(event('chloe', 5));
    expect(outcome?.kind).toBe('suppression');
    expect(JSON.stringify(outcome)).not.toContain(PERSONAL);
  });
});
