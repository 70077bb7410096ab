import type { Instant, SubjectId } from '@candor/core';
import { needObject, needType, requireSubject } from './errors';
import { evaluatePurpose } from './evaluate';
import { problemWith } from './follow';
import { currentNoticeFor, materiallyChanged, type Notice } from './notices';
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
    if (verdict.status === 'not_asked' && !verdict.allowed) reason = 'never_asked';
    else if (code === 'expired' || code === 'refusal_expired') reason = 'expired';
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
    if (reason === undefined) continue;
    const optedOut =
      record &&
      (record.event.kind === 'refused' || record.event.kind === 'withdrawn') &&
      pack.noReaskAfterOptOut !== null &&
      t < record.event.at + pack.noReaskAfterOptOut;
    if (optedOut) continue;
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
