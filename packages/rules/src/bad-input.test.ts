import { describe, expect, it } from 'vitest';
import {
  ALL_BAD,
  type BadInputRow,
  describeBadInput,
  describeOnlyCandorErrors,
  NOT_ARRAY,
  NOT_NUMBER,
  NOT_OBJECT,
  NOT_STRING,
  NULL_PROTO,
} from '../../../test-utils/bad-input';
import { fakeConsent } from '../test/helpers';
import * as rulesModule from './index';
import {
  all,
  any,
  backtest,
  compileRules,
  count,
  createMemoryRuleStateStore,
  createRuleEngine,
  defineRule,
  diffBacktests,
  fact,
  fromJsonRulesEngine,
  isValidTimeZone,
  not,
  parseDuration,
  parseRule,
  parseRuleFile,
  partitionOf,
  type Rule,
  type RuleEvent,
  ref,
  sum,
  toDecisionRecord,
  toTime,
} from './index';

const rule: Rule = {
  id: 'low-balance',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.account'],
  trigger: { type: 'event', events: ['balance.changed'] },
  conditions: fact('account.balance').lt(100),
  action: { type: 'notify', channel: 'push', topic: 'billing.low_balance' },
};
const event: RuleEvent = { id: 'e1', type: 'balance.changed', subject: 'cus_1', at: 0, facts: [] };
const engine = () => createRuleEngine({ rules: [rule], consent: fakeConsent({}) });
const set = compileRules([rule]);
const store = createMemoryRuleStateStore();
const report = backtest({ rules: [rule], consent: fakeConsent({}), events: [] });

// biome-ignore lint/suspicious/noExplicitAny: the point is to pass values the types forbid
const x = (v: unknown): any => v;

const syncRows: BadInputRow[] = [
  [
    'partitionOf(subject, partitions)',
    (v) => partitionOf(x(v), 8),
    NOT_STRING,
    'core/invalid_input',
    'subject',
  ],
  [
    'partitionOf(_, partitions)',
    (v) => partitionOf('cus_1', x(v)),
    [...NOT_NUMBER, 0, -1, 1.5, 2 ** 31 + 1],
    'core/invalid_input',
    'partitions',
  ],
  [
    'createRuleEngine(options)',
    (v) => createRuleEngine(x(v)),
    NOT_OBJECT,
    'rules/invalid_rule',
    'options',
  ],
  [
    'createRuleEngine({ rules })',
    (v) => createRuleEngine(x({ rules: v, consent: fakeConsent({}) })),
    ['x', 1, null, {}, { rules: [], candidates: () => [] }],
    'rules/invalid_rule',
    'options.rules',
  ],
  [
    'createRuleEngine({ clock })',
    (v) => createRuleEngine(x({ rules: [rule], consent: fakeConsent({}), clock: v })),
    [1, 'x', {}, { now: 1 }],
    'rules/invalid_rule',
    'options.clock',
  ],
  ['backtest(options)', (v) => backtest(x(v)), NOT_OBJECT, 'rules/invalid_rule', 'options'],
  [
    'diffBacktests(before)',
    (v) => diffBacktests(x(v), report),
    NOT_OBJECT,
    'rules/invalid_rule',
    'before',
  ],
  [
    'diffBacktests(after)',
    (v) => diffBacktests(report, x(v)),
    NOT_OBJECT,
    'rules/invalid_rule',
    'after',
  ],
  [
    'diffBacktests({})',
    (v) => diffBacktests(report, x(v)),
    [{}, [], NULL_PROTO],
    'rules/invalid_rule',
    'after.outcomes',
  ],
  [
    'fromJsonRulesEngine(rules)',
    (v) => fromJsonRulesEngine(x(v), x({})),
    NOT_ARRAY,
    'rules/invalid_rule',
    'rules',
  ],
  [
    'fromJsonRulesEngine(_, options)',
    (v) => fromJsonRulesEngine([], x(v)),
    NOT_OBJECT,
    'rules/invalid_rule',
    'options',
  ],
  [
    'toDecisionRecord(proposal)',
    (v) => toDecisionRecord(x(v)),
    [...ALL_BAD, { kind: 'suppression' }],
    'rules/invalid_rule',
    'proposal',
  ],
  [
    'compileRules(rules)',
    (v) => compileRules(x(v)),
    [null, undefined, 'x', 42, {}],
    'rules/invalid_rule',
    'rules',
  ],
  [
    'parseRule(input)',
    (v) => parseRule(v),
    [null, undefined, 'x', 42, []],
    'rules/invalid_rule',
    'rule',
  ],
  [
    'parseRuleFile(input)',
    (v) => parseRuleFile(v),
    [null, undefined, 'x', 42, []],
    'rules/invalid_rule',
    '(root)',
  ],
  ['defineRule(rule)', (v) => defineRule(x(v)), NOT_OBJECT, 'rules/invalid_rule', 'rule'],
  [
    'all(condition)',
    (v) => all(x(v)),
    [null, undefined, 'x', 42],
    'rules/invalid_rule',
    'conditions[0]',
  ],
  [
    'any(_, condition)',
    (v) => any(fact('a').eq(1), x(v)),
    [null, 'x', 42],
    'rules/invalid_rule',
    'conditions[1]',
  ],
  ['not(condition)', (v) => not(x(v)), NOT_OBJECT, 'rules/invalid_rule', 'condition'],
  ['ref(path)', (v) => ref(x(v)), NOT_STRING, 'rules/invalid_rule', 'path'],
  ['fact(path)', (v) => fact(x(v)), NOT_STRING, 'rules/invalid_rule', 'path'],
  ['count(event)', (v) => count(x(v), '1d', 'user.a'), NOT_STRING, 'rules/invalid_rule', 'event'],
  [
    'count(_, _, category)',
    (v) => count('a.b', '1d', x(v)),
    NOT_STRING,
    'rules/invalid_rule',
    'category',
  ],
  [
    'sum(_, field)',
    (v) => sum('a.b', x(v), '1d', 'user.a'),
    NOT_STRING,
    'rules/invalid_rule',
    'field',
  ],
  [
    'engine.evaluate(event)',
    (v) => engine().evaluate(x(v)),
    NOT_OBJECT,
    'rules/invalid_event',
    'event',
  ],
  ['engine.plan(event)', (v) => engine().plan(x(v)), NOT_OBJECT, 'rules/invalid_event', 'event'],
  ['engine.due(now)', (v) => engine().due(x(v)), NOT_NUMBER, 'rules/invalid_rule', 'now'],
  ['engine.runDue(now)', (v) => engine().runDue(x(v)), NOT_NUMBER, 'rules/invalid_rule', 'now'],
  [
    'set.match(event)',
    (v) => set.match(x(v)),
    [...NOT_OBJECT, {}, [], NULL_PROTO],
    'rules/invalid_event',
    'event',
  ],
  [
    'set.match(_, options)',
    (v) => set.match(event, x(v)),
    [null, 'x', 42],
    'rules/invalid_rule',
    'options',
  ],
];

