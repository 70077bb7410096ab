import { CandorError, type DataCategoryId, isWithin } from '@candor/core';
import type { ConsentSnapshot, SnapshotPurpose, SnapshotVerdict } from './contract';

/**
 * The verdict a {@link ConsentSnapshot} gives for `purpose` using `dataCategories` (in the order
 * given): the same `allowed`, `status`, first reason code and `expiresAt` as the server's
 * `manager.decide()` at the snapshot's `issuedAt`. Fails closed with reason `unknown_purpose` for a
 * purpose it does not list, `category_not_declared` for a category the purpose does not declare,
 * and `not_in_snapshot` for a finer category than the snapshot lists. Pure; ignores time (the
 * caller checks `validUntil`). Throws `core/invalid_input` when `snapshot` has no purposes or
 * `dataCategories` is not an array (check a received snapshot with `parseConsentSnapshot`).
 *
 * @example
 * decideFromSnapshot(snapshot, 'marketing.email', ['user.contact.email']).allowed;
 */
export function decideFromSnapshot(
  snapshot: ConsentSnapshot,
  purpose: string,
  dataCategories: readonly DataCategoryId[] = [],
): SnapshotVerdict | ClientVerdict {
  const purposes = (snapshot as { purposes?: unknown } | null)?.purposes;
  if (typeof purposes !== 'object' || purposes === null) {
    throw new CandorError('core/invalid_input', 'snapshot: must be a consent snapshot', {
      path: 'snapshot',
      value: snapshot,
    });
  }
  if (!Array.isArray(dataCategories)) {
    throw new CandorError('core/invalid_input', 'dataCategories: must be an array', {
      path: 'dataCategories',
      value: dataCategories,
    });
  }
  const entry = own(purposes as ConsentSnapshot['purposes'], purpose) as
    | SnapshotPurpose
    | undefined;
  if (entry === undefined) return deny('not_asked', 'unknown_purpose');
  const { categories } = entry;
  let sensitive = false;
  let undeclared = false;
  for (const category of dataCategories) {
    const known = own(categories, category);
    if (known === undefined) {
      for (const listed in categories) {
        if (isWithin(category, listed)) return deny('unknown', 'not_in_snapshot');
      }
      undeclared = true;
    } else if (known.sensitive) sensitive = true;
  }
  const base = (sensitive && entry.sensitive) || entry.verdict;
  let verdict: SnapshotVerdict = base;
  if (!base.final && dataCategories.length > 0) {
    let follows = false;
    let granted: SnapshotVerdict | undefined;
    let expiresAt: number | null = null;
    for (const category of dataCategories) {
      const choice = own(categories, category)?.choice;
      if (choice === undefined) follows = true;
      else if (!choice.allowed) {
        granted = undefined;
        verdict = choice;
        break;
      } else {
        granted ??= choice;
        const at = choice.expiresAt;
        if (at !== null && (expiresAt === null || at < expiresAt)) expiresAt = at;
      }
    }
    if (granted !== undefined && !follows) {
      verdict = { allowed: true, status: 'granted', reason: granted.reason, expiresAt };
    }
  }
  return undeclared ? { ...verdict, allowed: false, reason: 'category_not_declared' } : verdict;
}

/**
 * A verdict of the thin client: a {@link SnapshotVerdict}, or a denial for a reason only a client
 * has (`no_snapshot`, `snapshot_expired`, `choice_pending`, `not_in_snapshot`, `gpc_opt_out`
 * while the server has not seen the browser's signal yet), with status `unknown` or `opted_out`.
 *
 * @example
 * const verdict: ClientVerdict = { allowed: false, status: 'unknown', reason: 'no_snapshot', expiresAt: null };
 */
export interface ClientVerdict {
  readonly allowed: boolean;
  readonly status: SnapshotVerdict['status'];
  readonly reason: SnapshotVerdict['reason'] | ClientReasonCode;
  readonly expiresAt: number | null;
}

/**
 * Why a thin client said no on its own: no snapshot yet (or only a malformed one), its snapshot
 * expired, a withdrawal or refusal is on its way to the server, the category is finer than the
 * snapshot lists, or the browser sends GPC and the snapshot predates the server seeing it.
 *
 * @example
 * if (verdict.reason === ('snapshot_expired' satisfies ClientReasonCode)) await client.refresh();
 */
export type ClientReasonCode =
  | 'no_snapshot'
  | 'snapshot_expired'
  | 'choice_pending'
  | 'not_in_snapshot'
  | 'gpc_opt_out';

/** A denial for `reason`. Internal. */
export const deny = (
  status: ClientVerdict['status'],
  reason: ClientVerdict['reason'],
): ClientVerdict => ({ allowed: false, status, reason, expiresAt: null });

/** An own property of a JSON object (never one from its prototype). Internal. */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
