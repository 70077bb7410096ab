import {
  type ConsentStatus,
  type ConsentVerdict,
  type Instant,
  isWithin,
  type LegalBasis,
  toIso,
} from '@candor/core';
import type { ConsentEvent, ConsentEventKind } from './events';
import type { PolicyPack } from './policy';
import type { Purpose, PurposeRegistry } from './purposes';
import type { LedgerEntry } from './store';

/**
 * Machine codes a verdict's reasons use, so an explanation can say exactly why:
 * - allowed: `explicit_grant`, `imported_grant`, `confirmed_over_gpc`, `legitimate_interest`,
 *   `default_opt_out_allowed`, `not_required_contract`, `not_required_legal_obligation`;
 * - not allowed: `refused`, `withdrawn`, `revoked`, `expired`, `refusal_expired`, `objected`,
 *   `gpc_opt_out`, `default_opt_in_required`, `sensitive_requires_opt_in`, `unknown_purpose`,
 *   `category_not_declared`;
 * - not known (status `unknown`, not allowed): `not_loaded` (the subject's ledger has not been
 *   read yet), `stale_view` (this instance may have missed a change made elsewhere).
 *
 * @example
 * if (verdict.reasons[0]?.code === ('gpc_opt_out' satisfies ConsentReasonCode)) showGpcBadge();
 */
export type ConsentReasonCode =
  | 'explicit_grant'
  | 'imported_grant'
  | 'confirmed_over_gpc'
  | 'legitimate_interest'
  | 'default_opt_out_allowed'
  | 'not_required_contract'
  | 'not_required_legal_obligation'
  | 'refused'
  | 'withdrawn'
  | 'revoked'
  | 'expired'
  | 'refusal_expired'
  | 'objected'
  | 'gpc_opt_out'
  | 'default_opt_in_required'
  | 'sensitive_requires_opt_in'
  | 'unknown_purpose'
  | 'category_not_declared'
  | 'not_personal'
  | 'not_loaded'
  | 'stale_view';

/**
 * A ledger event with the id verdicts cite (`cr_…`, or `pending:…` before it is stored). A
 * {@link LedgerEntry} is one.
 *
 * @example
 * const items: EventItem[] = await store.read('cus_1');
 */
export interface EventItem {
  readonly id: string;
  readonly event: ConsentEvent;
}

/**
 * A verdict, the time window `[from, until)` in which it stays the same, and the event it rests on.
 *
 * @example
 * const { verdict, until } = evaluatePurpose(registry, purpose, items, now, pack, false);
 */
export interface Evaluation {
  readonly verdict: ConsentVerdict;
  readonly from: Instant;
  readonly until: Instant;
  /** The event the verdict rests on, if any. */
  readonly record: EventItem | undefined;
}

const CHOICE: Partial<Record<ConsentEventKind, true>> = {
  given: true,
  renewed: true,
  refused: true,
  withdrawn: true,
  revoked: true,
  expired: true,
};
const RESTRICTIVE: Partial<Record<ConsentEventKind, true>> = {
  refused: true,
  withdrawn: true,
  revoked: true,
  expired: true,
  objected: true,
};

/**
 * True for the event kinds that restrict processing (refused, withdrawn, revoked, expired,
 * objected); `false` for anything else, including a value that is not a string. They reach child
 * purposes and take effect before they are stored.
 *
 * @example
 * isRestrictive('withdrawn'); // true
 */
export function isRestrictive(kind: ConsentEventKind): boolean {
  return typeof kind === 'string' && RESTRICTIVE[kind] === true;
}

const isGrant = (kind: ConsentEventKind) => kind === 'given' || kind === 'renewed';