const asyncRows: BadInputRow[] = [
  [
    'engine.process(event)',
    (v) => engine().process(x(v)),
    NOT_OBJECT,
    'rules/invalid_event',
    'event',
  ],
  [
    'engine.processDue(now)',
    (v) => engine().processDue(x(v)),
    NOT_NUMBER,
    'rules/invalid_rule',
    'now',
  ],
  [
    'engine.pause(ruleId)',
    (v) => engine().pause(x(v), { reason: 'r' }),
    NOT_STRING,
    'rules/invalid_rule',
    'ruleId',
  ],
  [
    'engine.pause(_, options)',
    (v) => engine().pause('low-balance', x(v)),
    NOT_OBJECT,
    'rules/invalid_rule',
    'options.reason',
  ],
  [
    'engine.resume(ruleId)',
    (v) => engine().resume(x(v)),
    NOT_STRING,
    'rules/invalid_rule',
    'ruleId',
  ],
  [
    'store.reserve(reservation)',
    (v) => store.reserve(x(v)),
    NOT_OBJECT,
    'rules/invalid_rule',
    'reservation',
  ],
  [
    'store.reserve({})',
    (v) => store.reserve(x(v)),
    [{}, [], NULL_PROTO],
    'rules/invalid_rule',
    'reservation.limits',
  ],
  [
    'store.release(id)',
    (v) => store.release(x(v)),
    NOT_STRING,
    'rules/invalid_rule',
    'reservationId',
  ],
  [
    'store.appendEvent(event)',
    (v) => store.appendEvent(x(v)),
    NOT_OBJECT,
    'rules/invalid_event',
    'event',
  ],
  ['store.load(subject)', (v) => store.load(x(v), 0), NOT_STRING, 'rules/invalid_rule', 'subject'],
  [
    'store.load(_, since)',
    (v) => store.load('cus_1', x(v)),
    [undefined, ...NOT_NUMBER],
    'rules/invalid_rule',
    'since',
  ],
  [
    'store.putSchedule(entry)',
    (v) => store.putSchedule(x(v)),
    NOT_OBJECT,
    'rules/invalid_rule',
    'entry',
  ],
  [
    'store.removeSchedule(key)',
    (v) => store.removeSchedule(x(v)),
    NOT_STRING,
    'rules/invalid_rule',
    'key',
  ],
  [
    'store.takeDue(now)',
    (v) => store.takeDue(x(v), 10),
    [undefined, ...NOT_NUMBER],
    'rules/invalid_rule',
    'now',
  ],
  [
    'store.takeDue(_, limit)',
    (v) => store.takeDue(0, x(v)),
    [undefined, ...NOT_NUMBER],
    'rules/invalid_rule',
    'limit',
  ],
  [
    'store.setPause(ruleId)',
    (v) => store.setPause(x(v), null),
    NOT_STRING,
    'rules/invalid_rule',
    'ruleId',
  ],
  [
    'store.setPause(_, pause)',
    (v) => store.setPause('r', x(v)),
    [undefined, 'x', 42],
    'rules/invalid_rule',
    'pause',
  ],
];

describeBadInput(syncRows, asyncRows);

describe('predicates and lenient readers return their documented value', () => {
  // (42 is a valid duration and instant in milliseconds, so it is left out here.)
  const notTimes = [null, undefined, 'x', {}, [], NULL_PROTO];
  it.each(notTimes)('isValidTimeZone(%o) is false; parseDuration and toTime are undefined', (v) => {
    expect(isValidTimeZone(v)).toBe(false);
    expect(parseDuration(v)).toBeUndefined();
    expect(toTime(v)).toBeUndefined();
  });
});

describeOnlyCandorErrors(rulesModule);
