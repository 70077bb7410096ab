import {
  type AccessLog,
  type AccessQuery,
  type AccessRecord,
  type AccessSummary,
  accessRecordId,
  type Clock,
  type DecisionRecord,
  systemClock,
} from '@candor/core';
import {
  type AccessHistoryOptions,
  type AccessHistoryPage,
  buildAccessHistory,
  readAccessHistory,
} from './access-history';
import {
  canonicalJson,
  type ExplanationAudit,
  inputHash,
  type ReplayResult,
  recordingGate,
  replayGate,
  sha256Hex,
} from './audit';
import { type BriefOptions, type BriefPage, buildBrief, type StaffBriefInput } from './brief';
import { type CatalogOptions, type CompiledCatalog, loadCatalogs } from './catalog';
import { changesOf } from './change';
import { explainError, invalidInput, isPlainRecord } from './errors';
import { buildExplanation, type ExplainContext, type ExplainOptions } from './explain';
import { checkExplainOptions } from './explanation/check-input';
import { checkFactRegistry, createFactBook, type FactRegistry } from './facts';
import { checkLintOptions } from './lint';
import { type ExplainPolicy, resolvePolicy } from './policy';
import {
  buildTransparencyPage,
  type ParameterRegistry,
  type TransparencyPage,
} from './transparency';
import type { Explanation } from './types';

/**
 * Options for {@link createExplainer}: default locale, fact descriptions, catalogs and
 * overrides, catalog lint, policy, clock.
 *
 * @example
 * const options: ExplainerOptions = { locale: 'de', policy: { manageUrl: '/privacy' } };
 */
export interface ExplainerOptions extends CatalogOptions {
  /** The default and fallback locale. Default `en`. */
  readonly locale?: string;
  /**
   * What each fact is, in the customer's words, and how to show its values, by fact path:
   * `{ 'card.expiresAt': { label: { en: "your card's expiry date", de: 'das Ablaufdatum Ihrer
   * Karte' }, format: 'date' } }`. Facts without a description are named by their data
   * category. Checked and linted here, once.
   */
  readonly facts?: FactRegistry;
  /** Sensitive categories, evidence TTLs, where to change data. */
  readonly policy?: ExplainPolicy;
  /** Where "now" comes from (consent state and evidence age are judged at this instant). */
  readonly clock?: Clock;
  /**
   * Where each explanation is recorded as an access to the customer's data (outcome
   * `explained`: the data categories and fact paths it shows). Optional.
   */
  readonly accessLog?: AccessLog;
  /**
   * `true`: `explainWithAudit` waits for the access record and fails when it cannot be stored,
   * and `explain` (synchronous, it cannot wait) refuses to run. Default `false`: the record is
   * written in the background and a failure goes to `onAccessLogError`; the explanation is not
   * held up.
   */
  readonly strictAccessLog?: boolean;
  /** Told when an access record could not be stored. */
  readonly onAccessLogError?: (error: unknown) => void;
}

/**
 * An explanation together with its audit record.
 *
 * @example
 * const { explanation, audit } = await explainer.explainWithAudit(record, { consent: gate });
 */
export interface AuditedExplanation {
  readonly explanation: Explanation;
  readonly audit: ExplanationAudit;
}

/**
 * Turns decision records into honest, layered, localized explanations.
 *
 * @example
 * const explainer = createExplainer();
 * const explanation = explainer.explain(record, { consent: ledger, layer: 'standard', locale: 'en' });
 */
export interface Explainer {
  /** Locales with a catalog, including the pseudo-locale `en-XA`. */
  readonly locales: readonly string[];
  /** The default and fallback locale. */
  readonly defaultLocale: string;
  /** Explains `record` against the consent state now. Throws a typed error on bad input. */
  explain(record: DecisionRecord, options: ExplainOptions): Explanation;
  /** Like `explain`, plus a replayable audit record (hashed with SHA-256 via Web Crypto). */
  explainWithAudit(record: DecisionRecord, options: ExplainOptions): Promise<AuditedExplanation>;
  /** Re-creates an audited explanation from the decision record and the audit's consent answers. */
  replay(audit: ExplanationAudit, record: DecisionRecord): Promise<ReplayResult>;
  /**
   * A customer's access history (records from an `AccessLog`, or its `summarize` result),
   * grouped by day and purpose in words they understand. Render it with `renderAccessHistory`.
   */
  accessHistory(
    records: readonly AccessRecord[] | AccessSummary,
    options?: AccessHistoryOptions,
  ): AccessHistoryPage;
  /**
   * Reads a customer's access history from `log` (its `summarize` when offered, else `query`)
   * and builds the same page `accessHistory` would.
   */
  readAccessHistory(
    log: AccessLog,
    query: AccessQuery,
    options?: AccessHistoryOptions,
  ): Promise<AccessHistoryPage>;
  /**
   * A staff brief (from `@candor/memory`'s `brief()`, or anything shaped like it) in words:
   * open complaints and cases first, recently resolved problems, stated reasons, preferences and
   * notes, each saying where it comes from and when. Render it with `renderBrief`.
   */
  staffBrief(brief: StaffBriefInput, options?: BriefOptions): BriefPage;
  /** The DSA Art. 27 "main parameters and their relative importance" page for `registry`. */
  transparencyPage(
    registry: ParameterRegistry,
    options?: { readonly locale?: string },
  ): TransparencyPage;
}

