import type { ConsentVerdict, DataCategoryId, Instant, SubjectId } from '@candor/core';
import { categoryVerdict, isFinalVerdict } from './category-verdict';
import type {
  ConsentSnapshot,
  SnapshotCategory,
  SnapshotPurpose,
  SnapshotVerdict,
} from './contract';
import { fail, needObject, requireSubject } from './errors';
import { type Evaluation, evaluatePurpose, isRestrictive, reaches } from './evaluate';
import { problemWith } from './follow';
import { toConsentMode } from './interop';
import type { PolicyPack } from './policy';
import type { Purpose, PurposeRegistry } from './purposes';
import { stateOfManager } from './state';
import { headOf, memoize, type SubjectState } from './subject-view';
import type { ConsentManager } from './types';

/**
 * Options of {@link buildConsentSnapshot}.
 *
 * @example
 * const options: SnapshotOptions = { ttl: 60_000 };
 */
export interface SnapshotOptions {
  /** How long the snapshot may be used, in ms (default 5 minutes; 1 second to 1 day). */
  readonly ttl?: number;
}

const DEFAULT_TTL = 5 * 60_000;
const DAY = 24 * 60 * 60_000;
// A purpose-level verdict no category choice treats as final: what a lone category "follows".
const PROBE: ConsentVerdict = /* @__PURE__ */ Object.freeze({
  allowed: false,
  purpose: 'probe',
  status: 'not_asked',
  basis: null,
  reasons: /* @__PURE__ */ Object.freeze([{ code: 'default_opt_in_required', detail: '' }]),
  recordIds: /* @__PURE__ */ Object.freeze([]),
  noticeVersion: null,
  expiresAt: null,
});

/**
 * Everything a browser needs to answer `decide()` and `has()` for `subject` by itself, exactly as
 * `manager.decide()` answers now (see {@link ConsentSnapshot}): per purpose the verdict, the
 * verdict when sensitive data is used, and the subject's choices per data category. `validUntil`
 * is `ttl` from now, or earlier when a verdict in it lapses sooner, so a client never answers
 * from a verdict that has changed. A subject the view cannot answer for yet gets `unknown`
 * verdicts (fail closed). Throws `core/invalid_input` for a manager not made by
 * `createConsentManager`, an empty subject or a bad `ttl`.
 *
 * @example
 * const snapshot = buildConsentSnapshot(manager, session.subject, { ttl: 60_000 });
 * return Response.json(snapshot);
 */
