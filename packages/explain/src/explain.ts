import type {
  ChangeRecord,
  ConsentGate,
  ConsentQuery,
  ConsentVerdict,
  DataCategoryId,
  DecisionRecord,
  Fact,
  Instant,
} from '@candor/core';
import { isContextCategory } from '@candor/core';
import type { CompiledCatalog } from './catalog';
import { checkChanges, explainChange } from './change';
import { type FactSpeaker, phraseCondition, refPath } from './conditions';
import { explainError } from './errors';
import { type FactBook, parseWindowPath, type ResolvedFact } from './facts';
import { operatorKey, sentenceStart } from './phrase';
import type { ResolvedPolicy } from './policy';
import type {
  Clause,
  DataUse,
  ExplainedReason,
  Explanation,
  ExplanationControl,
  ExplanationLayer,
  ExplanationWarning,
  LabelKind,
  WithheldItem,
  WithheldReason,
} from './types';
import { formatDuration, formatValue } from './values';

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

const layers: readonly ExplanationLayer[] = ['short', 'standard', 'detailed'];
/**
 * Finds the catalog for `requested`: exact match, then its language (`de-AT` → `de`), else the
 * default locale (reported as a fallback).
 *
 * @example
 * resolveLocale(catalogs, 'de-AT', 'en').catalog.locale; // 'de'
 */
export function resolveLocale(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  requested: string,
  fallback: string,
): { catalog: CompiledCatalog; fellBack: boolean } {
  const hit = catalogs.get(requested);
  if (hit) return { catalog: hit, fellBack: false };
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(requested)[0];
  } catch {
    canonical = undefined;
  }
  if (canonical !== undefined) {
    const exact = catalogs.get(canonical);
    if (exact) return { catalog: exact, fellBack: false };
    const language = catalogs.get(canonical.split('-')[0]!);
    if (language) return { catalog: language, fellBack: false };
  }
  return { catalog: catalogs.get(fallback)!, fellBack: true };
}

/** Joins labels with Intl.ListFormat ("a, b and c"); one item needs no formatter. */
function joinList(catalog: CompiledCatalog, items: readonly string[]): string {
  if (items.length === 1) return items[0]!;
  let cache = listCache.get(catalog);
  if (!cache) {
    cache = new Map();
    listCache.set(catalog, cache);
  }
  const key = items.join('\u0001');
  let text = cache.get(key);
  if (text === undefined) {
    text = catalog.list.format(items);
    if (cache.size >= 2_000) cache.clear();
    cache.set(key, text);
  }
  return text;
}

const listCache = /* @__PURE__ */ new WeakMap<CompiledCatalog, Map<string, string>>();

/** The distinct categories of `facts`, in order (plain loops: these lists are short and hot). */
function categoriesOf(facts: readonly Fact[]): DataCategoryId[] {
  const out: DataCategoryId[] = [];
  for (const fact of facts) if (!out.includes(fact.category)) out.push(fact.category);
  return out;
}

function idsOfCategory(facts: readonly Fact[], category: DataCategoryId): string[] {
  const out: string[] = [];
  for (const fact of facts) if (fact.category === category) out.push(fact.id);
  return out;
}

function humanize(id: string): string {
  return words(id.slice(id.lastIndexOf('.') + 1));
}

const wordsCache = /* @__PURE__ */ new Map<string, string>();

/** A whole id in words (`storm-rebooking` → `storm rebooking`), for names nobody labelled. */
function words(id: string): string {
  let text = wordsCache.get(id);
  if (text === undefined) {
    text = id
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
      .replace(/[._-]+/g, ' ')
      .trim()
      .toLowerCase();
    if (text === '') text = id;
    if (wordsCache.size >= 1_000) wordsCache.clear();
    wordsCache.set(id, text);
  }
  return text;
}

function invalid(path: string, value: unknown, why: string): never {
  throw explainError('explain/invalid_input', `${path}: ${why}`, { path, value });
}

