import type { DecisionRecord, Fact } from '@candor/core';
import { phraseCondition, refPath } from '../conditions';
import { explainError } from '../errors';
import { operatorKey, sentenceStart } from '../phrase';
import type { Clause, ExplainedReason, ExplanationLayer, WithheldItem } from '../types';
import { formatDuration, formatValue } from '../values';
import type { BuiltControls } from './controls';
import { categoriesOf, distinctNames, joinList } from './lists';
import type { ScreenedEvidence } from './screen';
import type { Speaker } from './speaker';

/**
 * What the reasons of one explanation are phrased from.
 *
 * @example
 * const input: ReasonsInput = { record, facts, layer, speaker, screened, controls, channelLabel };
 */
export interface ReasonsInput {
  readonly record: DecisionRecord;
  /** The decision's facts by id (from `checkRecord`). */
  readonly facts: ReadonlyMap<string, Fact>;
  readonly layer: ExplanationLayer;
  readonly speaker: Speaker;
  readonly screened: ScreenedEvidence;
  readonly controls: BuiltControls;
  readonly channelLabel: string;
}

/**
 * The reasons as the customer reads them, what was withheld, and the sentences the summary and
 * counterfactual are made of.
 *
 * @example
 * const { reasons, withheld, mainReason } = explainReasons(input);
 */
export interface ExplainedReasons {
  readonly reasons: ExplainedReason[];
  /** Facts withheld (consent now, sensitive category), then reasons whose evidence was. */
  readonly withheld: WithheldItem[];
  /** What would have changed the decision (`null`: no reason says; the caller says it generally). */
  readonly counterfactual: string | null;
  /** The reason the summary opens with, if a condition gives one. */
  readonly mainReason: string | null;
}

/**
 * Phrases each reason of the decision as a clause over the evidence that may be shown; a reason
 * whose evidence is withheld is listed in `withheld` instead. Throws
 * `explain/clause_without_evidence` if a clause would cite nothing.
 *
 * @example
 * const { reasons, counterfactual } = explainReasons(input);
 */
export function explainReasons(input: ReasonsInput): ExplainedReasons {
  const { record, facts, layer, speaker, channelLabel } = input;
  const { catalog, label, name, shownValue } = speaker;
  const { hidden } = input.screened;
  const { categoryControl, correctControl, shared } = input.controls;
  const withheld: WithheldItem[] = record.evidence
    .filter((fact) => hidden.has(fact.id))
    .map((fact) => ({ kind: 'fact', factId: fact.id, reason: hidden.get(fact.id)! }));
  const reasons: ExplainedReason[] = [];
  let counterfactual: string | null = null;
  let mainReason: string | null = null;
  for (const reason of record.reasons) {
    const cited = reason.evidence.map((id) => facts.get(id)!);
    const shown = cited.filter((fact) => !hidden.has(fact.id));
    const params = reason.params ?? {};
    const path = params.path ?? params.fact;
    const isCondition =
      CONDITION_CODES.has(reason.code) && (reason.code !== 'trigger' || path !== undefined);
    const primary = isCondition
      ? (cited.find((fact) => fact.path === path) ?? cited[0]!)
      : (shown[0] ?? cited[0]!);
    if (shown.length === 0 || hidden.has(primary.id)) {
      withheld.push({ kind: 'reason', reasonId: reason.id, reason: 'evidence_withheld' });
      continue;
    }
    const custom = `clause.${reason.code}`;
    let clause: Clause;
    if (isCondition) {
      const other = refPath(params.expected);
      const ref =
        other === undefined
          ? undefined
          : (cited.find((fact) => fact.path === other) ??
            record.evidence.find((fact) => fact.path === other));
      const refShown = ref !== undefined && !hidden.has(ref.id) && ref.id !== primary.id;
      const phrased = phraseCondition(speaker, reason, primary, ref, refShown, record.at);
      const clauseFacts = refShown ? [primary, ref!] : [primary];
      // An absence trigger: what did not arrive, within how long of what. It is why the decision
      // was made when it was, so it opens the summary and the counterfactual.
      const absence = reason.code === 'trigger' ? absenceOf(params.absence) : null;
      const absent =
        absence === null
          ? null
          : {
              event: label('events', absence.expect),
              within: formatDuration(absence.within, catalog),
              subject: phrased.values.subject!,
              value: phrased.value,
            };
      const statement =
        absent === null ? phrased.statement : catalog.format('condition.absence', absent);
      clause = {
        text: sentenceStart(
          catalog.format(catalog.has(custom) ? custom : 'clause.condition', {
            data: name(primary),
            actual: phrased.value,
            expected: phrased.expected,
            operator: phrased.operator,
            value: phrased.value,
            count: clauseFacts.length,
            statement,
          }),
        ),
        evidence: clauseFacts.map((fact) => fact.id),
      };
      if (absent !== null) {
        mainReason = statement;
        if (layer !== 'short')
          counterfactual = catalog.format('counterfactual.absence', {
            ...absent,
            channel: channelLabel,
          });
      }
      mainReason ??= statement;
      if (counterfactual === null && reason.code !== 'trigger' && layer !== 'short')
        counterfactual = catalog.format('counterfactual.condition', {
          ...phrased.counterValues,
          data: phrased.values.subject!,
          channel: channelLabel,
        });
    } else {
      const data = joinList(catalog, distinctNames(shown, name));
      clause = {
        text: sentenceStart(
          catalog.format(catalog.has(custom) ? custom : 'clause.generic', {
            data,
            actual: shownValue(primary),
            expected: formatValue(params.expected, catalog),
            operator: operatorKey(params.operator ?? params.op, false, params.expected),
            value: shownValue(primary),
            count: shown.length,
            statement: '',
          }),
        ),
        evidence: shown.map((fact) => fact.id),
      };
    }
    if (clause.evidence.length === 0)
      throw explainError(
        'explain/clause_without_evidence',
        `reason "${reason.id}" produced a clause without evidence`,
        {
          path: `decision.reasons.${reason.id}`,
          value: reason.id,
        },
      );
    const reasonControls: string[] = [];
    for (const category of categoriesOf(shown)) {
      const id = categoryControl.get(category);
      if (id) reasonControls.push(id);
    }
    for (const id of clause.evidence) {
      const control = correctControl.get(id);
      if (control) reasonControls.push(control);
    }
    reasons.push({
      id: reason.id,
      code: reason.code,
      clauses: [clause],
      controls: reasonControls.concat(shared),
    });
  }
  return { reasons, withheld, counterfactual, mainReason };
}

/** The `absence` a trigger reason of `@candor/rules` carries: `{ expect, within }`, or null. */
function absenceOf(value: unknown): { expect: string; within: number } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { expect, within } = value as { expect?: unknown; within?: unknown };
  return typeof expect === 'string' && typeof within === 'number' && Number.isFinite(within)
    ? { expect, within }
    : null;
}

/** Reason codes phrased as conditions: `@candor/rules`' `condition`, `condition_not`, `trigger`. */
const CONDITION_CODES: ReadonlySet<string> = /* @__PURE__ */ new Set([
  'condition',
  'condition_not',
  'trigger',
]);
