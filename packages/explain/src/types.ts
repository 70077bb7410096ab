import type {
  DataCategoryId,
  Instant,
  LegalBasis,
  ProvenanceKind,
  PurposeId,
  SubjectId,
  SuppressionScope,
  TopicId,
} from '@candor/core';

/**
 * How much an explanation says; each layer adds to the one before.
 * - `short`: one sentence a customer reads in five seconds (the first reason in plain words),
 *   plus the settings link (and, for a critical decision, why it cannot be muted).
 * - `standard`: that sentence (naming the topic), the data used in plain words with how we got
 *   it (and from whom, for a partner's data), the purpose and legal basis, one counterfactual
 *   line, and what the customer can do.
 * - `detailed`: every condition our systems checked, each fact's source and when it was
 *   recorded, which rule or model decided, its version and when, and the privacy notice version.
 * Renderers show the reasons list only on the detailed layer; `reasons` is filled on every layer.
 *
 * @example
 * const layer: ExplanationLayer = 'standard';
 */
export type ExplanationLayer = 'short' | 'standard' | 'detailed';

/**
 * One sentence of a reason, with the ids of the evidence facts it rests on (never empty).
 *
 * @example
 * const clause: Clause = { text: 'Your card’s expiry date is June 30, 2026, before July 1, 2026.', evidence: ['f1'] };
 */
export interface Clause {
  /** The localized sentence, plain text (renderers escape it). */
  readonly text: string;
  /** Ids of the facts this sentence rests on; each is listed in `dataUsed`. */
  readonly evidence: readonly string[];
}

/**
 * A decision reason as explained: its clauses and the ids of the controls that act on it.
 *
 * @example
 * explanation.reasons[0]?.clauses[0]?.text;
 */
export interface ExplainedReason {
  /** The reason's id in the decision record. */
  readonly id: string;
  /** The reason's code (`condition`, a model feature, …). */
  readonly code: string;
  /** What our systems checked, sentence by sentence. */
  readonly clauses: readonly Clause[];
  /** Ids of entries in `Explanation.controls` that act on this reason. */
  readonly controls: readonly string[];
}

/**
 * Where a customer can review or correct a fact, if the policy names a place.
 *
 * @example
 * const place: ChangeLocation = { url: 'https://example.com/settings/cards', text: 'You can review or correct this here.' };
 */
export interface ChangeLocation {
  readonly url: string;
  /** Localized link text. */
  readonly text: string;
}

/**
 * One fact the decision used and that the explanation may name: its category, source, how it was
 * learned (`stated`, `observed`, `inferred`, `derived`), when, and where to change it.
 *
 * @example
 * for (const d of explanation.dataUsed) console.log(d.text);
 */
export interface DataUse {
  readonly factId: string;
  readonly path: string;
  readonly category: DataCategoryId;
  /** Localized name of the category ("your card details"). */
  readonly categoryLabel: string;
  /**
   * What the fact is, in the customer's words: its description's label in the explainer's
   * `facts` registry ("your card's expiry date"), else the category's label.
   */
  readonly label: string;
  /** The system the fact came from, as recorded. */
  readonly source: string;
  /** Localized name of the source. */
  readonly sourceLabel: string;
  readonly kind: ProvenanceKind;
  readonly party: 'first' | 'third';
  readonly observedAt: Instant;
  /** The value as shown to the customer (formatted for the locale). */
  readonly value: string;
  /** True when the fact is older than its TTL in the policy (action `flag`). */
  readonly stale: boolean;
  /** Where to change it, when the policy names a place. */
  readonly changeAt: ChangeLocation | null;
  /** The localized line describing this fact, for the explanation's layer. */
  readonly text: string;
}

/**
 * The purpose the decision served and the legal basis it rests on now.
 *
 * @example
 * console.log(explanation.purpose.text); // 'We use your data for proactive service messages. You agreed to this.'
 */
