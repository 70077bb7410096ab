import type { DataCategoryId, Instant, SubjectId } from '@candor/core';
import { categoryState } from './category-verdict';
import { needObject, needType, requireSubject } from './errors';
import { type EventItem, evaluatePurpose, reaches } from './evaluate';
import { problemWith } from './follow';
import { currentNoticeFor, materiallyChanged, type Notice } from './notices';
import type { PolicyPack } from './policy';
import type { Purpose, PurposeRegistry } from './purposes';
import type { ManagerState } from './state';
import { jurisdictionAt } from './subject-view';
import type { PromptNeed } from './types';

/**
 * The purposes to ask `subject` about at `options.at` (default now), and why: never asked,
 * expired, or a material notice change since the decision; none while the view cannot prove it
 * is current, and none within a pack's no-re-ask period after an opt-out.
 *
 * @example
 * needsPrompt(state, 'cus_1');
 */
export function needsPrompt<P extends string>(
  state: ManagerState<P>,
  subject: SubjectId,
  promptOptions: { readonly at?: Instant } = {},
): PromptNeed<P>[] {
  const { registry, notices, clock } = state;
  requireSubject(subject);
  needObject(promptOptions, 'options');
  const t = promptOptions.at ?? clock.now();
  needType(t, 'number', 'options.at');
  const out: PromptNeed<P>[] = [];
  const held = state.subjects.get(subject);
  // A view that cannot prove it is current must not re-ask someone who may have said no.
  if (problemWith(state, held) !== null) return out;
  const pack = state.packFor(jurisdictionAt(held?.items ?? [], t, state.defaultJurisdiction));
  for (const id of registry.ids) {
    const purpose = registry.get(id)!;
    const sensitive = purpose.categories.some((c) => registry.isSensitive(c));
    const { verdict, record } = evaluatePurpose(
      registry,
      purpose,
      held?.items ?? [],
      t,
      pack,
      sensitive,
    );
    const notice = currentNoticeFor(notices, id, t, state.language) ?? null;
    const code = verdict.reasons[0]?.code;
    let reason: PromptNeed<P>['reason'] | undefined;
    const items = held?.items ?? [];
    const chosen = categoriesChosen(registry, purpose, items, t);
    // A customer who chose for some categories was asked, even if never about the whole purpose.
    if (verdict.status === 'not_asked' && !verdict.allowed) {
      if (chosen.length === 0) reason = 'never_asked';
    } else if (code === 'expired' || code === 'refusal_expired') reason = 'expired';
    else if (
      record?.event.notice &&
      (code === 'explicit_grant' ||
        code === 'imported_grant' ||
        code === 'refused' ||
        code === 'withdrawn') &&
      materiallyChanged(notices, record.event.notice, id, t)
    ) {
      reason = 'notice_changed';
    }
    const optedOut =
      record &&
      (record.event.kind === 'refused' || record.event.kind === 'withdrawn') &&
      pack.noReaskAfterOptOut !== null &&
      t < record.event.at + pack.noReaskAfterOptOut;
    if (optedOut) continue;
    if (reason === undefined) {
      out.push(...categoryNeeds(state, purpose, items, t, pack, chosen, notice));
      continue;
    }
    out.push({ purpose: id, reason, notice });
  }
  return out;
}

/**
 * The notice in force for a purpose at `at` (default now), in the manager's language if several.
 *
 * @example
 * currentNotice(state, 'marketing.email');
 */
export function currentNotice<P extends string>(
  state: ManagerState<P>,
  purpose: P,
  at?: Instant,
): Notice<P> | undefined {
  return currentNoticeFor(state.notices, purpose, at ?? state.clock.now(), state.language);
}

/** The categories of `purpose` a category choice among `items` (made by `t`) names. */
function categoriesChosen(
  registry: PurposeRegistry,
  purpose: Purpose,
  items: readonly EventItem[],
  t: Instant,
): DataCategoryId[] {
  const out: DataCategoryId[] = [];
  for (const { event } of items) {
    if (event.dataCategories === undefined || event.at > t) continue;
    if (!reaches(registry, purpose, event, event.kind !== 'given')) continue;
    for (const category of event.dataCategories) if (!out.includes(category)) out.push(category);
  }
  return out;
}

/**
 * The prompts a purpose's category choices need: a category grant or refusal that lapsed
 * (`expired`), or one made under a notice that changed materially since (`notice_changed`),
 * except within the pack's no-re-ask period after a refusal or withdrawal.
 */
function categoryNeeds<P extends string>(
  state: ManagerState<P>,
  purpose: Purpose,
  items: readonly EventItem[],
  t: Instant,
  pack: PolicyPack,
  chosen: readonly DataCategoryId[],
  notice: Notice<P> | null,
): PromptNeed<P>[] {
  const byReason = new Map<PromptNeed<P>['reason'], DataCategoryId[]>();
  for (const category of chosen) {
    const { choice } = categoryState(state.registry, purpose, items, t, category);
    if (choice === null) continue;
    const { kind, expiresAt, at } = choice.event;
    const optOut = kind === 'refused' || kind === 'withdrawn';
    if (optOut && pack.noReaskAfterOptOut !== null && t < at + pack.noReaskAfterOptOut) continue;
    let reason: PromptNeed<P>['reason'] | undefined;
    if (kind !== 'withdrawn' && expiresAt !== undefined && expiresAt <= t) reason = 'expired';
    else if (
      choice.event.notice &&
      materiallyChanged(state.notices, choice.event.notice, purpose.id, t)
    ) {
      reason = 'notice_changed';
    }
    if (reason === undefined) continue;
    const list = byReason.get(reason) ?? [];
    list.push(category);
    byReason.set(reason, list);
  }
  return [...byReason].map(([reason, dataCategories]) => ({
    purpose: purpose.id as P,
    reason,
    notice,
    dataCategories,
  }));
}
