import { SuppressionScope } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feedbackKinds } from './kinds';
import {
  feedbackJsonSchema,
  parseDecisionEntry,
  parseFeedbackEvent,
  safeParseDecisionEntry,
  safeParseFeedbackEvent,
} from './schema';
import { checkDecisionEntry, checkFeedbackEvent } from './validate';

const base = {
  idempotencyKey: 'fb-1',
  kind: 'not_interested',
  decisionId: 'd-1',
  subject: 'cus_1',
  ruleId: 'travel-offer',
  topic: 'offers.travel',
  channel: 'push',
  at: 1_780_000_000_000,
};

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('FeedbackEvent', () => {
  it('accepts every kind, and scopes and durations where they mean something', () => {
    for (const kind of feedbackKinds) expect(parseFeedbackEvent({ ...base, kind }).kind).toBe(kind);
    expect(parseFeedbackEvent({ ...base, scope: 'topic', durationMs: 86_400_000 }).scope).toBe(
      'topic',
    );
    expect(parseFeedbackEvent({ ...base, kind: 'converted', value: 49.9 }).value).toBe(49.9);
  });

  it("accepts exactly core's suppression scopes, in both validators", () => {
    for (const scope of SuppressionScope.options) {
      const input = { ...base, scope, itemKey: 'sku-1' };
      expect(checkFeedbackEvent(input).scope).toBe(scope);
      expect(parseFeedbackEvent(input).scope).toBe(scope);
    }
  });

  it.each([
    [{ scope: 'planet' }, 'feedback/invalid_scope', 'event.scope'],
    [{ kind: 'clicked', scope: 'topic' }, 'feedback/invalid_scope', 'event.scope'],
    [{ scope: 'item' }, 'feedback/invalid_scope', 'event.scope'],
    [{ kind: 'stop_this', durationMs: 1000 }, 'feedback/invalid_duration', 'event.durationMs'],
    [{ durationMs: -5 }, 'feedback/invalid_duration', 'event.durationMs'],
    [
      { scope: 'topic', durationMs: Number.MAX_SAFE_INTEGER },
      'feedback/invalid_duration',
      'event.durationMs',
    ],
    [{ kind: 'converted', value: Number.NaN }, 'feedback/invalid_reward', 'event.value'],
    [{ kind: 'converted', value: -1 }, 'feedback/invalid_reward', 'event.value'],
    [{ topic: 'Offers' }, 'feedback/invalid_event', 'event.topic'],
    [{ kind: 'meh' }, 'feedback/invalid_event', 'event.kind'],
    [{ at: -1 }, 'feedback/invalid_event', 'event.at'],
    [{ extra: true }, 'feedback/invalid_event', 'event'],
  ])('rejects %o with %s at %s, in both validators', (patch, code, path) => {
    const input = { ...base, ...patch };
    const zod = safeParseFeedbackEvent(input);
    expect(zod.success).toBe(false);
    if (!zod.success) {
      expect(zod.error.code).toBe(code);
      expect(zod.error.details.path).toContain(path);
    }
    try {
      checkFeedbackEvent(input);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe(code);
      expect((error as { details: { path: string } }).details.path).toContain(path);
    }
  });

  it('agrees with the hand-written hot-path validator on arbitrary input', () => {
    const field = fc.oneof(
      fc.constantFrom(
        undefined,
        null,
        '',
        'x',
        'offers.travel',
        'Bad Topic',
        -1,
        0,
        1.5,
        86_400_000,
        Number.NaN,
        true,
      ),
      fc.constantFrom(...feedbackKinds, 'item', 'rule', 'topic', 'channel', 'all', 'nope'),
    );
    const keys = [
      'kind',
      'scope',
      'durationMs',
      'itemKey',
      'value',
      'critical',
      'note',
      'topic',
      'at',
      'variantId',
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), field, { maxKeys: 4 }), (patch) => {
        const input: Record<string, unknown> = { ...base };
        for (const [key, value] of Object.entries(patch)) {
          if (value === undefined) delete input[key];
          else input[key] = value;
        }
        const zod = safeParseFeedbackEvent(input).success;
        const hand = codeOf(() => checkFeedbackEvent(input)) === null;
        return zod === hand;
      }),
      { numRuns: 400 },
    );
  });

  it('exports a JSON Schema', () => {
    const schema = feedbackJsonSchema('FeedbackEvent');
    expect(schema.required).toEqual(
      expect.arrayContaining(['idempotencyKey', 'kind', 'decisionId']),
    );
    expect(feedbackJsonSchema('DecisionEntry').type).toBe('object');
  });
});

describe('DecisionEntry', () => {
  const entry = {
    decisionId: 'd-1',
    subject: 'cus_1',
    ruleId: 'r',
    topic: 'billing',
    channel: 'email',
    at: 0,
  };
  it('validates in both validators', () => {
    expect(parseDecisionEntry({ ...entry, propensity: 0.25 }).propensity).toBe(0.25);
    expect(safeParseDecisionEntry({ ...entry, propensity: 0 }).success).toBe(false);
    expect(codeOf(() => checkDecisionEntry({ ...entry, propensity: 2 }))).toBe(
      'feedback/invalid_event',
    );
    expect(codeOf(() => checkDecisionEntry({ ...entry, subject: '' }))).toBe(
      'feedback/invalid_event',
    );
  });
});
