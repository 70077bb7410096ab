import type { Fact } from '@candor/core';
import { sentenceStart } from '../phrase';
import type { ResolvedPolicy } from '../policy';
import type { DataUse } from '../types';
import type { Speaker } from './speaker';

/**
 * The "data we used" section: one line per fact shown, with where it came from, whether it is
 * stale, and where the customer can change it (the `detailed` layer adds when it was observed).
 *
 * @example
 * const dataUsed = describeDataUsed(screened.visible, screened.stale, speaker, policy, layer === 'detailed');
 */
export function describeDataUsed(
  visible: readonly Fact[],
  stale: ReadonlyMap<string, boolean>,
  speaker: Speaker,
  policy: ResolvedPolicy,
  detailed: boolean,
): DataUse[] {
  const { catalog, label, categoryLabel, name, shownValue } = speaker;
  const changeText = catalog.format('data.change');
  return visible.map((fact) => {
    const isStale = stale.get(fact.id) === true;
    const url = policy.changeUrl(fact.provenance.source, fact.category);
    const sourceLabel = label('sources', fact.provenance.source);
    let text = sentenceStart(
      catalog.format('data.line', {
        data: name(fact),
        value: shownValue(fact),
        kind: fact.provenance.kind,
        party: fact.provenance.party,
        source: sourceLabel,
      }),
    );
    if (detailed)
      text += ` ${catalog.format('data.observed', {
        observedAt: speaker.instants.date.format(fact.provenance.observedAt),
        stale: String(isStale),
        source: sourceLabel,
        party: fact.provenance.party,
      })}`;
    if (isStale) text += ` ${catalog.format('data.stale')}`;
    return {
      factId: fact.id,
      path: fact.path,
      category: fact.category,
      categoryLabel: categoryLabel(fact.category),
      label: name(fact),
      source: fact.provenance.source,
      sourceLabel,
      kind: fact.provenance.kind,
      party: fact.provenance.party,
      observedAt: fact.provenance.observedAt,
      value: shownValue(fact),
      stale: isStale,
      changeAt: url === null ? null : { url, text: changeText },
      text,
    };
  });
}
