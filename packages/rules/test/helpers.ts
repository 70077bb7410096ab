import {
  type ConsentGate,
  type ConsentVerdict,
  type Fact,
  isWithin,
  type Provenance,
  type SuppressionSource,
} from '@candor/core';

/** A tiny ConsentGate fake: purposes granted per subject (`*` = every subject), withdrawals win. */
export function fakeConsent(grants: Record<string, readonly string[]>): ConsentGate & {
  withdraw(subject: string, purpose: string): void;
  calls: number;
} {
  const withdrawn = new Set<string>();
  const gate = {
    calls: 0,
    withdraw(subject: string, purpose: string) {
      withdrawn.add(`${subject}|${purpose}`);
    },
    decide(query: Parameters<ConsentGate['decide']>[0]): ConsentVerdict {
      gate.calls++;
      const granted = [...(grants[query.subject] ?? []), ...(grants['*'] ?? [])];
      const allowed =
        granted.some((p) => isWithin(query.purpose, p)) &&
        ![...withdrawn].some((w) => w === `${query.subject}|${query.purpose}`);
      return {
        allowed,
        purpose: query.purpose,
        status: allowed ? 'granted' : 'not_asked',
        basis: allowed ? 'consent' : null,
        reasons: [
          {
            code: allowed ? 'explicit_grant' : 'no_grant',
            detail: allowed ? 'granted in test' : `no grant for ${query.purpose}`,
          },
        ],
        recordIds: [],
        noticeVersion: null,
        expiresAt: null,
      };
    },
  };
  return gate;
}

/** A SuppressionSource fake: suppress by rule id or topic. */
export function fakeSuppressions(
  entries: Array<{ subject: string; ruleId?: string; topic?: string }>,
): SuppressionSource {
  return {
    check(q) {
      const hit = entries.find(
        (e) =>
          e.subject === q.subject &&
          (e.ruleId === undefined || e.ruleId === q.ruleId) &&
          (e.topic === undefined || isWithin(q.topic, e.topic)),
      );
      return hit
        ? {
            suppressed: true,
            reason: {
              code: 'not_interested',
              scope: hit.ruleId ? 'rule' : 'topic',
              target: hit.ruleId ?? hit.topic ?? '',
              since: 0,
              until: null,
              detail: 'You chose "not interested"',
            },
          }
        : { suppressed: false, reason: null };
    },
  };
}

export const provenance: Provenance = {
  source: 'test',
  kind: 'stated',
  observedAt: 0,
  party: 'first',
};

/** One Fact per top-level key. */
export function factsOf(
  values: Record<string, unknown>,
  categories: Record<string, string>,
): Fact[] {
  return Object.entries(values).map(([path, value], i) => ({
    id: `f${i}`,
    path,
    category: categories[path] ?? 'user.misc',
    value: value as Fact['value'],
    provenance,
  }));
}