/**
 * Throws `explain/invalid_input` (path `options.consent`) unless `options` carries a consent gate.
 *
 * @example
 * checkExplainOptions({ consent: ledger });
 */
export function checkExplainOptions(options: ExplainOptions): void {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.consent?.decide !== 'function'
  )
    invalid('options.consent', options?.consent, 'must be a ConsentGate with decide()');
}

function checkRecord(record: DecisionRecord): Map<string, Fact> {
  if (typeof record !== 'object' || record === null)
    invalid('decision', record, 'must be a DecisionRecord');
  if (typeof record.id !== 'string' || record.id === '')
    invalid('decision.id', record.id, 'must be a non-empty string');
  if (typeof record.subject !== 'string' || record.subject === '')
    invalid('decision.subject', record.subject, 'must be a non-empty string');
  if (typeof record.purpose !== 'string')
    invalid('decision.purpose', record.purpose, 'must be a purpose id');
  if (typeof record.action !== 'object' || record.action === null)
    invalid('decision.action', record.action, 'must be an action');
  if (typeof record.action.topic !== 'string' || typeof record.action.channel !== 'string')
    invalid('decision.action', record.action, 'must have a string topic and channel');
  if (record.action.critical !== undefined && typeof record.action.critical !== 'boolean')
    invalid('decision.action.critical', record.action.critical, 'must be a boolean if present');
  if (
    typeof record.source !== 'object' ||
    record.source === null ||
    typeof record.source.id !== 'string'
  )
    invalid('decision.source', record.source, 'must be a decision source');
  if (!Array.isArray(record.evidence))
    invalid('decision.evidence', record.evidence, 'must be an array');
  if (!Array.isArray(record.reasons) || record.reasons.length === 0)
    invalid('decision.reasons', record.reasons, 'a decision needs at least one reason');
  const facts = new Map<string, Fact>();
  record.evidence.forEach((fact, index) => {
    if (typeof fact !== 'object' || fact === null || typeof fact.id !== 'string')
      invalid(`decision.evidence[${index}]`, fact, 'must be a fact');
    if (facts.has(fact.id))
      invalid(`decision.evidence[${index}].id`, fact.id, `duplicate fact id "${fact.id}"`);
    if (typeof fact.category !== 'string')
      invalid(`decision.evidence[${index}].category`, fact.category, 'must be a data category id');
    if (
      typeof fact.provenance !== 'object' ||
      fact.provenance === null ||
      !Number.isFinite(fact.provenance.observedAt)
    )
      invalid(`decision.evidence[${index}].provenance`, fact.provenance, 'must be a provenance');
    facts.set(fact.id, fact);
  });
  record.reasons.forEach((reason, r) => {
    if (!Array.isArray(reason?.evidence) || reason.evidence.length === 0)
      throw explainError(
        'explain/clause_without_evidence',
        `decision.reasons[${r}]: reason "${reason?.id}" cites no evidence, so nothing may be said about it`,
        { path: `decision.reasons[${r}].evidence`, value: reason?.evidence },
      );
    reason.evidence.forEach((factId: string, e: number) => {
      if (!facts.has(factId))
        throw explainError(
          'explain/unresolved_evidence',
          `decision.reasons[${r}].evidence[${e}]: reason "${reason.id}" cites fact "${factId}", which is not in evidence`,
          { path: `decision.reasons[${r}].evidence[${e}]`, value: factId },
        );
    });
  });
  return facts;
}

function decide(gate: ConsentGate, query: ConsentQuery): ConsentVerdict | null {
  const verdict = gate.decide(query);
  return typeof verdict === 'object' && verdict !== null ? verdict : null;
}

