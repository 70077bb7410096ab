import {
  type ConsentQuery,
  type ConsentVerdict,
  type DataCategoryId,
  type Instant,
  isDottedId,
  parseDataCategoryId,
  parsePurposeId,
  type SubjectId,
} from '@candor/core';
import { categoryVerdict } from './category-verdict';
import { contextVerdict } from './context-verdict';
import { fail, needObject, requireSubject } from './errors';
import { type Evaluation, evaluatePurpose, frozenVerdict } from './evaluate';
import { problemWith, recheck } from './follow';
import type { Purpose } from './purposes';
import type { ManagerState } from './state';
import { jurisdictionAt, memoize } from './subject-view';
import type { DecideQuery } from './types';

/**
 * The manager's `decide()`: a synchronous verdict over the view, with its caches (one-entry
 * memos of the last purpose, category and question shape, and the evaluations of subjects with
 * no events). Its hot path is one lookup in the view's settled verdicts.
 *
 * @example
 * const decide = createDecide(managerState);
 * decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: ['user.contact.email'] });
 */
export function createDecide<P extends string>(
  view: ManagerState<P>,
): (query: DecideQuery<P> | ConsentQuery) => ConsentVerdict {
  const { registry, clock, defaultJurisdiction, defaultPack, subjects, settled, scopedSettled } =
    view;
  const emptyCache: (Evaluation | undefined)[] = [];
  // Purposes whose verdict no ledger event can change (first basis contract or legal obligation).
  const ledgerFree = registry.ids.map((id) => {
    const first = registry.get(id)?.bases[0];
    return first === 'contract' || first === 'legal_obligation';
  });

  function verdictFor(
    purpose: Purpose,
    subject: SubjectId,
    t: Instant,
    sensitive: boolean,
    jurisdiction: string | undefined,
    at: Instant | undefined,
    categories: readonly DataCategoryId[],
  ): ConsentVerdict {
    settleScoped = false;
    const state = subjects.get(subject);
    const problem = problemWith(view, state);
    if (problem !== null && !ledgerFree[purpose.index]) return unknownVerdict(purpose, problem);
    if (state === undefined) {
      if (jurisdiction !== undefined) {
        return evaluatePurpose(registry, purpose, [], t, view.packFor(jurisdiction), sensitive)
          .verdict;
      }
      // No events: the verdict depends only on the purpose and the default pack.
      const slot = 2 * purpose.index + (sensitive ? 1 : 0);
      let cached = emptyCache[slot];
      if (cached === undefined) {
        cached = evaluatePurpose(registry, purpose, [], t, defaultPack, sensitive);
        emptyCache[slot] = cached;
      }
      return cached.verdict;
    }
    let pack = state.pack;
    let base: ConsentVerdict;
    // Without an explicit `at`, the current state answers (even if the wall clock stepped back).
    if (jurisdiction === undefined && (at === undefined || t >= state.lastAt)) {
      if (t < state.lastAt) t = state.lastAt;
      const slot = 2 * purpose.index + (sensitive ? 1 : 0);
      let hit = state.cache[slot];
      if (hit === undefined || t >= hit.until || t < hit.from) {
        hit = evaluatePurpose(registry, purpose, state.items, t, pack, sensitive);
        memoize(state, slot, hit);
      }
      // Holds from the subject's last event until its next change: answer it from `settled`
      // (a subject with category choices from `scopedSettled`, for this question shape only, once
      // no category choice of theirs can still expire).
      const holds = hit.from <= state.lastAt && hit.until === Number.POSITIVE_INFINITY;
      if (state.scoped) settleScoped = holds && t >= state.categoryExpiry;
      else if (holds) {
        let map = settled[slot];
        if (map === undefined) {
          map = new Map();
          settled[slot] = map;
        }
        if (!map.has(state.subject)) {
          // Most subjects settle one slot: an exact one-slot array, not push()'s spare capacity.
          if (state.settledSlots.length === 0) state.settledSlots = [slot];
          else state.settledSlots.push(slot);
        }
        map.set(state.subject, hit.verdict);
      }
      base = hit.verdict;
    } else {
      pack = view.packFor(jurisdiction ?? jurisdictionAt(state.items, t, defaultJurisdiction));
      base = evaluatePurpose(registry, purpose, state.items, t, pack, sensitive).verdict;
    }
    if (!state.scoped || categories.length === 0) return base;
    return categoryVerdict(registry, purpose, state.items, t, pack, base, categories);
  }

  /**
   * A decision that uses only context categories the customer's pack treats as not personal:
   * allowed without consent (`null` otherwise). Never remembered as the question's shape, so the
   * settled verdicts of the purpose never answer it. A view that cannot say which pack applies
   * fails closed.
   */
  function contextual(
    purpose: Purpose,
    subject: SubjectId,
    categories: readonly DataCategoryId[],
    at: Instant | undefined,
    jurisdiction: string | undefined,
  ): ConsentVerdict | null {
    const state = subjects.get(subject);
    const problem = problemWith(view, state);
    if (problem !== null) return unknownVerdict(purpose, problem);
    const pack =
      jurisdiction !== undefined
        ? view.packFor(jurisdiction)
        : state === undefined
          ? defaultPack
          : at !== undefined && at < state.lastAt
            ? view.packFor(jurisdictionAt(state.items, at, defaultJurisdiction))
            : state.pack;
    return contextVerdict(purpose, categories, pack);
  }

  // Set by verdictFor: its answer for a subject with category choices may be settled.
  let settleScoped = false;

  // One-entry memos: callers pass the same literal strings again and again.
  let lastPurposeId: string | undefined;
  let lastPurpose: Purpose | undefined;
  const lastCategory: (string | undefined)[] = [];
  const lastClass: (0 | 1 | 2)[] = [];

  // The last question's shape (purpose and categories, all declared) and its slot, so a caller
  // asking the same question about many subjects costs one lookup per subject. The categories
  // are compared by value on every call: a caller may reuse and mutate its array.
  // A string from the start (never a purpose id): V8 then compares the purpose asked about with
  // it inline, as strings, not through its generic comparison (a call on every decide()).
  let shapePurpose = '';
  let shapeCategories: readonly string[] = [];
  let shapeSettled: Map<SubjectId, ConsentVerdict> | undefined;

  function sameShape(purposeId: unknown, categories: unknown): boolean {
    if (purposeId !== shapePurpose) return false;
    if (!Array.isArray(categories) || categories.length !== shapeCategories.length) return false;
    for (let i = 0; i < categories.length; i++) {
      if (categories[i] !== shapeCategories[i]) return false;
    }
    return true;
  }

  function decide(query: DecideQuery<P> | ConsentQuery): ConsentVerdict {
    needObject(query, 'query');
    if (--view.recheckIn === 0) recheck(view);
    // Only fields leave this function, never `query`: where it is inlined into a caller that
    // passes an object literal, the literal need not be allocated at all.
    const { subject, purpose, dataCategories, at } = query;
    const jurisdiction = (query as DecideQuery<P>).jurisdiction;
    if (
      view.fresh &&
      at === undefined &&
      jurisdiction === undefined &&
      sameShape(purpose, dataCategories)
    ) {
      const verdict = shapeSettled?.get(subject) ?? scopedSettled.get(subject);
      if (verdict !== undefined) return verdict;
    }
    return decideFully(subject, purpose, dataCategories, at, jurisdiction);
  }

  function decideFully(
    subject: SubjectId,
    purposeId: string,
    categories: readonly DataCategoryId[],
    at: Instant | undefined,
    jurisdiction: string | undefined,
  ): ConsentVerdict {
    requireSubject(subject);
    if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at) || at < 0)) {
      fail('core/invalid_time', 'at', at, 'must be a time in epoch milliseconds');
    }
    let purpose = lastPurpose;
    if (purposeId !== lastPurposeId || purpose === undefined) {
      purpose = registry.get(purposeId);
      if (!purpose) {
        parsePurposeId(purposeId);
        return unknownPurpose(purposeId);
      }
      lastPurposeId = purposeId;
      lastPurpose = purpose;
    }
    if (!Array.isArray(categories)) {
      fail('core/invalid_input', 'dataCategories', categories, 'must be an array');
    }
    const first = categories[0];
    if (typeof first === 'string' && first.startsWith('context.')) {
      const verdict = contextual(purpose, subject, categories, at, jurisdiction);
      if (verdict !== null) return verdict;
    }
    const index = purpose.index;
    let sensitive = false;
    let undeclared: DataCategoryId | undefined;
    for (let i = 0; i < categories.length; i++) {
      const category = categories[i]!;
      let kind: 0 | 1 | 2;
      if (lastCategory[index] === category) kind = lastClass[index]!;
      else {
        kind = registry.classify(purpose, category);
        lastCategory[index] = category;
        lastClass[index] = kind;
      }
      if (kind === 2) sensitive = true;
      else if (kind === 0 && undeclared === undefined) {
        if (!isDottedId(category)) parseDataCategoryId(category);
        // Context no pack treats as personal needs no consent, so no purpose need declare it.
        if (!view.notPersonalEverywhere(category)) undeclared = category;
      }
    }
    const t = at ?? clock.now();
    const verdict = verdictFor(purpose, subject, t, sensitive, jurisdiction, at, categories);
    if (undeclared === undefined) {
      if (!sameShape(purposeId, categories)) {
        shapePurpose = purpose.id;
        shapeCategories = categories.slice();
        scopedSettled.clear();
      }
      shapeSettled = settled[2 * index + (sensitive ? 1 : 0)];
      if (settleScoped) scopedSettled.set(subject, verdict);
      return verdict;
    }
    return Object.freeze({
      ...verdict,
      allowed: false,
      reasons: Object.freeze([
        {
          code: 'category_not_declared',
          detail: `${purpose.title} does not declare the data category ${undeclared}`,
          purpose: purpose.id,
          dataCategory: undeclared,
        },
        ...verdict.reasons,
      ]),
    });
  }

  return decide;
}

const unknownPurpose = (purpose: string): ConsentVerdict =>
  frozenVerdict(
    purpose,
    false,
    'not_asked',
    null,
    'unknown_purpose',
    `${purpose} is not a declared purpose`,
  );

const unknownVerdict = (purpose: Purpose, problem: 'not_loaded' | 'stale_view'): ConsentVerdict =>
  frozenVerdict(
    purpose.id,
    false,
    'unknown',
    null,
    problem,
    problem === 'not_loaded'
      ? `Not allowed: this customer's consent for ${purpose.title} has not been read from the ledger yet`
      : `Not allowed: this instance may have missed a recent change to this customer's consent for ${purpose.title}, and waits until it has caught up`,
  );
