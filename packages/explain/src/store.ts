import { type Instant, isEpochMillis, type SubjectId } from '@candor/core';
import type { ExplanationAudit } from './audit';
import { explainError, invalidInput, isPlainRecord } from './errors';

/**
 * Options for listing audits: only those at or after `since`, at most `limit` (newest last).
 *
 * @example
 * await store.listBySubject('cus_42', { since: Date.UTC(2026, 0, 1), limit: 100 });
 */
export interface AuditListOptions {
  readonly since?: Instant;
  readonly limit?: number;
}

/**
 * The storage port for explanation audits: what a data-subject request reads ("what did you
 * tell me, and why?"). Appends are idempotent: the same audit (same `explanationId`, `at` and
 * `outputHash`) is stored once. `@candor/postgres` implements it durably; the in-memory one is
 * {@link createMemoryAuditStore}.
 *
 * @example
 * const { audit } = await explainer.explainWithAudit(record, { consent });
 * await store.append(audit);
 * const told = await store.listBySubject(record.subject);
 */
export interface ExplanationAuditStore {
  /** Stores an audit; returns `false` when an identical one was already stored. */
  append(audit: ExplanationAudit): Promise<boolean>;
  /** The subject's audits in time order (ties by explanation id). */
  listBySubject(
    subject: SubjectId,
    options?: AuditListOptions,
  ): Promise<readonly ExplanationAudit[]>;
  /** Every audit of one decision, in time order. */
  listByDecision(decisionId: string): Promise<readonly ExplanationAudit[]>;
  /** Erases a subject's audits (right to erasure); returns how many were removed. */
  deleteSubject(subject: SubjectId): Promise<number>;
}

/**
 * The identity of an audit for idempotent appends: `<explanationId>@<at>#<outputHash>`. Throws
 * `explain/invalid_input` (path `audit`) when `audit` is not an {@link ExplanationAudit}.
 *
 * @example
 * auditKey(audit); // 'prop_1/standard/en@1780304400000#5d4b…'
 */
export function auditKey(audit: ExplanationAudit): string {
  checkAudit(audit);
  return keyOf(audit);
}

function keyOf(audit: ExplanationAudit): string {
  return `${audit.explanationId}@${audit.at}#${audit.outputHash}`;
}

function checkId(path: string, value: unknown): void {
  if (typeof value !== 'string') invalidInput(path, value, 'must be a string');
}

function checkAudit(audit: ExplanationAudit): void {
  const ok =
    typeof audit === 'object' &&
    audit !== null &&
    audit.version === 1 &&
    typeof audit.subject === 'string' &&
    typeof audit.decisionId === 'string' &&
    typeof audit.explanationId === 'string' &&
    Number.isInteger(audit.at) &&
    typeof audit.inputHash === 'string' &&
    typeof audit.outputHash === 'string' &&
    /^[0-9a-f]{64}$/.test(audit.inputHash) &&
    /^[0-9a-f]{64}$/.test(audit.outputHash);
  if (!ok)
    throw explainError('explain/invalid_input', 'audit must be an ExplanationAudit (version 1)', {
      path: 'audit',
      value: audit,
    });
}

const byTime = (a: ExplanationAudit, b: ExplanationAudit) =>
  a.at - b.at ||
  (a.explanationId < b.explanationId ? -1 : a.explanationId > b.explanationId ? 1 : 0);

/**
 * An in-memory {@link ExplanationAuditStore}, for tests, demos and the browser. Stores frozen
 * copies, so later changes to an appended object do not alter the record.
 *
 * @example
 * const store = createMemoryAuditStore();
 * await store.append(audit);
 */
export function createMemoryAuditStore(): ExplanationAuditStore {
  const byKey = new Map<string, ExplanationAudit>();
  const list = (filter: (a: ExplanationAudit) => boolean) =>
    [...byKey.values()].filter(filter).sort(byTime);
  return {
    async append(audit) {
      checkAudit(audit);
      const key = keyOf(audit);
      if (byKey.has(key)) return false;
      byKey.set(key, Object.freeze(structuredClone(audit)));
      return true;
    },
    async listBySubject(subject, options = {}) {
      checkId('subject', subject);
      checkAuditListOptions(options);
      const since = options.since ?? 0;
      const found = list((a) => a.subject === subject && a.at >= since);
      return options.limit === undefined ? found : found.slice(-options.limit);
    },
    async listByDecision(decisionId) {
      checkId('decisionId', decisionId);
      return list((a) => a.decisionId === decisionId);
    },
    async deleteSubject(subject) {
      checkId('subject', subject);
      let removed = 0;
      for (const [key, audit] of byKey)
        if (audit.subject === subject) {
          byKey.delete(key);
          removed++;
        }
      return removed;
    },
  };
}

/**
 * Checks `listBySubject`'s options, as every {@link ExplanationAuditStore} takes them: `since` a
 * time in whole epoch milliseconds, `limit` a whole number ≥ 0. Throws `explain/invalid_input`
 * naming the option.
 *
 * @example
 * checkAuditListOptions({ since: Date.UTC(2026, 0, 1), limit: 100 });
 */
export function checkAuditListOptions(options: unknown): asserts options is AuditListOptions {
  if (!isPlainRecord(options))
    invalidInput('options', options, 'must be an object such as { since, limit }');
  const { since, limit } = options as AuditListOptions;
  if (since != null && !isEpochMillis(since))
    invalidInput('options.since', since, 'must be a time in whole epoch milliseconds');
  if (limit != null && !(Number.isSafeInteger(limit) && limit >= 0))
    invalidInput('options.limit', limit, 'must be a whole number ≥ 0');
}
