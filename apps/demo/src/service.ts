import type { Instant, SuppressionScope } from '@candor/core';
import type {
  AccessHistoryPage,
  BriefPage,
  Explanation,
  ExplanationLayer,
  TransparencyPage,
} from '@candor/explain';
import type { ControlEfficacy, ExplicitFeedbackKind } from '@candor/feedback';
import type { PrivacyApiOptions } from '@candor/http';
import type { CorrectionView, DataHeldView, OpenOutcome } from './corrections';
import type { MemoryItemView, MemoryPageView } from './memory';
import type { DemoPurpose } from './purposes';

export type { MemoryItemView, MemoryPageView };

/**
 * The contract between the pages and the Candor composition (`world.ts`). Pages only render these
 * shapes; every value comes from the real packages and the store.
 */

export type Jurisdiction = 'EU' | 'US-CA' | 'US';

export interface CustomerView {
  readonly id: string;
  readonly name: string;
  readonly jurisdiction: Jurisdiction;
  /** The browser signal Global Privacy Control, as this customer's browser sends it. */
  readonly gpc: boolean;
  readonly story: string;
}

export interface PurposeView {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly noticeVersion: string | null;
  readonly basis: string | null;
  readonly status: string;
  readonly allowed: boolean;
  /** Whether the customer can grant or withdraw it here (false for legal obligations, …). */
  readonly controllable: boolean;
  readonly dataCategories: readonly string[];
  /** What the customer gets for it, in plain words (`null`: the purpose declares nothing). */
  readonly benefit: string | null;
  /** Data categories of the purpose the customer turned off on their own (the rest stands). */
  readonly turnedOff: readonly string[];
  /** Plain-language lines explaining the current status (e.g. "Your browser sends GPC"). */
  readonly reasons: readonly string[];
}

export interface HistoryEntry {
  readonly at: Instant;
  readonly purpose: string;
  readonly action: string;
  readonly source: string;
  readonly noticeVersion: string | null;
  readonly hash: string | null;
}

/** A change made for the customer before the message told them, and where it stands now. */
export interface MessageChangeView {
  readonly status: 'undoable' | 'undone' | 'expired';
  /** What the booking was before the change, and what the change made it. */
  readonly from: string;
  readonly to: string;
  readonly undoUntil: Instant;
  /** When the customer undid it (`undone`). */
  readonly undoneAt: Instant | null;
}

/** A technician visit: the times on offer and the one booked, if any. */
export interface TechnicianView {
  readonly appliance: string;
  readonly slots: readonly Instant[];
  readonly booked: Instant | null;
}

export interface MessageView {
  readonly id: string;
  readonly at: Instant;
  readonly ruleId: string;
  readonly topic: string;
  readonly channel: string;
  readonly title: string;
  readonly body: string;
  readonly feedback: readonly string[];
  /** Choices the customer can make on the message (one button each), until they chose one. */
  readonly choices: readonly { readonly id: string; readonly label: string }[];
  /** What they chose, in words, and when (`null`: nothing yet). */
  readonly chosen: { readonly text: string; readonly at: Instant } | null;
  /** A page of the customer's the message links to (a technician booking), if any. */
  readonly link: { readonly text: string; readonly href: string } | null;
  /** What the rule changed for the customer first, if it did (`null`: nothing was changed). */
  readonly change: MessageChangeView | null;
}

/** A message and its explanation, straight from `@candor/explain`. */
export interface ExplanationView {
  readonly message: MessageView;
  readonly explanation: Explanation;
}

export interface SuppressionView {
  readonly scope: string;
  readonly target: string;
  readonly detail: string;
  readonly since: Instant;
  readonly until: Instant | null;
}

export interface RuleView {
  readonly id: string;
  readonly title: string;
  readonly trigger: string;
  readonly purpose: string;
  readonly dataCategories: readonly string[];
  readonly topic: string;
  readonly channel: string;
  readonly health: {
    readonly delivered: number;
    readonly helpfulRate: number | null;
    readonly intrusiveRate: number | null;
    /**
     * `paused`: held for everyone (guardrail or operator); `flagged`: the guardrail tripped on a
     * critical rule, whose messages are still sent (a fraud alert is never silenced by feedback).
     */
    readonly status: 'active' | 'paused' | 'flagged';
    readonly pausedReason: string | null;
  };
}

export interface LedgerStatusView {
  readonly ok: boolean;
  readonly subjects: number;
  readonly entries: number;
  readonly problems: readonly string[];
}

export interface OutcomeView {
  readonly at: Instant;
  readonly subject: string;
  readonly event: string;
  readonly ruleId: string;
  readonly fired: boolean;
  readonly reason: string;
}

export interface MetricPoint {
  readonly at: Instant;
  readonly values: Readonly<Record<string, number>>;
}

/** The DSA Art. 27 page, from `@candor/explain`. */
export type DsaParameterView = TransparencyPage;

export interface MetricsView {
  readonly points: readonly MetricPoint[];
  readonly efficacy: ControlEfficacy;
  readonly corrections: readonly {
    readonly at: Instant;
    readonly subject: string;
    readonly ruleId: string;
    readonly note: string;
  }[];
}

/** What a customer can say about a message (feedback's explicit kinds). */
export type FeedbackSignal = ExplicitFeedbackKind;

export interface EventInput {
  readonly subject: string;
  readonly type: string;
}

export interface EventTemplate {
  readonly type: string;
  readonly label: string;
  readonly story: string;
}

/**
 * What a customer's control or feedback on a message did. Not `ok` when the message is not this
 * customer's (or does not exist), or the control is not one its explanation offers: then nothing
 * was written.
 */
