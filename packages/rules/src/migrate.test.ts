import { describe, expect, it } from 'vitest';
import { factsOf } from '../test/helpers';
import { compileRules, fromJsonRulesEngine, type JsonRulesEngineRule } from './index';

const jre: JsonRulesEngineRule[] = [
  {
    name: 'big-foreign',
    priority: 5,
    conditions: {
      all: [
        { fact: 'txn', path: '$.amount', operator: 'greaterThanInclusive', value: 500 },
        {
          any: [
            {
              fact: 'txn',
              path: '$.country',
              operator: 'notEqual',
              value: { fact: 'account', path: '$.country' },
            },
            { fact: 'txn', path: '$.tags', operator: 'contains', value: 'crypto' },
          ],
        },
        { not: { fact: 'account', path: '$.tier', operator: 'in', value: ['vip', 'staff'] } },
      ],
    },
    event: { type: 'fraud-alert', params: { level: 2 } },
  },
];
const options = {
  purpose: 'service.fraud_protection',
  dataCategories: ['user.financial'],
} as const;

describe('fromJsonRulesEngine', () => {
  it('converts operators, paths, fact references, priority and event', () => {
    const [rule] = fromJsonRulesEngine(jre, options);
    expect(rule).toMatchObject({
      id: 'big-foreign',
      priority: 5,
      purpose: 'service.fraud_protection',
      trigger: { type: 'event', events: ['*'] },
      action: { type: 'fraud-alert', templateKey: 'fraud-alert', params: { level: 2 } },
      conditions: {
        all: [
          { fact: 'txn.amount', op: 'gte', value: 500 },
          {
            any: [
              { fact: 'txn.country', op: 'neq', value: { fact: 'account.country' } },
              { fact: 'txn.tags', op: 'contains', value: 'crypto' },
            ],
          },
          { not: { fact: 'account.tier', op: 'in', value: ['vip', 'staff'] } },
        ],
      },
    });
  });

  it('fires where json-rules-engine would (the benchmark checks this on 1,024 fact sets)', () => {
    const set = compileRules(fromJsonRulesEngine(jre, options));
    const cases = [
      { txn: { amount: 900, country: 'BR', tags: [] }, account: { country: 'DE', tier: 'basic' } },
      {
        txn: { amount: 900, country: 'DE', tags: ['crypto'] },
        account: { country: 'DE', tier: 'basic' },
      },
      { txn: { amount: 900, country: 'DE', tags: [] }, account: { country: 'DE', tier: 'basic' } },
      { txn: { amount: 100, country: 'BR', tags: [] }, account: { country: 'DE', tier: 'basic' } },
      { txn: { amount: 900, country: 'BR', tags: [] }, account: { country: 'DE', tier: 'vip' } },
    ];
    const expected = [true, true, false, false, false];
    for (const [i, facts] of cases.entries()) {
      const ours = set.match({
        id: 'e',
        type: 'x',
        subject: 's',
        at: 0,
        facts: factsOf(facts, {
          txn: 'user.financial.transactions',
          account: 'user.financial.account',
        }),
      });
      expect(ours.map((m) => m.ruleId)).toEqual(expected[i] ? ['big-foreign'] : []);
    }
  });

  it('rejects what it cannot convert, naming the rule and path', () => {
    expect(() =>
      fromJsonRulesEngine(
        [
          {
            name: 'x',
            conditions: { all: [{ fact: 'a', operator: 'regexish', value: 1 }] },
            event: { type: 't' },
          },
        ],
        options,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'rules/unknown_operator',
        details: expect.objectContaining({
          ruleId: 'x',
          path: 'rules[0].conditions.all[0].operator',
        }),
      }),
    );
    expect(() =>
      fromJsonRulesEngine(
        [{ name: 'y', conditions: { all: [{ condition: 'shared' }] }, event: { type: 't' } }],
        options,
      ),
    ).toThrow(expect.objectContaining({ code: 'rules/unsupported' }));
  });
});
