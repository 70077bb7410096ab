import { randomUUID } from 'node:crypto';
import { isCandorError } from '@candor/core';
import type { ExplanationControl } from '@candor/explain';
import { purposes } from '../purposes';
import type { DemoService, FeedbackSignal, SuppressionView, UndoRefusal } from '../service';
import type { StoredMessage } from '../storage';
import type { WorldContext } from './context';
import type { Inbox } from './inbox';

/**
 * What a customer does about a message: the controls its explanation offers (stop a purpose, turn
 * off data, mute, fewer like this, correct, undo a change), feedback signals, and lifting a mute.
 */
export function reactions(
  world: WorldContext,
  inbox: Inbox,
): Pick<DemoService, 'applyControl' | 'undoChange' | 'feedback' | 'suppressions' | 'unmute'> {
  const { clock, tick, consent, feedback, engine, readChanges } = world;
  const { messageOf, explainOf } = inbox;
  const findControl = (subject: string, messageId: string, controlId: string) => {
    const m = messageOf(subject, messageId);
    if (!m) return undefined;
    const explanation = explainOf(m, 'detailed');
    return { message: m, control: explanation.controls.find((c) => c.id === controlId) };
  };

  const submitSignal = async (
    m: StoredMessage,
    kind: FeedbackSignal,
    extra: { scope?: 'rule' | 'topic' | 'channel' | 'item'; note?: string; itemKey?: string } = {},
  ) => {
    const at = clock.now();
    return feedback.submit({
      idempotencyKey: `fb:${m.id}:${kind}:${at}:${randomUUID().slice(0, 8)}`,
      kind,
      decisionId: m.id,
      subject: m.subject,
      ruleId: m.proposal.ruleId,
      topic: m.proposal.action.topic,
      channel: m.proposal.action.channel,
      at,
      ...(extra.scope ? { scope: extra.scope } : {}),
      ...(extra.note ? { note: extra.note } : {}),
      ...(extra.itemKey ? { itemKey: extra.itemKey } : {}),
    });
  };

  // What the control did, why the engine refused an undo, or null when it cannot apply (and
  // nothing was written).
  const applyControl = async (
    control: ExplanationControl,
    m: StoredMessage,
  ): Promise<string | { refused: UndoRefusal } | null> => {
    const details = { method: 'preference_center' as const, surface: 'web.why_this' };
    switch (control.kind) {
      case 'stop_purpose':
      case 'turn_off_data': {
        if (!purposes.has(control.purpose)) return null;
        // "Stop using X for this": just that data category, the rest of the purpose stands.
        const only =
          control.kind === 'turn_off_data' ? { dataCategories: [control.dataCategory] } : {};
        await consent[control.mechanism]({
          subject: m.subject,
          purposes: control.purpose,
          ...only,
          ...details,
        });
        return control.mechanism;
      }
      case 'mute_topic':
        await submitSignal(m, 'not_interested', { scope: 'topic' });
        return 'muted';
      case 'fewer_like_this':
        await submitSignal(m, 'too_frequent', { scope: 'rule' });
        return 'fewer';
      case 'correct_data':
        await submitSignal(m, 'wrong_data', { note: `${control.path} looks wrong` });
        return 'correction';
      case 'undo_change': {
        const done = await undo(m);
        return done === 'undone' || done === null ? done : { refused: done };
      }
      case 'manage_all':
      case 'choose_channel':
        return 'manage';
    }
  };

  // Undoes the change a message's rule made, or says why the engine refused: its undo window
  // ended (it records the expiry, and nothing changes), it was already undone, or an undo of it
  // is under way (on this or another instance).
  const undo = async (m: StoredMessage): Promise<'undone' | UndoRefusal | null> => {
    const made = m.proposal.change;
    if (made?.status !== 'performed') return null;
    try {
      await engine.undoChange(m.subject, made.record.changeId);
      return 'undone';
    } catch (error) {
      // Undone; only its record is still being written.
      if (isCandorError(error, 'rules/undo_unrecorded')) return 'undone';
      if (isCandorError(error, 'rules/undo_expired')) return 'too_late';
      if (isCandorError(error, 'rules/already_undone')) return 'already_undone';
      if (isCandorError(error, 'rules/undo_in_progress')) return 'undo_in_progress';
      throw error;
    } finally {
      await readChanges(m.subject);
    }
  };

  return {
    // Only this customer's own messages, and only the controls their explanation offers.
    async applyControl(subject, messageId, controlId) {
      const found = findControl(subject, messageId, controlId);
      if (!found) return { ok: false, missing: 'message' };
      if (!found.control) return { ok: false, missing: 'control' };
      const applied = await applyControl(found.control, found.message);
      if (applied === null) return { ok: false, missing: 'control' };
      await tick();
      return typeof applied === 'string' ? { ok: true, applied } : { ok: false, ...applied };
    },
    async undoChange(subject, messageId) {
      const m = messageOf(subject, messageId);
      if (!m) return { ok: false, missing: 'message' };
      const done = await undo(m);
      if (done === null) return { ok: false, missing: 'control' };
      await tick();
      return done === 'undone' ? { ok: true, applied: 'undone' } : { ok: false, refused: done };
    },
    async feedback(subject, messageId, signal) {
      const m = messageOf(subject, messageId);
      if (!m) return { ok: false, missing: 'message' };
      await submitSignal(m, signal);
      await tick();
      return { ok: true, applied: signal };
    },
    suppressions: (subject): readonly SuppressionView[] => {
      // One row per scope and target: a topic muted by "not interested" and again by its
      // escalation is one thing the customer asked for, shown with the longer of the two.
      const rows = new Map<string, SuppressionView>();
      for (const r of feedback.suppressions(subject)) {
        const key = `${r.scope}\u0000${r.target}`;
        const held = rows.get(key);
        if (
          held !== undefined &&
          (held.until === null || (r.until !== null && r.until <= held.until))
        )
          continue;
        rows.set(key, {
          scope: r.scope,
          target: r.target,
          detail: r.detail,
          since: r.since,
          until: r.until,
        });
      }
      return [...rows.values()];
    },
    async unmute(subject, scope, target) {
      // By the listed mute's own scope and target: the loop finds the feedback that muted it.
      try {
        await feedback.lift({
          idempotencyKey: `fb:unmute:${subject}:${clock.now()}:${randomUUID().slice(0, 8)}`,
          subject,
          scope,
          target,
        });
      } catch (error) {
        if (isCandorError(error, 'feedback/unknown_suppression')) return false;
        throw error;
      }
      await tick();
      return true;
    },
  };
}
