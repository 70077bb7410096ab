import {
  type ChangeRecord,
  changeState,
  type DecisionRecord,
  type Instant,
  safeParseChangeRecord,
} from '@candor/core';
import type { CompiledCatalog, InstantFormats } from './catalog';
import { explainError } from './errors';
import type { ChangeStatement, LabelKind, UndoChangeControl } from './types';

/**
 * @internal Validates `options.changes`: an array of core `ChangeRecord`s. Throws
 * `explain/invalid_input` naming the record and field.
 */
export function checkChanges(changes: unknown): readonly ChangeRecord[] {
  if (changes === undefined) return [];
  if (!Array.isArray(changes))
    throw explainError('explain/invalid_input', 'options.changes: must be an array of records', {
      path: 'options.changes',
      value: changes,
    });
  return changes.map((input, i) => {
    const result = safeParseChangeRecord(input);
    if (result.success) return result.data;
    const path = `options.changes[${i}]${String(result.error.details.path ?? '').replace(/^change/, '')}`;
    throw explainError('explain/invalid_input', `${path}: ${result.error.message}`, {
      path,
      value: input,
    });
  });
}

/**
 * @internal The records of what `record`'s decision changed for its customer.
 *
 * @example
 * changesOf(record, engineChanges).length; // 2: performed, then undone
 */
export function changesOf(
  record: DecisionRecord,
  changes: readonly ChangeRecord[],
): ChangeRecord[] {
  return changes.filter((c) => c.decisionId === record.id && c.subject === record.subject);
}

/**
 * @internal What the decision changed for the customer, where that stands at `now`, in words, and
 * the undo control while it can be undone; `null` when the records hold no change of it.
 */
export function explainChange(
  record: DecisionRecord,
  changes: readonly ChangeRecord[],
  now: Instant,
  catalog: CompiledCatalog,
  label: (kind: LabelKind, id: string) => string,
  instants: InstantFormats,
): { statement: ChangeStatement; undo: UndoChangeControl | null } | null {
  const mine = changesOf(record, changes);
  const performed = mine.find((c) => c.kind === 'performed');
  if (performed === undefined) return null;
  const state = changeState(mine, performed.changeId, now);
  if (state === null) return null;
  const when = (t: Instant) => instants.dateTime.format(t);
  const text = catalog.format('change.line', {
    change: label('changes', performed.type),
    permission: label('purposes', performed.purpose),
    at: when(performed.at),
    until: when(performed.undoUntil),
    status: state.status,
    undoneAt: state.closed === null ? '' : when(state.closed.at),
  });
  const statement: ChangeStatement = {
    changeId: performed.changeId,
    type: performed.type,
    status: state.status,
    at: performed.at,
    undoUntil: performed.undoUntil,
    text,
  };
  const undo: UndoChangeControl | null =
    state.status === 'undoable'
      ? {
          kind: 'undo_change',
          id: `undo_change:${performed.changeId}`,
          label: catalog.format('control.undoChange', { until: when(performed.undoUntil) }),
          subject: record.subject,
          decisionId: record.id,
          changeId: performed.changeId,
          until: performed.undoUntil,
        }
      : null;
  return { statement, undo };
}