/** Checks the type of each option; the values themselves are checked where they are used. */
function checkExplainerOptions(options: ExplainerOptions): void {
  const { locale, policy, clock, catalogs, messages, lint } = options;
  if (locale !== undefined && typeof locale !== 'string')
    invalidInput('locale', locale, 'must be a locale string such as "en"');
  if (policy !== undefined && !isPlainRecord(policy))
    invalidInput('policy', policy, 'must be an ExplainPolicy object');
  if (clock != null && typeof (clock as Partial<Clock>).now !== 'function')
    invalidInput('clock', clock, 'must be a Clock with now()');
  if (catalogs != null && !Array.isArray(catalogs))
    invalidInput('catalogs', catalogs, 'must be an array of message catalogs');
  if (messages != null && !isPlainRecord(messages))
    invalidInput('messages', messages, 'must be an object of overrides by locale');
  if (lint !== undefined && lint !== false) checkLintOptions(lint, 'lint');
  const { accessLog, onAccessLogError } = options;
  if (accessLog != null && typeof (accessLog as Partial<AccessLog>).append !== 'function')
    invalidInput('accessLog', accessLog, 'must be an AccessLog');
  if (onAccessLogError !== undefined && typeof onAccessLogError !== 'function')
    invalidInput('onAccessLogError', onAccessLogError, 'must be a function');
}

/** The access record of an explanation: the data it shows, or `null` when it shows none. */
function explanationAccess(explanation: Explanation, purpose: string): AccessRecord | null {
  if (explanation.dataUsed.length === 0) return null;
  return {
    id: accessRecordId(explanation.at),
    subject: explanation.subject,
    at: explanation.at,
    accessor: { kind: 'feature', id: 'explanation' },
    purpose,
    dataCategories: [...new Set(explanation.dataUsed.map((d) => d.category))],
    evidence: [...new Set(explanation.dataUsed.map((d) => d.path))],
    outcome: 'explained',
    decisionId: explanation.decisionId,
  };
}

/**
 * Creates an explainer. Catalogs are validated, linted and compiled here, once: a missing or
 * malformed message, an unknown placeholder or a lint finding throws now, never at render time.
 *
 * @example
 * const explainer = createExplainer({
 *   locale: 'en',
 *   messages: { en: { labels: { topics: { 'billing.card_expiry': 'your card expiring' } } } },
 *   policy: { manageUrl: 'https://example.com/privacy' },
 * });
 */
