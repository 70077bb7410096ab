import type {
  ChangeRecord,
  ConsentGate,
  ConsentQuery,
  ConsentVerdict,
  DataCategoryId,
  DecisionRecord,
  Instant,
  PurposeId,
} from '@candor/core';
import { canonicalJson as coreCanonicalJson, sha256Hex as coreSha256Hex } from '@candor/core';
import { invalidInput } from './errors';
import type { Explanation, ExplanationLayer } from './types';

/**
 * One consent question the explanation asked and the answer it got, so a replay can ask the
 * same question of the same state.
 *
 * @example
 * audit.consent.filter((c) => !c.verdict.allowed).map((c) => c.dataCategories);
 */
export interface ConsultedVerdict {
  readonly purpose: PurposeId;
  readonly dataCategories: readonly DataCategoryId[];
  readonly verdict: ConsentVerdict;
}

/**
 * A replayable record of one explanation: what went in (hashed), which templates and locale
 * produced it, what came out (hashed), and the consent answers it relied on. Store it beside the
 * decision; a data-subject request can show what was said and why.
 *
 * @example
 * const { explanation, audit } = await explainer.explainWithAudit(record, { consent: gate });
 * await auditStore.put(audit);
 */
export interface ExplanationAudit {
  readonly version: 1;
  readonly explanationId: string;
  readonly decisionId: string;
  readonly subject: string;
  readonly at: Instant;
  readonly layer: ExplanationLayer;
  readonly locale: string;
  readonly requestedLocale: string;
  readonly template: { readonly id: string; readonly version: string };
  readonly algorithm: 'SHA-256';
  /** SHA-256 (hex) of the canonical JSON of decision, consent answers, time, layer, locale, policy. */
  readonly inputHash: string;
  /** SHA-256 (hex) of the canonical JSON of the explanation. */
  readonly outputHash: string;
  readonly consent: readonly ConsultedVerdict[];
  /**
   * The decision's change records the explanation said what was changed from (absent when it
   * changed nothing), so a replay says the same whatever happened to the change since.
   */
  readonly changes?: readonly ChangeRecord[];
  /** The customer's time zone the explanation wrote instants in (absent: UTC). */
  readonly timeZone?: string;
}

/**
 * The outcome of replaying an audit: whether the input, templates and output all match, and the
 * re-created explanation.
 *
 * @example
 * const replay = await explainer.replay(audit, record);
 * if (!replay.matches) alert('the explanation on file cannot be reproduced');
 */
export interface ReplayResult {
  readonly matches: boolean;
  readonly inputMatches: boolean;
  readonly templateMatches: boolean;
  readonly outputMatches: boolean;
  readonly explanation: Explanation;
}

/**
 * `@candor/core`'s `canonicalJson` (one implementation for every package), offered here as it
 * always was: JSON with object keys sorted at every level, so equal values hash equally. Throws
 * `explain/invalid_input`, with the path from `value` (`value.a[0]`), for what JSON cannot carry
 * faithfully: `undefined`, functions, symbols, BigInts, non-finite numbers, objects that are not
 * plain, cycles.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return coreCanonicalJson(value, 'explain/invalid_input', 'value');
}

/**
 * `@candor/core`'s `sha256Hex` (one implementation for every package): the lower-case hex SHA-256
 * of a string's UTF-8 bytes, synchronously, in every runtime. Throws `explain/invalid_input`
 * when `text` is not a string.
 *
 * @example
 * sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export function sha256Hex(text: string): string {
  if (typeof text !== 'string') invalidInput('text', text, 'must be a string');
  return coreSha256Hex(text);
}

/**
 * Wraps a gate so every question and answer is recorded.
 *
 * @example
 * const { gate, consulted } = recordingGate(ledger);
 */
export function recordingGate(gate: ConsentGate): {
  gate: ConsentGate;
  consulted: ConsultedVerdict[];
} {
  const consulted: ConsultedVerdict[] = [];
  return {
    consulted,
    gate: {
      decide(query: ConsentQuery) {
        const verdict = gate.decide(query);
        consulted.push({
          purpose: query.purpose,
          dataCategories: [...query.dataCategories],
          verdict,
        });
        return verdict;
      },
    },
  };
}

const key = (purpose: string, categories: readonly string[]) =>
  `${purpose}|${[...categories].sort().join(',')}`;

/**
 * A gate that answers from an audit's recorded answers, and fails closed for anything else.
 *
 * @example
 * const gate = replayGate(audit.consent);
 */
export function replayGate(consulted: readonly ConsultedVerdict[]): ConsentGate {
  const answers = new Map(consulted.map((c) => [key(c.purpose, c.dataCategories), c.verdict]));
  return {
    decide(query) {
      return (
        answers.get(key(query.purpose, query.dataCategories)) ?? {
          allowed: false,
          purpose: query.purpose,
          status: 'not_asked',
          basis: null,
          reasons: [
            {
              code: 'not_in_audit',
              detail: 'this question was not asked when the explanation was made',
            },
          ],
          recordIds: [],
          noticeVersion: null,
          expiresAt: null,
        }
      );
    },
  };
}

/**
 * Hashes the inputs of an explanation (`changes` and `timeZone` only when there are some, so
 * audits of explanations without them hash as they always did).
 *
 * @example
 * inputHash(record, consulted, at, 'standard', 'en', policy);
 */
export function inputHash(
  record: DecisionRecord,
  consulted: readonly ConsultedVerdict[],
  at: Instant,
  layer: ExplanationLayer,
  requestedLocale: string,
  policy: unknown,
  changes: readonly ChangeRecord[] = [],
  timeZone?: string,
): string {
  return sha256Hex(
    canonicalJson({
      record,
      consent: consulted,
      at,
      layer,
      locale: requestedLocale,
      policy,
      ...(changes.length > 0 ? { changes } : {}),
      ...(timeZone === undefined ? {} : { timeZone }),
    }),
  );
}
