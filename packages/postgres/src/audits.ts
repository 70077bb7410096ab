import { CandorError, type SubjectId } from '@candor/core';
import {
  type AuditListOptions,
  auditKey,
  checkAuditListOptions,
  type ExplanationAudit,
  type ExplanationAuditStore,
} from '@candor/explain';
import type { CandorDatabase } from './database';
import { checkDatabase } from './errors';

function checkId(path: string, value: unknown): asserts value is string {
  if (typeof value !== 'string')
    throw new CandorError('explain/invalid_input', `${path}: must be a string`, { path, value });
}

/**
 * A durable `ExplanationAuditStore` of `@candor/explain`: what each customer was told and why,
 * in `candor_explanation_audits`, indexed by subject and by decision. Appends are idempotent (the
 * same audit is stored once); `deleteSubject` erases a customer's audits.
 *
 * @example
 * const audits = createPostgresAuditStore(db);
 * await audits.append((await explainer.explainWithAudit(record, { consent })).audit);
 */
export function createPostgresAuditStore(db: CandorDatabase): ExplanationAuditStore {
  checkDatabase(db);
  const table = db.table('explanation_audits');
  const sql = db.driver;
  const parse = (rows: { audit: ExplanationAudit | string }[]) =>
    rows.map(
      (r) => (typeof r.audit === 'string' ? JSON.parse(r.audit) : r.audit) as ExplanationAudit,
    );
  return {
    async append(audit) {
      const key = auditKey(audit);
      const rows = await sql.query<{ key: string }>(
        `insert into ${table} (key, subject, decision_id, at, explanation_id, audit)
         values ($1, $2, $3, $4, $5, $6::jsonb) on conflict (key) do nothing returning key`,
        [
          key,
          audit.subject,
          audit.decisionId,
          audit.at,
          audit.explanationId,
          JSON.stringify(audit),
        ],
      );
      return rows.length === 1;
    },
    async listBySubject(subject: SubjectId, options: AuditListOptions = {}) {
      checkId('subject', subject);
      checkAuditListOptions(options);
      // The newest `limit`, returned oldest first, as the in-memory store does.
      const rows = await sql.query<{ audit: ExplanationAudit | string }>(
        `select audit from (
           select audit, at, explanation_id from ${table}
           where subject = $1 and at >= $2
           order by at desc, explanation_id desc
           limit $3) newest
         order by at, explanation_id`,
        [subject, options.since ?? 0, options.limit ?? null],
      );
      return parse(rows);
    },
    async listByDecision(decisionId) {
      checkId('decisionId', decisionId);
      return parse(
        await sql.query<{ audit: ExplanationAudit | string }>(
          `select audit from ${table} where decision_id = $1 order by at, explanation_id`,
          [decisionId],
        ),
      );
    },
    async deleteSubject(subject) {
      checkId('subject', subject);
      const rows = await sql.query<{ n: string | number }>(
        `with gone as (delete from ${table} where subject = $1 returning 1) select count(*) as n from gone`,
        [subject],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