export function createExplainer(options: ExplainerOptions = {}): Explainer {
  if (!isPlainRecord(options as unknown))
    throw explainError('explain/invalid_input', 'options must be an object', {
      path: 'options',
      value: options,
    });
  checkExplainerOptions(options);
  const catalogs: Map<string, CompiledCatalog> = loadCatalogs(options);
  const defaultLocale = options.locale ?? 'en';
  if (!catalogs.has(defaultLocale))
    throw explainError(
      'explain/invalid_input',
      `locale: no catalog for "${defaultLocale}" (have ${[...catalogs.keys()].join(', ')})`,
      { path: 'locale', value: defaultLocale },
    );
  const policy = resolvePolicy(options.policy);
  const clock = options.clock ?? systemClock;
  const lint = options.lint ?? {};
  if (options.facts !== undefined) checkFactRegistry(options.facts, lint);
  const context: ExplainContext = {
    catalogs,
    defaultLocale,
    policy,
    facts: createFactBook(options.facts),
  };
  const strict = options.strictAccessLog === true;
  /** Records that the explanation read the customer's data (see `accessLog`). */
  const record = (explanation: Explanation, decision: DecisionRecord): Promise<void> => {
    const access = options.accessLog ? explanationAccess(explanation, decision.purpose) : null;
    if (access === null || options.accessLog === undefined) return Promise.resolve();
    const written = options.accessLog.append([access]);
    if (strict) return written;
    written.catch((error: unknown) => options.onAccessLogError?.(error));
    return Promise.resolve();
  };

  const audited = async (
    record: DecisionRecord,
    explainOptions: ExplainOptions,
    at: number,
    consent: ExplanationAudit['consent'] | null,
  ) => {
    checkExplainOptions(explainOptions);
    const recording = consent === null ? recordingGate(explainOptions.consent) : null;
    const gate = recording ? recording.gate : replayGate(consent!);
    const explanation = buildExplanation(context, record, { ...explainOptions, consent: gate }, at);
    const consulted = recording ? recording.consulted : consent!;
    // The decision's own change records (checked by the build), when it says what was changed.
    const changes =
      explanation.change === null ? [] : changesOf(record, explainOptions.changes ?? []);
    const audit: ExplanationAudit = {
      version: 1,
      explanationId: explanation.id,
      decisionId: explanation.decisionId,
      subject: explanation.subject,
      at,
      layer: explanation.layer,
      locale: explanation.locale,
      requestedLocale: explanation.requestedLocale,
      template: explanation.template,
      algorithm: 'SHA-256',
      inputHash: inputHash(
        record,
        consulted,
        at,
        explanation.layer,
        explanation.requestedLocale,
        policy.source,
        changes,
        explainOptions.timeZone,
      ),
      outputHash: sha256Hex(canonicalJson(explanation)),
      consent: consulted,
      ...(changes.length > 0 ? { changes } : {}),
      ...(explainOptions.timeZone === undefined ? {} : { timeZone: explainOptions.timeZone }),
    };
    return { explanation, audit };
  };

  return {
    locales: Object.freeze([...catalogs.keys()]),
    defaultLocale,
    explain(decision, explainOptions) {
      if (strict && options.accessLog !== undefined)
        throw explainError(
          'explain/invalid_input',
          'strictAccessLog: explain() cannot wait for the access record; use explainWithAudit()',
          { path: 'strictAccessLog', value: true },
        );
      const explanation = buildExplanation(context, decision, explainOptions, clock.now());
      void record(explanation, decision);
      return explanation;
    },
    accessHistory: (records, historyOptions) =>
      buildAccessHistory(catalogs, defaultLocale, records, historyOptions),
    readAccessHistory: (log, query, historyOptions) =>
      readAccessHistory(catalogs, defaultLocale, log, query, historyOptions),
    staffBrief: (brief, briefOptions = {}) =>
      buildBrief(catalogs, defaultLocale, brief, briefOptions, clock.now()),
    async explainWithAudit(decision, explainOptions) {
      const result = await audited(decision, explainOptions, clock.now(), null);
      await record(result.explanation, decision);
      return result;
    },
    async replay(audit, record) {
      if (
        typeof audit !== 'object' ||
        audit === null ||
        audit.version !== 1 ||
        !Array.isArray(audit.consent) ||
        !isPlainRecord(audit.template)
      )
        throw explainError(
          'explain/invalid_input',
          'audit must be an ExplanationAudit (version 1)',
          {
            path: 'audit',
            value: audit,
          },
        );
      audit.consent.forEach((c, i) => {
        if (!isPlainRecord(c) || typeof c.purpose !== 'string' || !Array.isArray(c.dataCategories))
          invalidInput(`audit.consent[${i}]`, c, 'must be { purpose, dataCategories, verdict }');
      });
      const again = await audited(
        record,
        {
          consent: replayGate(audit.consent),
          layer: audit.layer,
          locale: audit.requestedLocale,
          ...(audit.changes === undefined ? {} : { changes: audit.changes }),
          ...(audit.timeZone === undefined ? {} : { timeZone: audit.timeZone }),
        },
        audit.at,
        audit.consent,
      );
      const inputMatches = again.audit.inputHash === audit.inputHash;
      const templateMatches =
        again.audit.template.id === audit.template.id &&
        again.audit.template.version === audit.template.version;
      const outputMatches = again.audit.outputHash === audit.outputHash;
      return {
        matches: inputMatches && templateMatches && outputMatches,
        inputMatches,
        templateMatches,
        outputMatches,
        explanation: again.explanation,
      };
    },
    transparencyPage(registry, pageOptions = {}) {
      if (!isPlainRecord(pageOptions as unknown))
        invalidInput('options', pageOptions, 'must be an object such as { locale }');
      if (pageOptions.locale !== undefined && typeof pageOptions.locale !== 'string')
        invalidInput('options.locale', pageOptions.locale, 'must be a locale such as "de"');
      return buildTransparencyPage(
        catalogs,
        defaultLocale,
        lint,
        registry,
        pageOptions.locale ?? defaultLocale,
      );
    },
  };
}