export interface PurposeStatement {
  readonly id: PurposeId;
  readonly label: string;
  /** The basis the consent gate reports at explanation time (`null` when none applies). */
  readonly basis: LegalBasis | null;
  /** Whether the purpose is allowed for this subject right now. */
  readonly allowedNow: boolean;
  /**
   * What the customer gets for the purpose, from the catalog's `benefits` labels (by purpose id),
   * or `null`. When set, `text` ends with "You share … ; in return you get …".
   */
  readonly benefit: string | null;
  readonly text: string;
}

/**
 * Who decided: a rule, a model, or a manual configuration, with version and time.
 *
 * @example
 * explanation.decision.text; // 'Decided on June 1, 2026 by an automated rule: “Card expiry reminder”, version 3. …' (detailed layer)
 */
export interface DecisionStatement {
  readonly kind: 'rule' | 'model' | 'manual';
  readonly id: string;
  readonly version: string | number;
  readonly at: Instant;
  /** Localized sentence; `null` except on the detailed layer. */
  readonly text: string | null;
}

interface ControlBase {
  /** Stable id within the explanation (`turn_off_data:user.financial.card`). */
  readonly id: string;
  /** Localized button or link text. */
  readonly label: string;
  /** The customer the control acts for. */
  readonly subject: SubjectId;
  /** The decision being explained. */
  readonly decisionId: string;
}

/**
 * "Turn off this data source": withdraw consent (or object, for legitimate interest) to using one
 * data category for the decision's purpose, and nothing else of it. Wire to `@candor/consent`'s
 * `withdraw` (or `object`, per `mechanism`) with
 * `{ subject, purposes: purpose, dataCategories: [dataCategory] }`: the next decision that uses the
 * category is denied, the purpose's other categories are not.
 *
 * @example
 * if (control.kind === 'turn_off_data') consent[control.mechanism]({ subject: control.subject, purposes: control.purpose, dataCategories: [control.dataCategory] });
 */
export interface TurnOffDataControl extends ControlBase {
  readonly kind: 'turn_off_data';
  readonly purpose: PurposeId;
  readonly dataCategory: DataCategoryId;
  /** `withdraw` when the basis is consent, `object` when it is legitimate interest (Art. 21). */
  readonly mechanism: 'withdraw' | 'object';
  /** The facts of this category the decision used. */
  readonly factIds: readonly string[];
}

/**
 * "Stop this purpose": withdraw consent to (or object to) the whole purpose.
 *
 * @example
 * if (control.kind === 'stop_purpose') consent[control.mechanism]({ subject: control.subject, purposes: control.purpose });
 */
export interface StopPurposeControl extends ControlBase {
  readonly kind: 'stop_purpose';
  readonly purpose: PurposeId;
  readonly mechanism: 'withdraw' | 'object';
}

/**
 * "Mute this topic": a feedback signal that suppresses the topic (and its children). Wire to your
 * feedback ingest with `scope` and `target`.
 *
 * @example
 * if (control.kind === 'mute_topic') feedback.ingest({ subject: control.subject, proposalId: control.decisionId, signal: 'not_interested', scope: control.scope, target: control.target });
 */
export interface MuteTopicControl extends ControlBase {
  readonly kind: 'mute_topic';
  readonly topic: TopicId;
  readonly scope: Extract<SuppressionScope, 'topic'>;
  readonly target: TopicId;
}

/**
 * "Fewer of these": a feedback signal that the rule (or model) fires too often.
 *
 * @example
 * if (control.kind === 'fewer_like_this') feedback.ingest({ subject: control.subject, proposalId: control.decisionId, signal: 'too_frequent', scope: control.scope, target: control.target });
 */
export interface FewerLikeThisControl extends ControlBase {
  readonly kind: 'fewer_like_this';
  readonly scope: Extract<SuppressionScope, 'rule'>;
  /** The decision source's id (the rule id). */
  readonly target: string;
  readonly topic: TopicId;
  readonly channel: string;
}

