import {
  type ConsentReason,
  type ConsentStatus,
  type ConsentVerdict,
  type DataCategoryId,
  type Instant,
  isWithin,
} from '@candor/core';
import { day, type EventItem, isRestrictive, predates, reaches } from './evaluate';
import type { PolicyPack } from './policy';
import type { Purpose, PurposeRegistry } from './purposes';

// Per-category consent within a purpose. A purpose-level verdict (evaluatePurpose) ignores
// choices about some categories only; this overlays them for the categories a decision uses:
// for each category, the latest choice that speaks for it wins — a category choice, or a choice
// about the whole purpose (which speaks for every category, so it replaces earlier category
// choices). A renewal does not: it re-confirms grants, it does not re-grant a withdrawn category.

/** Verdicts no category choice changes: no consent needed, an objection, a GPC opt-out, no view. */
const FINAL: Partial<Record<string, true>> = {
  not_required_contract: true,
  not_required_legal_obligation: true,
  objected: true,
  gpc_opt_out: true,
  unknown_purpose: true,
  not_loaded: true,
  stale_view: true,
};
/**
 * True when no data-category choice can change `verdict` (no consent needed, an objection, a GPC
 * opt-out, an unknown purpose, a view that cannot answer).
 *
 * @example
 * isFinalVerdict(manager.decide({ subject, purpose: 'service.billing', dataCategories: [] })); // true
 */
export const isFinalVerdict = (verdict: ConsentVerdict): boolean =>
  FINAL[verdict.reasons[0]?.code ?? ''] === true;

/** What the choice in force for one category says, or `null`: follow the purpose. */
interface CategoryState {
  readonly category: DataCategoryId;
  readonly choice: EventItem | null;
  readonly objection: EventItem | null;
  /**
   * When the first grant that lifted part of a restriction lapses (null: none did, or none has
   * an end): what follows the purpose holds until then.
   */
  readonly liftedUntil: Instant | null;
}

/** A restriction in force, with those of its categories that no grant since has lifted. */
interface Restriction {
  readonly item: EventItem;
  /** Its place among the subject's events (the later one is the choice in force). */
  readonly index: number;
  readonly open: readonly DataCategoryId[];
}

/**
 * The choice in force for `category` of `purpose` at `t`: the latest restriction still in force,
 * else the latest grant that speaks for it. A restriction speaks for the categories within it and
 * those it lies within, a grant only for the categories within it. A grant of part of a
 * restricted category lifts the restriction on that part, for as long as the grant runs (after
 * withdrawals of `user.behavior.returns` and `user.behavior.purchase_history` and a grant of the
 * first back, `user.behavior` is held back by the second). A grant dated before a restriction
 * (see `predates`) lifts nothing of it; an objection is lifted only by the customer's own grant.
 *
 * @example
 * categoryState(registry, purpose, items, now, 'user.contact.email');
 */
export function categoryState(
  registry: PurposeRegistry,
  purpose: Purpose,
  items: readonly EventItem[],
  t: Instant,
  category: DataCategoryId,
): CategoryState {
  let grant: EventItem | null = null;
  // Restrictions stay until a grant lifts them: one that arrives later and is not dated before
  // them (see `predates`), and has not run out by `t`.
  let restrictions: Restriction[] = [];
  let objections: Restriction[] = [];
  let liftedUntil: Instant | null = null;
  // The latest-dated restriction of the whole purpose in force: a category grant dated before
  // it lifts nothing, and is no grant.
  let purposeRestriction: EventItem | null = null;
  let purposeIndex = -1;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const { kind, at, dataCategories, expiresAt } = item.event;
    if (at > t || kind === 'signal_observed' || kind === 'notice_shown') continue;
    const restrictive = isRestrictive(kind);
    if (!reaches(registry, purpose, item.event, restrictive)) continue;
    // A renewal re-confirms grants (of the whole purpose only); an objection to the whole purpose
    // is the purpose's verdict to give (final until lifted).
    if (kind === 'renewed' || (kind === 'objected' && dataCategories === undefined)) continue;
    if (restrictive) {
      if (dataCategories === undefined) {
        // Ends earlier category grants.
        grant = null;
        purposeIndex = i;
        if (purposeRestriction === null || at >= purposeRestriction.event.at)
          purposeRestriction = item;
        continue;
      }
      const open = dataCategories.filter((c) => isWithin(category, c) || isWithin(c, category));
      if (open.length > 0)
        (kind === 'objected' ? objections : restrictions).push({ item, index: i, open });
      continue;
    }
    // A grant: of the whole purpose (it speaks for every category), or of categories. A
    // category grant that has run out by `t` lifts nothing: what it lifted holds again. (A
    // renewal extends a grant of the whole purpose, whose end the purpose's verdict judges.)
    const running = dataCategories === undefined || expiresAt === undefined || expiresAt > t;
    const speaks =
      dataCategories === undefined || dataCategories.some((c) => isWithin(category, c));
    // A grant that speaks for the category lifts all of what holds it back.
    const covers = speaks ? null : (dataCategories as readonly DataCategoryId[]);
    const before = openParts(restrictions) + openParts(objections);
    // The customer's own grant lifts their objections (those it is not dated before).
    if (running && item.event.actor.kind === 'subject')
      objections = lifted(objections, item, covers);
    if (!predates(item.event, purposeRestriction)) {
      if (dataCategories === undefined) grant = null;
      else if (speaks) grant = item;
      if (running) {
        if (dataCategories === undefined) purposeRestriction = null;
        restrictions = lifted(restrictions, item, covers);
      }
    }
    if (
      running &&
      expiresAt !== undefined &&
      openParts(restrictions) + openParts(objections) < before
    )
      liftedUntil = liftedUntil === null ? expiresAt : Math.min(liftedUntil, expiresAt);
  }
  // A restriction of the whole purpose after the last category restriction in force: the
  // purpose's verdict speaks (and cites it).
  const last = restrictions.at(-1);
  const byPurpose = last !== undefined && purposeRestriction !== null && purposeIndex > last.index;
  return {
    category,
    choice: byPurpose ? null : (last?.item ?? grant),
    objection: objections.at(-1)?.item ?? null,
    liftedUntil,
  };
}

