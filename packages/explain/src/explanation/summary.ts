import type { DecisionRecord, Fact } from '@candor/core';
import { isContextCategory } from '@candor/core';
import { sentenceStart } from '../phrase';
import type { ExplanationLayer } from '../types';
import { categoriesOf, joinList } from './lists';
import type { ExplainedReasons } from './reasons';
import type { Speaker } from './speaker';
import { withheldReasons } from './withheld';

/**
 * What the opening sentence is made of: the decision, the labels already chosen, the facts shown
 * and the reasons as phrased.
 *
 * @example
 * const input: SummaryInput = { record, layer, speaker, visible, explained, purposeLabel, topicLabel, channelLabel };
 */
export interface SummaryInput {
  readonly record: DecisionRecord;
  readonly layer: ExplanationLayer;
  readonly speaker: Speaker;
  readonly visible: readonly Fact[];
  readonly explained: ExplainedReasons;
  readonly purposeLabel: string;
  readonly topicLabel: string;
  readonly channelLabel: string;
}

/**
 * The explanation's opening sentence and counterfactual, the list of data shown, and whether the
 * decision rested on context alone (then it says so, not "because").
 *
 * @example
 * const { summary, counterfactual } = summarize(input);
 */
export function summarize(input: SummaryInput): {
  summary: string;
  counterfactual: string;
  dataList: string;
  contextual: boolean;
} {
  const { record, layer, visible, purposeLabel, topicLabel, channelLabel } = input;
  const { catalog, categoryLabel } = input.speaker;
  const { reasons, withheld, mainReason } = input.explained;
  let counterfactual = input.explained.counterfactual;
  const shownCategories = categoriesOf(visible).map(categoryLabel);
  const dataList = joinList(catalog, shownCategories);
  counterfactual ??= catalog.format('counterfactual.generic', {
    dataList,
    shownCount: visible.length,
    channel: channelLabel,
  });
  const opening = {
    channel: channelLabel,
    topic: topicLabel,
    dataList,
    shownCount: visible.length,
    purpose: purposeLabel,
    reason: mainReason ?? '',
    reasonAtStart: sentenceStart(mainReason ?? ''),
    // Withheld reasons count too: "partly because" stays true when one is not shown.
    reasons: mainReason === null ? 0 : reasons.length + withheldReasons(withheld),
  };
  // Resting on context alone (the time, the region, the weather, …): say so, not "because".
  const contextual = visible.length > 0 && restsOnContextOnly(record);
  const summary = sentenceStart(
    contextual
      ? catalog.format('summary.contextual', { ...opening, layer })
      : catalog.format(layer === 'short' ? 'short' : 'summary', opening),
  );
  return { summary, counterfactual, dataList, contextual };
}

/** Whether the decision used context categories only (`@candor/core`'s `context.*`). */
function restsOnContextOnly(record: DecisionRecord): boolean {
  for (const fact of record.evidence) if (!isContextCategory(fact.category)) return false;
  const declared = record.dataCategories;
  if (Array.isArray(declared)) for (const c of declared) if (!isContextCategory(c)) return false;
  return true;
}
