export type {
  AccessHistoryLine,
  AccessHistoryOptions,
  AccessHistoryPage,
  AccessWho,
} from './access-history';
export type { ConsultedVerdict, ExplanationAudit, ReplayResult } from './audit';
export { canonicalJson, sha256Hex } from './audit';
export type {
  BriefItemInput,
  BriefOptions,
  BriefPage,
  BriefSection,
  StaffBriefInput,
} from './brief';
export type { CatalogLabels, CatalogOptions, CatalogOverride } from './catalog';
export { PSEUDO_LOCALE } from './catalog';
export { de } from './catalogs/de';
export { en } from './catalogs/en';
export type { ExplainErrorCode } from './errors';
export type { ExplainOptions } from './explain';
export type { AuditedExplanation, Explainer, ExplainerOptions } from './explainer';
export { createExplainer } from './explainer';
export type { FactDescription, FactFormat } from './facts';
export type { CatalogLintOptions, CatalogLintRule, LintFinding } from './lint';
export { defaultLintRules, lintCatalog, lintMessage } from './lint';
export type { MessageId, PlaceholderType } from './messages';
export { messageSpec } from './messages';
export type { EvidenceTtl, ExplainPolicy } from './policy';
export { defaultSensitiveCategories, isSafeUrl } from './policy';
export type { Readability } from './readability';
export { readability } from './readability';
export type { RenderFormat } from './render';
export {
  escapeHtml,
  escapeMarkdown,
  render,
  renderAccessHistory,
  renderBrief,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
  renderTransparency,
} from './render';
export {
  explainJsonSchema,
  FactRegistry,
  MessageCatalog,
  ParameterRegistry,
  parseFactRegistry,
  parseMessageCatalog,
  parseParameterRegistry,
  safeParseFactRegistry,
  safeParseMessageCatalog,
  safeParseParameterRegistry,
} from './schemas';
export type { AuditListOptions, ExplanationAuditStore } from './store';
export { auditKey, checkAuditListOptions, createMemoryAuditStore } from './store';
export type {
  LocalizedText,
  RankingParameter,
  TransparencyPage,
  TransparencyParameter,
} from './transparency';
export type {
  ChangeLocation,
  ChangeStatement,
  ChooseChannelControl,
  Clause,
  CorrectDataControl,
  DataUse,
  DecisionStatement,
  ExplainedReason,
  Explanation,
  ExplanationControl,
  ExplanationHeadings,
  ExplanationLayer,
  ExplanationWarning,
  FewerLikeThisControl,
  LabelKind,
  ManageAllControl,
  MuteTopicControl,
  PurposeStatement,
  StopPurposeControl,
  TurnOffDataControl,
  UndoChangeControl,
  WithheldItem,
  WithheldReason,
} from './types';
