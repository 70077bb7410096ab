import type { ChangeRecord, DataCategoryId, DecisionRecord, Instant } from '@candor/core';
import { explainChange } from '../change';
import { sentenceStart } from '../phrase';
import type { ResolvedPolicy } from '../policy';
import type { ChangeStatement, ExplanationControl, UndoChangeControl } from '../types';
import { idsOfCategory } from './lists';
import { mechanismOf, type ScreenedEvidence } from './screen';
import type { Speaker } from './speaker';

/**
 * What the controls of one explanation are built from.
 *
 * @example
 * const input: ControlsInput = { record, changes, at, speaker, screened, policy, purposeLabel, topicLabel, mechanism };
 */
export interface ControlsInput {
  readonly record: DecisionRecord;
  readonly changes: readonly ChangeRecord[];
  readonly at: Instant;
  readonly speaker: Speaker;
  readonly screened: ScreenedEvidence;
  readonly policy: ResolvedPolicy;
  readonly purposeLabel: string;
  readonly topicLabel: string;
  /** How the customer stops the purpose as a whole (`null`: they cannot here). */
  readonly mechanism: 'withdraw' | 'object' | null;
}

/**
 * An explanation's controls, and which of them each reason offers: per category and per fact, and
 * those every reason shares.
 *
 * @example
 * const { controls, shared } = buildControls(input);
 */
export interface BuiltControls {
  readonly controls: ExplanationControl[];
  /** What the decision changed for the customer, if anything (and its undo control). */
  readonly change: { statement: ChangeStatement; undo: UndoChangeControl | null } | null;
  /** The `turn_off_data` control id of each data category shown. */
  readonly categoryControl: ReadonlyMap<DataCategoryId, string>;
  /** The `correct_data` control id of each fact shown. */
  readonly correctControl: ReadonlyMap<string, string>;
  /** The control ids every reason offers. */
  readonly shared: readonly string[];
  /** Whether the decision is critical (no mute or "fewer like this"). */
  readonly critical: boolean;
}

/**
 * The controls of an explanation: undo a change, turn off a category, correct a fact, stop the
 * purpose, mute the topic or see fewer like this (or, for a critical decision, choose the
 * channel), and manage everything.
 *
 * @example
 * const { controls, categoryControl, correctControl, shared } = buildControls(input);
 */
export function buildControls(input: ControlsInput): BuiltControls {
  const { record, changes, at, speaker, policy, purposeLabel, topicLabel, mechanism } = input;
  const { catalog, label, categoryLabel, describe, name } = speaker;
  const { visible, verdictByCategory } = input.screened;
  const subjectId = record.subject;
  const decisionId = record.id;
  const controls: ExplanationControl[] = [];
  const change = explainChange(record, changes, at, catalog, label, speaker.instants);
  if (change?.undo) controls.push(change.undo);
  const categoryControl = new Map<DataCategoryId, string>();
  const correctControl = new Map<string, string>();
  // One per category used and allowed now, acting the way that category is allowed.
  for (const fact of visible) {
    if (categoryControl.has(fact.category)) continue;
    const mechanism = mechanismOf(verdictByCategory.get(fact.category) ?? null);
    if (mechanism) {
      const id = `turn_off_data:${fact.category}`;
      categoryControl.set(fact.category, id);
      controls.push({
        kind: 'turn_off_data',
        id,
        label: sentenceStart(
          catalog.format('control.turnOffData', {
            data: categoryLabel(fact.category),
            purpose: purposeLabel,
            mechanism,
          }),
        ),
        subject: subjectId,
        decisionId,
        purpose: record.purpose,
        dataCategory: fact.category,
        mechanism,
        factIds: idsOfCategory(visible, fact.category),
      });
    }
  }
  for (const fact of visible) {
    if (fact.provenance.kind === 'derived' || describe(fact)?.correctable === false) continue;
    const id = `correct_data:${fact.id}`;
    correctControl.set(fact.id, id);
    controls.push({
      kind: 'correct_data',
      id,
      label: sentenceStart(catalog.format('control.correct', { data: name(fact) })),
      subject: subjectId,
      decisionId,
      factId: fact.id,
      dataCategory: fact.category,
      path: fact.path,
      source: fact.provenance.source,
      url: policy.changeUrl(fact.provenance.source, fact.category),
    });
  }
  const shared: string[] = [];
  if (mechanism) {
    const id = `stop_purpose:${record.purpose}`;
    shared.push(id);
    controls.push({
      kind: 'stop_purpose',
      id,
      label: sentenceStart(
        catalog.format('control.stopPurpose', { purpose: purposeLabel, mechanism }),
      ),
      subject: subjectId,
      decisionId,
      purpose: record.purpose,
      mechanism,
    });
  }
  // A critical decision (a security alert) is never silenced by feedback, only by consent: no
  // mute or "fewer like this", but the customer may still choose the channel.
  const critical = record.action.critical === true;
  if (critical) {
    const id = `choose_channel:${record.action.topic}`;
    shared.push(id);
    controls.push({
      kind: 'choose_channel',
      id,
      label: catalog.format('control.chooseChannel', { topic: topicLabel }),
      subject: subjectId,
      decisionId,
      topic: record.action.topic,
      channel: record.action.channel,
      url: policy.channelUrl,
    });
  } else {
    const muteId = `mute_topic:${record.action.topic}`;
    const fewerId = `fewer_like_this:${record.source.id}`;
    shared.push(muteId, fewerId);
    controls.push(
      {
        kind: 'mute_topic',
        id: muteId,
        label: catalog.format('control.muteTopic', { topic: topicLabel }),
        subject: subjectId,
        decisionId,
        topic: record.action.topic,
        scope: 'topic',
        target: record.action.topic,
      },
      {
        kind: 'fewer_like_this',
        id: fewerId,
        label: catalog.format('control.fewer'),
        subject: subjectId,
        decisionId,
        scope: 'rule',
        target: record.source.id,
        topic: record.action.topic,
        channel: record.action.channel,
      },
    );
  }
  controls.push({
    kind: 'manage_all',
    id: 'manage_all',
    label: catalog.format('control.manage'),
    subject: subjectId,
    decisionId,
    url: policy.manageUrl,
  });
  return { controls, change, categoryControl, correctControl, shared, critical };
}