/**
 * "Correct this data": open the place where the customer can fix a fact (Art. 16), or route a
 * correction request when `url` is `null`.
 *
 * @example
 * if (control.kind === 'correct_data' && control.url) window.location.assign(control.url);
 */
export interface CorrectDataControl extends ControlBase {
  readonly kind: 'correct_data';
  readonly factId: string;
  readonly dataCategory: DataCategoryId;
  readonly path: string;
  readonly source: string;
  readonly url: string | null;
}

/**
 * "Choose how messages reach you": open the customer's channel preferences (email, push, SMS)
 * for this topic. Offered instead of `mute_topic` and `fewer_like_this` for a critical decision
 * (`action.critical`, a fraud or security alert), which feedback never silences. `url` is the
 * policy's `channelUrl`, else its `manageUrl`, else `null` (the app opens its own picker).
 *
 * @example
 * if (control.kind === 'choose_channel') openChannelSettings(control.topic, control.url);
 */
export interface ChooseChannelControl extends ControlBase {
  readonly kind: 'choose_channel';
  readonly topic: TopicId;
  /** The channel the decision used. */
  readonly channel: string;
  readonly url: string | null;
}

/**
 * "Undo this change": offered while a change made for the customer (a rule that acts, then
 * tells) can still be undone. Wire to `@candor/rules`' `engine.undoChange(subject, changeId)`.
 *
 * @example
 * if (control.kind === 'undo_change') await engine.undoChange(control.subject, control.changeId);
 */
export interface UndoChangeControl extends ControlBase {
  readonly kind: 'undo_change';
  readonly changeId: string;
  /** The undo is possible until this instant (exclusive). */
  readonly until: Instant;
}

/**
 * What was changed for the customer before they were told, where it stands, and the sentence
 * saying so: `undoable` (until `undoUntil`), `undone`, or `expired` (the change stands).
 *
 * @example
 * explanation.change?.text; // 'We moved you to an earlier flight on June 1, 2026 at 12:00 PM UTC, …'
 */
export interface ChangeStatement {
  readonly changeId: string;
  readonly type: string;
  readonly status: 'undoable' | 'undone' | 'expired';
  readonly at: Instant;
  readonly undoUntil: Instant;
  readonly text: string;
}

/**
 * "Manage everything": open the privacy and message settings.
 *
 * @example
 * if (control.kind === 'manage_all') openSettings(control.url);
 */
export interface ManageAllControl extends ControlBase {
  readonly kind: 'manage_all';
  readonly url: string | null;
}

/**
 * A typed action an app wires to a consent withdraw or a feedback call. Switch on `kind`.
 *
 * @example
 * function onControl(c: ExplanationControl) {
 *   switch (c.kind) {
 *     case 'turn_off_data': return consent[c.mechanism]({ subject: c.subject, purposes: c.purpose, dataCategories: [c.dataCategory] });
 *     case 'stop_purpose': return consent[c.mechanism]({ subject: c.subject, purposes: c.purpose });
 *     case 'mute_topic': case 'fewer_like_this': return feedback.suppress({ subject: c.subject, scope: c.scope, target: c.target });
 *     case 'correct_data': case 'choose_channel': case 'manage_all': return c.url && open(c.url);
 *     case 'undo_change': return engine.undoChange(c.subject, c.changeId);
 *   }
 * }
 */
export type ExplanationControl =
  | TurnOffDataControl
  | StopPurposeControl
  | MuteTopicControl
  | FewerLikeThisControl
  | CorrectDataControl
  | ChooseChannelControl
  | UndoChangeControl
  | ManageAllControl;

/**
 * Why something the decision used is not named: the consent gate does not allow it now, it is in
 * a sensitive category the policy does not let us name, or a reason rests only on such facts.
 *
 * @example
 * const why: WithheldReason = 'consent_not_allowed';
 */