export function buildConsentSnapshot<P extends string>(
  manager: ConsentManager<P>,
  subject: SubjectId,
  options: SnapshotOptions = {},
): ConsentSnapshot<P> {
  const state = stateOfManager(manager, 'manager');
  requireSubject(subject);
  needObject(options, 'options');
  const ttl = options.ttl ?? DEFAULT_TTL;
  if (!Number.isSafeInteger(ttl) || ttl < 1000 || ttl > DAY) {
    fail('core/invalid_input', 'options.ttl', ttl, 'must be whole milliseconds from 1000 to a day');
  }
  const { registry } = state;
  const issuedAt = state.clock.now();
  const verdicts = registry.ids.map((id) =>
    manager.decide({ subject, purpose: id, dataCategories: [] }),
  );
  const held = state.subjects.get(subject);
  const problem = problemWith(state, held);
  const items = held?.items ?? [];
  const pack = held?.pack ?? state.defaultPack;
  // decide() answers from the current state even when the clock stepped back.
  const t = held !== undefined && issuedAt < held.lastAt ? held.lastAt : issuedAt;
  let validUntil = issuedAt + ttl;
  const lapses = (at: Instant | null) => {
    if (at !== null && at > t && at - t < validUntil - issuedAt) validUntil = issuedAt + (at - t);
  };
  // Answers change when an event comes due, and when a choice with an end ends (a grant that
  // lifted part of a restriction, say, whose end no verdict's `expiresAt` carries).
  for (const item of items) {
    lapses(item.event.at);
    lapses(item.event.expiresAt ?? null);
  }

  const purposes = {} as Record<P, SnapshotPurpose>;
  registry.ids.forEach((id, index) => {
    const purpose = registry.get(id)!;
    const verdict = verdicts[index]!;
    const categories: Record<DataCategoryId, SnapshotCategory> = {};
    const listed = new Set<DataCategoryId>(purpose.categories);
    // Sensitive categories within declared ones (`user.location.precise` in `user.location`).
    for (const category of registry.sensitiveCategories) {
      if (registry.classify(purpose, category) !== 0) listed.add(category);
    }
    for (const { event } of items) {
      if (event.dataCategories === undefined) continue;
      if (!reaches(registry, purpose, event, isRestrictive(event.kind))) continue;
      for (const category of event.dataCategories) listed.add(category);
    }
    let sensitive: ConsentVerdict | undefined;
    for (const category of listed) {
      const kind = registry.classify(purpose, category);
      if (kind === 0) continue; // chosen under a parent purpose that declares it: not this one's
      const entry: { sensitive?: true; choice?: SnapshotVerdict } = {};
      if (kind === 2) entry.sensitive = true;
      if (kind === 2 && sensitive === undefined) {
        sensitive = problem === null ? evaluated(true) : verdict;
      }
      if (held?.scoped && problem === null) {
        const chosen = categoryVerdict(registry, purpose, items, t, pack, PROBE, [category]);
        if (chosen !== PROBE) entry.choice = toSnapshotVerdict(chosen);
        lapses(chosen.expiresAt);
      }
      categories[category] = entry;
    }
    if (problem === null) evaluated(false);
    const out: {
      -readonly [K in keyof SnapshotPurpose]: SnapshotPurpose[K];
    } = { verdict: toSnapshotVerdict(verdict), categories };
    if (sensitive !== undefined) out.sensitive = toSnapshotVerdict(sensitive);
    const notice = manager.currentNotice(id);
    if (notice !== undefined) out.notice = { id: notice.id, version: notice.version };
    if (purpose.consentMode?.length) out.consentMode = purpose.consentMode;
    if ((purpose.tags ?? []).some((tag) => pack.gpcScope.includes(tag))) out.gpcOptOut = true;
    purposes[id] = out;

    function evaluated(withSensitive: boolean): ConsentVerdict {
      const evaluation = evaluationOf(held, registry, purpose, t, pack, withSensitive);
      lapses(evaluation.until);
      lapses(evaluation.verdict.expiresAt);
      return evaluation.verdict;
    }
  });
  return {
    v: 1,
    seq: held === undefined ? 0 : headOf(held),
    issuedAt,
    validUntil,
    gpc: held?.gpc === true,
    consentMode: toConsentMode(manager, registry, subject),
    purposes,
  };
}

/**
 * The evaluation of `purpose` at `t` over the subject's current state (its pack and items),
 * from the memo `decide()` keeps in the same slot while it holds, else computed and memoized
 * there, as `decide()` would.
 */
function evaluationOf(
  held: SubjectState | undefined,
  registry: PurposeRegistry,
  purpose: Purpose,
  t: Instant,
  pack: PolicyPack,
  sensitive: boolean,
): Evaluation {
  if (held === undefined) return evaluatePurpose(registry, purpose, [], t, pack, sensitive);
  const slot = 2 * purpose.index + (sensitive ? 1 : 0);
  let hit = held.cache[slot];
  if (hit === undefined || t >= hit.until || t < hit.from) {
    hit = evaluatePurpose(registry, purpose, held.items, t, held.pack, sensitive);
    memoize(held, slot, hit);
  }
  return hit;
}

/**
 * A verdict as a snapshot carries it: allowed, status, first reason code, expiry, and whether it
 * is final. Internal.
 *
 * @example
 * toSnapshotVerdict(manager.decide(query)); // { allowed: true, status: 'granted', reason: 'explicit_grant', expiresAt: null }
 */
export function toSnapshotVerdict(verdict: ConsentVerdict): SnapshotVerdict {
  const out = {
    allowed: verdict.allowed,
    status: verdict.status,
    reason: verdict.reasons[0]?.code as SnapshotVerdict['reason'],
    expiresAt: verdict.expiresAt,
  };
  return isFinalVerdict(verdict) ? { ...out, final: true } : out;
}
