import type { ChangeRecord, ConsentGate, DecisionRecord, Instant } from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { checkChanges } from './change';
import {
  checkExplainOptions,
  checkExplainTimeZone,
  checkLayer,
  checkRecord,
} from './explanation/check-input';
import { buildControls } from './explanation/controls';
import { describeDataUsed } from './explanation/data-used';
import { explainReasons } from './explanation/reasons';
import { mechanismOf, purposeVerdictOf, screenEvidence } from './explanation/screen';
import { createSpeaker } from './explanation/speaker';
import { summarize } from './explanation/summary';
import { withheldText } from './explanation/withheld';
import type { FactBook } from './facts';
import { resolveLocale } from './locale';
import type { ResolvedPolicy } from './policy';
import type { Explanation, ExplanationLayer, ExplanationWarning } from './types';

/**
 * Per-call options: the consent gate for the state *now*, the layer, and the locale.
 *
 * @example
 * explainer.explain(record, { consent: ledger, layer: 'short', locale: 'de-AT' });
 */
export interface ExplainOptions {
  /** The consent gate at explanation time; data it does not allow now is never named. */
  readonly consent: ConsentGate;
  /** Default `standard`. */
  readonly layer?: ExplanationLayer;
  /** BCP 47; unknown locales fall back to the explainer's locale and say so in `warnings`. */
  readonly locale?: string;
  /**
   * The customer's change records (`@candor/rules`' `engine.changes(subject)`): when the decision
   * changed something for them before telling them, the explanation says what, under which
   * permission, and until when they can undo it, with an `undo_change` control while they can.
   */
  readonly changes?: readonly ChangeRecord[];
  /**
   * The customer's IANA time zone (default `UTC`): when the decision was made, when data was
   * observed and when a change can be undone are written in it. Values of facts (a card's expiry
   * date) are written as they are.
   */
  readonly timeZone?: string;
}

/**
 * What `buildExplanation` needs from the explainer.
 *
 * @example
 * const context: ExplainContext = { catalogs: loadCatalogs(), defaultLocale: 'en', policy: resolvePolicy() };
 */
export interface ExplainContext {
  readonly catalogs: ReadonlyMap<string, CompiledCatalog>;
  readonly defaultLocale: string;
  readonly policy: ResolvedPolicy;
  /** The explainer's fact descriptions (labels and formats by fact path). */
  readonly facts: FactBook;
}

/**
 * Builds an explanation of `record` at instant `at`. The explainer's `explain` calls this with
 * its clock; replays call it with the audited instant.
 *
 * Steps, in order (the order of `warnings` follows them): check the input, pick the catalog,
 * screen the evidence (TTL, consent now, sensitive categories), ask consent about the purpose,
 * build the controls, phrase the reasons, then the summary, the data used, what was withheld and
 * (detailed layer) the decision's source.
 *
 * @example
 * buildExplanation(context, record, { consent: gate }, clock.now());
 */
export function buildExplanation(
  context: ExplainContext,
  record: DecisionRecord,
  options: ExplainOptions,
  at: Instant,
): Explanation {
  checkExplainOptions(options);
  const layer = checkLayer(options.layer);
  const facts = checkRecord(record);
  const changes = checkChanges(options.changes);
  const timeZone = checkExplainTimeZone(options.timeZone);
  const requestedLocale = options.locale ?? context.defaultLocale;
  const { catalog, fellBack } = resolveLocale(
    context.catalogs,
    requestedLocale,
    context.defaultLocale,
  );
  const policy = context.policy;
  const warnings: ExplanationWarning[] = [];
  if (fellBack)
    warnings.push({ code: 'locale_fallback', requested: requestedLocale, used: catalog.locale });
  const speaker = createSpeaker(context.facts, catalog, warnings, timeZone);
  const { label } = speaker;

  const screened = screenEvidence(record, options.consent, policy, at, warnings);
  const { visible } = screened;
  const purposeVerdict = purposeVerdictOf(record, options.consent, visible, at);
  const allowedNow = purposeVerdict?.allowed === true;
  const basis = purposeVerdict?.basis ?? null;
  const mechanism = mechanismOf(purposeVerdict);

  const purposeLabel = label('purposes', record.purpose);
  const topicLabel = label('topics', record.action.topic);
  const channelLabel = label('channels', record.action.channel);

  const built = buildControls({
    record,
    changes,
    at,
    speaker,
    screened,
    policy,
    purposeLabel,
    topicLabel,
    mechanism,
  });
  const { controls, change, critical } = built;
  const explained = explainReasons({
    record,
    facts,
    layer,
    speaker,
    screened,
    controls: built,
    channelLabel,
  });
  const { reasons, withheld } = explained;
  const { summary, counterfactual, dataList, contextual } = summarize({
    record,
    layer,
    speaker,
    visible,
    explained,
    purposeLabel,
    topicLabel,
    channelLabel,
  });

  // "You share X, you get Y": the purpose's benefit, when the catalog names one.
  const benefit = allowedNow && !contextual ? catalog.label('benefits', record.purpose) : null;

  const detailed = layer === 'detailed';
  const dataUsed = describeDataUsed(visible, screened.stale, speaker, policy, detailed);
  const withheldLines = withheldText(withheld, catalog);

  let decisionText: string | null = null;
  if (detailed) {
    decisionText = catalog.format('decision.source', {
      kind: record.source.kind,
      id: record.source.id,
      name: label('rules', record.source.id),
      version: String(record.source.version),
      decidedAt: speaker.instants.date.format(record.at),
    });
    const notice = purposeVerdict?.noticeVersion;
    if (typeof notice === 'string' && notice !== '')
      decisionText += ` ${catalog.format('decision.notice', { notice })}`;
  }

  return {
    id: `${record.id}/${layer}/${catalog.locale}`,
    decisionId: record.id,
    subject: record.subject,
    at,
    layer,
    locale: catalog.locale,
    requestedLocale,
    template: { id: `candor.explain/${layer}`, version: catalog.version },
    headings: {
      title: catalog.format('heading.title'),
      reasons: catalog.format('heading.reasons'),
      data: catalog.format('heading.data'),
      purpose: catalog.format('heading.purpose'),
      controls: catalog.format('heading.controls'),
      withheld: catalog.format('heading.withheld'),
    },
    summary,
    reasons,
    dataUsed,
    purpose: {
      id: record.purpose,
      label: purposeLabel,
      basis,
      allowedNow,
      benefit,
      text: contextual
        ? catalog.format('purpose.contextual', { purpose: purposeLabel })
        : catalog.format('purpose.line', {
            purpose: purposeLabel,
            basis: basis ?? 'none',
            allowedNow: allowedNow ? 'yes' : 'no',
          }) +
          (benefit === null || visible.length === 0
            ? ''
            : ` ${catalog.format('purpose.exchange', { dataList, benefit })}`),
    },
    decision: {
      kind: record.source.kind,
      id: record.source.id,
      version: record.source.version,
      at: record.at,
      text: decisionText,
    },
    controls,
    change: change?.statement ?? null,
    controlsNote: critical ? catalog.format('control.criticalNote') : null,
    counterfactual,
    withheld,
    withheldText: withheldLines,
    warnings,
  };
}