export type WithheldReason = 'consent_not_allowed' | 'sensitive_category' | 'evidence_withheld';

/**
 * Something the explanation does not mention, and why. Carries ids only, never the data.
 *
 * @example
 * explanation.withheld.filter((w) => w.kind === 'fact').length;
 */
export type WithheldItem =
  | { readonly kind: 'fact'; readonly factId: string; readonly reason: WithheldReason }
  | { readonly kind: 'reason'; readonly reasonId: string; readonly reason: WithheldReason };

/**
 * Something the reader (or the app) should know about how the explanation was made.
 *
 * @example
 * if (explanation.warnings.some((w) => w.code === 'locale_fallback')) track('missing-locale');
 */
export type ExplanationWarning =
  | { readonly code: 'locale_fallback'; readonly requested: string; readonly used: string }
  | {
      readonly code: 'stale_evidence';
      readonly factId: string;
      readonly ageMs: number;
      readonly maxAgeMs: number;
    }
  | {
      readonly code: 'missing_label';
      /**
       * `facts` when a fact path has no description in the explainer's `facts` registry;
       * `parameters` when a transparency page's parameter has no label.
       */
      readonly kind: LabelKind | 'facts' | 'parameters';
      readonly id: string;
    };

/**
 * The kinds of ids a catalog gives human names to.
 *
 * @example
 * const kind: LabelKind = 'categories';
 */
export type LabelKind =
  | 'categories'
  | 'purposes'
  | 'topics'
  | 'channels'
  | 'sources'
  | 'rules'
  | 'changes'
  | 'events'
  | 'benefits';

/**
 * Localized section headings, so renderers need no catalog.
 *
 * @example
 * explanation.headings.controls; // 'Your choices'
 */
export interface ExplanationHeadings {
  readonly title: string;
  readonly reasons: string;
  readonly data: string;
  readonly purpose: string;
  readonly controls: string;
  readonly withheld: string;
}

/**
 * An honest answer to "why am I seeing this?": summary, reasons whose clauses cite evidence,
 * the data used with provenance, purpose and legal basis, controls, one counterfactual line, and
 * what was withheld and why. Every string is plain text; renderers escape it.
 *
 * @example
 * const explanation = explainer.explain(record, { consent: gate, layer: 'standard', locale: 'de' });
 * console.log(renderText(explanation));
 */
export interface Explanation {
  /** `<decision id>/<layer>/<locale>`. */
  readonly id: string;
  readonly decisionId: string;
  readonly subject: SubjectId;
  /** When the explanation was made (the consent state it reflects). */
  readonly at: Instant;
  readonly layer: ExplanationLayer;
  /** The locale used. */
  readonly locale: string;
  /** The locale asked for; differs from `locale` after a fallback. */
  readonly requestedLocale: string;
  /** Which templates produced the text: id `candor.explain/<layer>` and the catalog version. */
  readonly template: { readonly id: string; readonly version: string };
  readonly headings: ExplanationHeadings;
  readonly summary: string;
  readonly reasons: readonly ExplainedReason[];
  readonly dataUsed: readonly DataUse[];
  readonly purpose: PurposeStatement;
  readonly decision: DecisionStatement;
  readonly controls: readonly ExplanationControl[];
  /**
   * What was changed for the customer before they were told (from the `changes` records passed to
   * `explain`), or `null` when the decision changed nothing.
   */
  readonly change: ChangeStatement | null;
  /**
   * A plain sentence shown with the controls saying why some are not offered: for a critical
   * decision (a security alert), that it cannot be muted and the customer can choose how it
   * reaches them. `null` when there is nothing to say.
   */
  readonly controlsNote: string | null;
  readonly counterfactual: string;
  readonly withheld: readonly WithheldItem[];
  /** Localized sentences saying how much was withheld and why (never what). */
  readonly withheldText: readonly string[];
  readonly warnings: readonly ExplanationWarning[];
}