export type MessageActionResult =
  | { readonly ok: true; readonly applied: string }
  | { readonly ok: false; readonly missing: 'message' | 'control' };

/**
 * Why an undo changed nothing: its window ended (the change stands), it was already undone, or an
 * undo of it is under way.
 */
export type UndoRefusal = 'too_late' | 'already_undone' | 'undo_in_progress';

/** What the pages need from the composition. Mutations resolve once durably stored. */
export interface DemoService {
  now(): Instant;
  customers(): readonly CustomerView[];
  customer(id: string): CustomerView | undefined;
  /** Records a `Sec-GPC: 1` signal the visitor's browser sent (once; true when recorded now). */
  honorGpc(subject: string): Promise<boolean>;
  // customer side
  preferences(subject: string): readonly PurposeView[];
  /**
   * Records the customer's choice, about the whole purpose or only `category` of it; false
   * (nothing written) when the purpose is not the demo's or does not use the category.
   */
  setConsent(
    subject: string,
    purpose: string,
    action: 'grant' | 'withdraw' | 'object',
    category?: string,
  ): Promise<boolean>;
  receipt(subject: string): Promise<unknown>;
  history(subject: string): Promise<readonly HistoryEntry[]>;
  /** "When we used your data": the last 90 days of recorded uses, in words (`@candor/explain`). */
  dataUse(subject: string): Promise<AccessHistoryPage>;
  /** Everything held about the customer's consent and every recorded use of their data, as JSON. */
  exportData(subject: string): Promise<unknown>;
  inbox(subject: string): readonly MessageView[];
  explain(
    subject: string,
    messageId: string,
    layer?: ExplanationLayer,
  ): ExplanationView | undefined;
  /** Applies a control a message's explanation offers; an undo the engine refused says why. */
  applyControl(
    subject: string,
    messageId: string,
    controlId: string,
  ): Promise<MessageActionResult | { readonly ok: false; readonly refused: UndoRefusal }>;
  /**
   * Undoes the change a message's rule made for the customer; `refused` says why nothing changed
   * (see {@link UndoRefusal}); not `ok` with `missing` when the message is not theirs or changed
   * nothing.
   */
  undoChange(
    subject: string,
    messageId: string,
  ): Promise<MessageActionResult | { readonly ok: false; readonly refused: UndoRefusal }>;
  /** Records the customer's choice on a message; false when the message offers no such choice. */
  choose(subject: string, messageId: string, choice: string): Promise<boolean>;
  /** The flight the customer is booked on now (a storm rebooking may have moved them). */
  booking(subject: string): string;
  /** The technician visits the customer can book for their washing machine, and the one booked. */
  technician(subject: string): TechnicianView;
  /** Books a visit at one of the offered times; false (nothing written) for any other time. */
  bookTechnician(subject: string, at: Instant): Promise<boolean>;
  feedback(
    subject: string,
    messageId: string,
    signal: FeedbackSignal,
  ): Promise<MessageActionResult>;
  /** What the customer asked us not to send: one row per scope and target, the longest-lasting. */
  suppressions(subject: string): readonly SuppressionView[];
  /**
   * The customer lifts their own mute of one scope and target, as listed (`feedback.lift`, a
   * recorded `lifted` feedback event); false, and nothing written, when no such mute of theirs
   * is active.
   */
  unmute(subject: string, scope: SuppressionScope, target: string): Promise<boolean>;
  // operator side
  rules(): readonly RuleView[];
  /** Lifts an automatic (guardrail) or manual pause of a rule. */
  resumeRule(ruleId: string): Promise<boolean>;
  metrics(): MetricsView;
  verifyLedger(): Promise<LedgerStatusView>;
  dsa(): DsaParameterView;
  eventTemplates(): readonly EventTemplate[];
  sendEvent(input: EventInput): Promise<readonly OutcomeView[]>;
  advanceClock(ms: number): Promise<Instant>;
  outcomes(): readonly OutcomeView[];
  /** The data held about customers and their corrections (`@candor/feedback`). */
  readonly corrections: {
    page(subject: string): Promise<DataHeldView>;
    /** Opens a correction of one held fact to the value the customer typed or chose. */
    open(subject: string, ref: string, typed: string, note?: string): Promise<OpenOutcome>;
    /** Every customer's corrections, for the operator. */
    queue(): Promise<readonly CorrectionView[]>;
    /** Accepts or rejects one; false when it does not exist or was decided the other way. */
    decide(
      subject: string,
      id: string,
      action: 'accept' | 'reject',
      reason: string | undefined,
    ): Promise<boolean>;
  };
  /** What we remember about customers (`@candor/memory`); false: not this customer's. */
  readonly memory: {
    page(subject: string): Promise<MemoryPageView>;
    /** The reason a customer gives at checkout for `item`. */
    sayWhy(subject: string, item: string, reason: string): Promise<void>;
    correct(subject: string, memoryId: string, text: string): Promise<boolean>;
    erase(subject: string, memoryId: string): Promise<boolean>;
    /** The staff brief, in words (`@candor/explain`). */
    brief(subject: string): Promise<BriefPage>;
    openComplaints(subject: string): Promise<readonly MemoryItemView[]>;
    recordComplaint(subject: string, summary: string): Promise<void>;
    resolveComplaint(subject: string, memoryId: string, resolution: string): Promise<boolean>;
  };
  /**
   * The ports the privacy-centre API (`@candor/http`, mounted by `privacy-api.ts`) is built over:
   * the same consent manager, feedback loop, explainer and access log the pages use.
   */
  readonly privacy: Omit<PrivacyApiOptions<DemoPurpose>, 'authenticate' | 'basePath'>;
  close(): Promise<void>;
}