/**
 * Builds an explanation of `record` at instant `at`. The explainer's `explain` calls this with
 * its clock; replays call it with the audited instant.
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
  const layer = options.layer ?? 'standard';
  if (!layers.includes(layer))
    invalid('options.layer', layer, "must be 'short', 'standard' or 'detailed'");
  const facts = checkRecord(record);
  const changes = checkChanges(options.changes);
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

  const missing = new Set<string>();
  const label = (kind: LabelKind, id: string): string => {
    const found = catalog.label(kind, id);
    if (found !== null) return found;
    if (kind === 'sources') return words(id);
    if (!missing.has(`${kind}:${id}`)) {
      missing.add(`${kind}:${id}`);
      warnings.push({ code: 'missing_label', kind, id });
    }
    if (kind === 'rules' || kind === 'events') return words(id);
    if (kind === 'changes') return catalog.format('change.fallback', { name: words(id) });
    return catalog.format('label.fallback', { name: humanize(id) });
  };

  // Honesty guards: TTL, consent now, sensitive categories.
  // The verdict now for each category the decision used: a customer may have granted only some.
  const verdictByCategory = new Map<DataCategoryId, ConsentVerdict | null>();
  const hidden = new Map<string, WithheldReason>();
  const stale = new Map<string, boolean>();
  record.evidence.forEach((fact, index) => {
    const ttl = policy.ttl(fact.category);
    const age = at - fact.provenance.observedAt;
    const isStale = ttl !== null && age > ttl.maxAgeMs;
    if (isStale && ttl.action === 'block')
      throw explainError(
        'explain/stale_evidence',
        `decision.evidence[${index}]: fact "${fact.id}" is ${Math.round(age / 3_600_000)} h old, older than its TTL of ${Math.round(ttl.maxAgeMs / 3_600_000)} h`,
        { path: `decision.evidence[${index}]`, value: fact.id, ageMs: age, maxAgeMs: ttl.maxAgeMs },
      );
    stale.set(fact.id, isStale);
    let verdict = verdictByCategory.get(fact.category);
    if (verdict === undefined) {
      verdict = decide(options.consent, {
        subject: record.subject,
        purpose: record.purpose,
        dataCategories: [fact.category],
        at,
      });
      verdictByCategory.set(fact.category, verdict);
    }
    if (verdict?.allowed !== true) hidden.set(fact.id, 'consent_not_allowed');
    else if (!policy.mayName(fact.category)) hidden.set(fact.id, 'sensitive_category');
    else if (isStale)
      warnings.push({
        code: 'stale_evidence',
        factId: fact.id,
        ageMs: age,
        maxAgeMs: ttl.maxAgeMs,
      });
  });
  const visible = record.evidence.filter((fact) => !hidden.has(fact.id));

  // The purpose as a whole, else (a customer who granted only some of its categories) the
  // purpose for the categories shown, which are all allowed now.
  let purposeVerdict = decide(options.consent, {
    subject: record.subject,
    purpose: record.purpose,
    dataCategories: [],
    at,
  });
  if (purposeVerdict?.allowed !== true && visible.length > 0)
    purposeVerdict = decide(options.consent, {
      subject: record.subject,
      purpose: record.purpose,
      dataCategories: categoriesOf(visible),
      at,
    });
  const allowedNow = purposeVerdict?.allowed === true;
  const basis = purposeVerdict?.basis ?? null;
  const mechanism = mechanismOf(purposeVerdict);

  const purposeLabel = label('purposes', record.purpose);
  const topicLabel = label('topics', record.action.topic);
  const channelLabel = label('channels', record.action.channel);
  const categoryLabels = new Map<DataCategoryId, string>();
  const categoryLabel = (category: DataCategoryId) => {
    let text = categoryLabels.get(category);
    if (text === undefined) {
      text = label('categories', category);
      categoryLabels.set(category, text);
    }
    return text;
  };
  // How facts are named and shown: their description in the registry, else their category.
  const describe = (fact: Fact): ResolvedFact | null => {
    const found = context.facts.resolve(fact.path, catalog);
    if ((found === null || found.label === null) && !missing.has(`facts:${fact.path}`)) {
      missing.add(`facts:${fact.path}`);
      warnings.push({ code: 'missing_label', kind: 'facts', id: fact.path });
    }
    return found;
  };
  const windowName = (fact: Fact, data: string): string | null => {
    const window = parseWindowPath(fact.path);
    return window === null
      ? null
      : catalog.format('fact.window', {
          agg: window.agg,
          data,
          within: formatDuration(window.withinMs, catalog),
        });
  };
  const name = (fact: Fact): string => {
    const own = describe(fact)?.label;
    if (own) return own;
    const category = categoryLabel(fact.category);
    return windowName(fact, category) ?? category;
  };
  const subject = (fact: Fact): string => {
    const own = describe(fact)?.label;
    if (own) return own;
    const category = categoryLabel(fact.category);
    return windowName(fact, category) ?? catalog.format('fact.fallback', { data: category });
  };
  const values = new Map<string, string>();
  const shownValue = (fact: Fact) => {
    let text = values.get(fact.id);
    if (text === undefined) {
      const own = describe(fact);
      text = own ? own.format(fact.value) : formatValue(fact.value, catalog);
      values.set(fact.id, text);
    }
    return text;
  };
  const speaker: FactSpeaker = { catalog, describe, subject, name };

  // Controls.
  const subjectId = record.subject;
  const decisionId = record.id;
  const controls: ExplanationControl[] = [];
  const change = explainChange(record, changes, at, catalog, label);
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

  // Reasons and clauses.
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

  // "You share X, you get Y": the purpose's benefit, when the catalog names one.
  const benefit = allowedNow && !contextual ? catalog.label('benefits', record.purpose) : null;

  const detailed = layer === 'detailed';
  const changeText = catalog.format('data.change');
  const dataUsed: DataUse[] = visible.map((fact) => {
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
        observedAt: catalog.date.format(fact.provenance.observedAt),
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

  const withheldText: string[] = [];
  const count = (why: WithheldReason, kind: 'fact' | 'reason') =>
    withheld.filter((w) => w.kind === kind && w.reason === why).length;
  const consentCount = count('consent_not_allowed', 'fact');
  const sensitiveCount = count('sensitive_category', 'fact');
  const reasonCount = count('evidence_withheld', 'reason');
  if (consentCount > 0)
    withheldText.push(catalog.format('withheld.consent', { count: consentCount }));
  if (sensitiveCount > 0)
    withheldText.push(catalog.format('withheld.sensitive', { count: sensitiveCount }));
  if (reasonCount > 0)
    withheldText.push(catalog.format('withheld.reasons', { count: reasonCount }));

  let decisionText: string | null = null;
  if (detailed) {
    decisionText = catalog.format('decision.source', {
      kind: record.source.kind,
      id: record.source.id,
      name: label('rules', record.source.id),
      version: String(record.source.version),
      decidedAt: catalog.date.format(record.at),
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
    withheldText,
    warnings,
  };
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

/** Whether the decision used context categories only (`@candor/core`'s `context.*`). */
function restsOnContextOnly(record: DecisionRecord): boolean {
  for (const fact of record.evidence) if (!isContextCategory(fact.category)) return false;
  const declared = record.dataCategories;
  if (Array.isArray(declared)) for (const c of declared) if (!isContextCategory(c)) return false;
  return true;
}

/** How a customer stops an allowed use: withdraw a consent, object to a legitimate interest. */
function mechanismOf(verdict: ConsentVerdict | null): 'withdraw' | 'object' | null {
  if (verdict?.allowed !== true) return null;
  return verdict.basis === 'consent'
    ? 'withdraw'
    : verdict.basis === 'legitimate_interest'
      ? 'object'
      : null;
}

function withheldReasons(withheld: readonly WithheldItem[]): number {
  let count = 0;
  for (const item of withheld) if (item.kind === 'reason') count++;
  return count;
}

/** The distinct names of `facts`, in order. */
function distinctNames(facts: readonly Fact[], name: (fact: Fact) => string): string[] {
  const out: string[] = [];
  for (const fact of facts) {
    const text = name(fact);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}