/** How many categories `restrictions` still hold back, together. */
const openParts = (restrictions: readonly Restriction[]) =>
  restrictions.reduce((n, r) => n + r.open.length, 0);

/**
 * `restrictions` once `grant` (of `granted`; null: of all they hold back) lifts them where it
 * covers their categories, except those it is dated before.
 */
function lifted(
  restrictions: readonly Restriction[],
  grant: EventItem,
  granted: readonly DataCategoryId[] | null,
): Restriction[] {
  const left: Restriction[] = [];
  for (const restriction of restrictions) {
    if (predates(grant.event, restriction.item)) {
      left.push(restriction);
      continue;
    }
    if (granted === null) continue;
    const open = restriction.open.filter((c) => !granted.some((g) => isWithin(c, g)));
    if (open.length > 0) left.push({ ...restriction, open });
  }
  return left;
}

/**
 * The verdict for a decision that uses `categories` of `purpose`, given the purpose-level verdict
 * `base`: denied, naming the category, when one of them is withdrawn, refused or objected to (or
 * its own grant expired); allowed by category grants when every category has one; else `base`.
 * Pure.
 *
 * @example
 * const verdict = categoryVerdict(registry, purpose, items, now, pack, base, ['user.contact.email']);
 */
export function categoryVerdict(
  registry: PurposeRegistry,
  purpose: Purpose,
  items: readonly EventItem[],
  t: Instant,
  pack: PolicyPack,
  base: ConsentVerdict,
  categories: readonly DataCategoryId[],
): ConsentVerdict {
  if (categories.length === 0 || isFinalVerdict(base)) return base;
  const granted: { category: DataCategoryId; item: EventItem }[] = [];
  let followsBase = false;
  // The allowance ends when a grant that lifted part of a restriction does.
  let until: Instant | null = null;
  for (const category of categories) {
    const { choice, objection, liftedUntil } = categoryState(registry, purpose, items, t, category);
    if (liftedUntil !== null) until = until === null ? liftedUntil : Math.min(until, liftedUntil);
    if (objection) return denied(purpose, base, category, objection, 'objected', 'objected', t);
    if (choice === null) {
      followsBase = true;
      continue;
    }
    const { kind, expiresAt } = choice.event;
    const lapsed = expiresAt !== undefined && expiresAt <= t;
    if (kind === 'given') {
      if (lapsed) return denied(purpose, base, category, choice, 'expired', 'expired', t);
      granted.push({ category, item: choice });
    } else if (kind === 'refused') {
      if (lapsed) return denied(purpose, base, category, choice, 'expired', 'refusal_expired', t);
      const status = pack.model === 'opt_out' ? 'opted_out' : 'refused';
      return denied(purpose, base, category, choice, status, 'refused', t);
    } else return denied(purpose, base, category, choice, 'withdrawn', 'withdrawn', t);
  }
  // The purpose's verdict, as it is (its `expiresAt` does not count a lift's end).
  if (followsBase || granted.length === 0) return base;
  const reasons: ConsentReason[] = granted.map(({ category, item }) => ({
    code: item.event.method === 'import' ? 'imported_grant' : 'explicit_grant',
    detail: `Granted use of ${category} ${via(item)} on ${day(item.event.at)}`,
    purpose: purpose.id,
    dataCategory: category,
    recordId: item.id,
  }));
  let expiresAt: Instant | null = until;
  for (const { item } of granted) {
    const at = item.event.expiresAt;
    if (at !== undefined && (expiresAt === null || at < expiresAt)) expiresAt = at;
  }
  return Object.freeze({
    allowed: true,
    purpose: purpose.id,
    status: 'granted',
    basis: 'consent',
    reasons: Object.freeze(reasons),
    recordIds: Object.freeze([...new Set(granted.map(({ item }) => item.id))]),
    noticeVersion: granted[0]?.item.event.notice?.version ?? null,
    expiresAt,
  });
}

const via = (item: EventItem) =>
  item.event.method === 'import' ? 'imported' : `via ${item.event.method}`;

const WORDS = {
  objected: 'Objected to using',
  expired: 'The grant to use',
  refusal_expired: 'The refusal to use',
  refused: 'Refused use of',
  withdrawn: 'Withdrawn use of',
} as const;

function denied(
  purpose: Purpose,
  base: ConsentVerdict,
  category: DataCategoryId,
  item: EventItem,
  status: ConsentStatus,
  code: keyof typeof WORDS,
  t: Instant,
): ConsentVerdict {
  const on = day(item.event.at);
  const until = item.event.expiresAt;
  const detail =
    code === 'expired' || code === 'refusal_expired'
      ? `${WORDS[code]} ${category} for ${purpose.title} of ${on} lapsed on ${day(until ?? t)}`
      : `${WORDS[code]} ${category} for ${purpose.title} ${via(item)} on ${on}`;
  return Object.freeze({
    allowed: false,
    purpose: purpose.id,
    status,
    basis: code === 'objected' ? base.basis : 'consent',
    reasons: Object.freeze([
      { code, detail, purpose: purpose.id, dataCategory: category, recordId: item.id },
    ]),
    recordIds: Object.freeze([item.id]),
    noticeVersion: item.event.notice?.version ?? null,
    expiresAt: until ?? null,
  });
}
