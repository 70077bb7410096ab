import type {
  ConsentGate,
  ConsentQuery,
  ConsentVerdict,
  DataCategoryId,
  DecisionRecord,
  Instant,
  PurposeId,
} from '@candor/core';
import { explainError, invalidInput } from './errors';
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
 * JSON with object keys sorted at every level, so equal values hash equally. Throws
 * `explain/invalid_input` (path `value`) for what JSON cannot hold: `undefined`, functions,
 * symbols, BigInts, cycles.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
              a < b ? -1 : a > b ? 1 : 0,
            ),
          )
        : v,
    );
  } catch (cause) {
    throw explainError(
      'explain/invalid_input',
      `value: cannot be written as JSON (${(cause as Error).message})`,
      { path: 'value', value },
      cause,
    );
  }
  if (json === undefined) invalidInput('value', value, 'cannot be written as JSON');
  return json;
}

/**
 * SHA-256 of a string's UTF-8 bytes as lower-case hex, via Web Crypto (`crypto.subtle`, in
 * browsers and Node ≥ 20). Throws `explain/crypto_unavailable` where it is missing, and
 * `explain/invalid_input` when `text` is not a string.
 *
 * @example
 * await sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export async function sha256Hex(text: string): Promise<string> {
  if (typeof text !== 'string') invalidInput('text', text, 'must be a string');
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle)
    throw explainError(
      'explain/crypto_unavailable',
      'crypto.subtle is not available; audits need Web Crypto',
      {
        path: 'globalThis.crypto.subtle',
        value: undefined,
      },
    );
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
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
 * Hashes the inputs of an explanation.
 *
 * @example
 * await inputHash(record, consulted, at, 'standard', 'en', policy);
 */
export function inputHash(
  record: DecisionRecord,
  consulted: readonly ConsultedVerdict[],
  at: Instant,
  layer: ExplanationLayer,
  requestedLocale: string,
  policy: unknown,
): Promise<string> {
  return sha256Hex(
    canonicalJson({ record, consent: consulted, at, layer, locale: requestedLocale, policy }),
  );
}