/**
 * Whether a permission (a grant, a renewal) may not lift `restriction` (a restricting choice or
 * an objection in force; none: it may) because it is dated before it. Events count in the order
 * they arrive, so a restriction applies however late it arrives (fail closed); a permission that
 * arrives late, dated before a newer restriction (an offline device's queued grant, a backdated
 * write), stays on record but does not undo it.
 *
 * @example
 * predates(queuedGrant.event, withdrawal); // true: the withdrawal stays in force
 */
export function predates(
  permission: ConsentEvent,
  restriction: EventItem | null | undefined,
): boolean {
  return (
    restriction != null &&
    RESTRICTIVE[restriction.event.kind] === true &&
    permission.at < restriction.event.at
  );
}

/**
 * A frozen verdict with one reason, citing the record it rests on (if any).
 *
 * @example
 * frozenVerdict('ads.targeted', false, 'not_asked', null, 'unknown_purpose', 'ads.targeted is not a declared purpose');
 */
export function frozenVerdict(
  purpose: string,
  allowed: boolean,
  status: ConsentStatus,
  basis: LegalBasis | null,
  code: ConsentReasonCode,
  detail: string,
  record?: EventItem,
  expiresAt: Instant | null = null,
): ConsentVerdict {
  return Object.freeze({
    allowed,
    purpose,
    status,
    basis,
    reasons: Object.freeze([
      record ? { code, detail, purpose, recordId: record.id } : { code, detail, purpose },
    ]),
    recordIds: Object.freeze(record ? [record.id] : []),
    noticeVersion: record?.event.notice?.version ?? null,
    expiresAt,
  });
}

/**
 * Does an event reach `purpose`? Restrictions reach child purposes; grants only where the parent
 * declares `impliesChildren`.
 *
 * @example
 * reaches(registry, registry.get('marketing.email')!, withdrawalOfMarketing, true); // true
 */
export function reaches(
  registry: PurposeRegistry,
  purpose: Purpose,
  event: ConsentEvent,
  restrictive: boolean,
): boolean {
  for (const target of event.purposes) {
    if (target === purpose.id) return true;
    if (
      isWithin(purpose.id, target) &&
      (restrictive || registry.get(target)?.impliesChildren === true)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The UTC day of an instant, as verdict details print it (`2026-05-03`).
 *
 * @example
 * day(Date.parse('2026-05-03T09:00:00Z')); // '2026-05-03'
 */
export function day(at: Instant): string {
  const n = Math.floor(at / DAY_MS);
  let text = days.get(n);
  if (text === undefined) {
    text = toIso(at).slice(0, 10);
    if (days.size >= 4096) days.clear();
    days.set(n, text);
  }
  return text;
}
// Verdicts print the same few days again and again: each is formatted once.
const DAY_MS = 86_400_000;
const days = /* @__PURE__ */ new Map<number, string>();

/**
 * The precedence engine: what a subject's events mean for one purpose at instant `t` under a
 * policy pack. Necessary/contract purposes need no consent; an objection (Art. 21) blocks every
 * other basis and only a later explicit grant by the subject lifts it; an explicit choice beats
 * an imported one (except that a newer imported restriction still restricts); GPC opts out of the
 * pack's GPC-scope purposes unless the subject confirmed a grant after the signal; then the
 * choice on record (the last to arrive, but a permission dated before the restriction in force
 * does not lift it: see {@link predates}); then the pack's default (sensitive data always needs
 * a grant where the pack says so). Choices about some data categories only are left to `categoryVerdict()`. Fails
 * closed. Pure.
 *
 * @example
 * const { verdict } = evaluatePurpose(registry, purpose, items, now, policyPacks.eu, false);
 */
export function evaluatePurpose(
  registry: PurposeRegistry,
  purpose: Purpose,
  items: readonly EventItem[],
  t: Instant,
  pack: PolicyPack,
  sensitive: boolean,
): Evaluation {
  const id = purpose.id;
  let from = 0;
  let until = Number.POSITIVE_INFINITY;
  let explicit: EventItem | undefined;
  let imported: EventItem | undefined;
  let grantSince: EventItem | undefined; // the explicit grant a renewal extends
  let objection: EventItem | undefined; // the latest-dated one in force
  // The latest-dated restriction in force: a permission dated before it lifts nothing.
  let barrier: EventItem | undefined;
  let gpc: { on: boolean; index: number; item: EventItem } | undefined;
  let explicitIndex = -1;
  let importedIndex = -1;
  let grantSinceIndex = -1;

  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const event = item.event;
    if (event.at > t) {
      until = Math.min(until, event.at);
      continue;
    }
    if (event.at > from) from = event.at;
    const kind = event.kind;
    if (kind === 'signal_observed') {
      if (event.signal) gpc = { on: event.signal.gpc, index, item };
      continue;
    }
    // A choice about some data categories only: see category-verdict.ts.
    if (kind === 'notice_shown' || event.dataCategories !== undefined) continue;
    const restrictive = RESTRICTIVE[kind] === true;
    if (!reaches(registry, purpose, event, restrictive)) continue;
    if (kind === 'objected') {
      if (objection === undefined || event.at >= objection.event.at) objection = item;
      continue;
    }
    if (!CHOICE[kind]) continue;
    if (restrictive) {
      if (barrier === undefined || event.at >= barrier.event.at) barrier = item;
    } else {
      // The customer's own grant lifts an objection it is not dated before (an import does not).
      if (
        kind === 'given' &&
        event.method !== 'import' &&
        event.actor.kind === 'subject' &&
        !predates(event, objection)
      )
        objection = undefined;
      if (predates(event, barrier)) continue;
    }
    if (event.method === 'import') {
      if (kind === 'renewed' && !(imported && isGrant(imported.event.kind))) continue;
      imported = item;
      importedIndex = index;
      continue;
    }
    if (kind === 'renewed') {
      // A renewal extends a grant in force: not one a newer imported restriction overrides.
      if (!(explicit && isGrant(explicit.event.kind))) continue;
      if (imported && importedIndex > explicitIndex && RESTRICTIVE[imported.event.kind]) continue;
    } else if (kind === 'given') {
      grantSince = item;
      grantSinceIndex = index;
      barrier = undefined;
    }
    explicit = item;
    explicitIndex = index;
  }

  const choice =
    imported && importedIndex > explicitIndex && RESTRICTIVE[imported.event.kind]
      ? imported
      : (explicit ?? imported);

  const verdict = (
    allowed: boolean,
    status: ConsentStatus,
    basis: LegalBasis | null,
    code: ConsentReasonCode,
    detail: string,
    record?: EventItem,
    expiresAt: Instant | null = null,
  ): Evaluation => ({
    verdict: frozenVerdict(id, allowed, status, basis, code, detail, record, expiresAt),
    from,
    until,
    record,
  });

  // 1. A basis that needs no consent.
  const basis =
    purpose.bases.find(
      (b) =>
        b !== 'legitimate_interest' ||
        (pack.legitimateInterest && !(sensitive && pack.sensitiveRequiresOptIn)),
    ) ?? 'consent';
  if (basis === 'contract' || basis === 'legal_obligation') {
    return verdict(
      true,
      'not_required',
      basis,
      basis === 'contract' ? 'not_required_contract' : 'not_required_legal_obligation',
      `${purpose.title} relies on ${basis === 'contract' ? 'the contract' : 'a legal obligation'}, not on consent`,
    );
  }

  // 2. An objection blocks everything else.
  if (objection) {
    const dm = purpose.tags?.includes('direct_marketing') === true;
    return verdict(
      false,
      'objected',
      basis,
      'objected',
      `Objected to ${purpose.title} on ${day(objection.event.at)}${dm ? ' (an objection to direct marketing is absolute)' : ''}`,
      objection,
    );
  }

  const expiryOf = (item: EventItem): Instant | null => {
    const at = item.event.expiresAt;
    if (at === undefined) return null;
    if (at <= t) from = Math.max(from, at);
    else until = Math.min(until, at);
    return at;
  };

  // 3. Global Privacy Control for the pack's GPC scope.
  const gpcApplies =
    gpc?.on === true && (purpose.tags ?? []).some((tag) => pack.gpcScope.includes(tag));
  if (gpc && gpcApplies) {
    const confirmed =
      explicit !== undefined &&
      grantSinceIndex > gpc.index &&
      grantSince !== undefined &&
      grantSince.event.at >= gpc.item.event.at &&
      isGrant(explicit.event.kind) &&
      grantSince.event.confirmed === true &&
      choice === explicit;
    if (confirmed && explicit) {
      const expiresAt = expiryOf(explicit);
      if (expiresAt === null || expiresAt > t) {
        return verdict(
          true,
          'granted',
          'consent',
          'confirmed_over_gpc',
          `Granted on ${day(explicit.event.at)}, confirmed over the browser's Global Privacy Control signal`,
          explicit,
          expiresAt,
        );
      }
    }
    return verdict(
      false,
      'opted_out',
      'consent',
      'gpc_opt_out',
      `The browser sent a Global Privacy Control signal (opt-out of sale, sharing and targeted advertising) on ${day(gpc.item.event.at)}`,
      gpc.item,
    );
  }

  // 4. The choice on record.
  if (choice) {
    const kind = choice.event.kind;
    const expiresAt = expiryOf(choice);
    const lapsed = expiresAt !== null && expiresAt <= t;
    const via = choice.event.method === 'import' ? 'imported' : `via ${choice.event.method}`;
    if (isGrant(kind)) {
      if (lapsed) {
        return verdict(
          false,
          'expired',
          'consent',
          'expired',
          `The grant of ${day(choice.event.at)} expired on ${day(expiresAt)}`,
          choice,
          expiresAt,
        );
      }
      const code = choice.event.method === 'import' ? 'imported_grant' : 'explicit_grant';
      return verdict(
        true,
        'granted',
        'consent',
        code,
        `Granted ${via} on ${day(choice.event.at)}`,
        choice,
        expiresAt,
      );
    }
    if (kind === 'refused' && lapsed) {
      return verdict(
        false,
        'expired',
        'consent',
        'refusal_expired',
        `The refusal of ${day(choice.event.at)} lapsed on ${day(expiresAt)}; ask again before using it`,
        choice,
        expiresAt,
      );
    }
    const code = kind as 'refused' | 'withdrawn' | 'revoked' | 'expired';
    const status: ConsentStatus =
      code === 'refused' && pack.model === 'opt_out' ? 'opted_out' : code;
    const words = {
      refused: 'Refused',
      withdrawn: 'Withdrawn',
      revoked: 'Revoked by the company',
      expired: 'Expired',
    }[code];
    return verdict(
      false,
      status,
      basis,
      code,
      `${words} ${via} on ${day(choice.event.at)}`,
      choice,
      expiresAt,
    );
  }

  // 5. Defaults.
  if (basis === 'legitimate_interest') {
    return verdict(
      true,
      'not_required',
      basis,
      'legitimate_interest',
      `${purpose.title} relies on legitimate interest; you can object at any time`,
    );
  }
  if (sensitive && pack.sensitiveRequiresOptIn) {
    return verdict(
      false,
      'not_asked',
      'consent',
      'sensitive_requires_opt_in',
      `Sensitive data for ${purpose.title} needs your explicit consent`,
    );
  }
  if (pack.model === 'opt_out') {
    return verdict(
      true,
      'not_asked',
      'consent',
      'default_opt_out_allowed',
      `Allowed under ${pack.title} until you opt out`,
    );
  }
  return verdict(
    false,
    'not_asked',
    'consent',
    'default_opt_in_required',
    `${purpose.title} needs your consent under ${pack.title}`,
  );
}
