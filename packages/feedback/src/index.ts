export type {
  ChooseInput,
  LoggedChoice,
  OffPolicyEstimate,
  ThompsonOptions,
  ThompsonSampler,
  VariantChoice,
  VariantPosterior,
} from './bandit';
export { createThompsonSampler, offPolicyEstimate } from './bandit';
export type { FeedbackErrorCode } from './errors';
export {
  defaultScope,
  explicitFeedbackKinds,
  feedbackKinds,
  implicitFeedbackKinds,
  isPermanentKind,
  isScopedKind,
} from './kinds';
export type {
  BatchIngestResult,
  BudgetStatus,
  CorrectionRequest,
  FatigueOptions,
  FeedbackLoop,
  FeedbackLoopEvent,
  FeedbackLoopOptions,
  FeedbackObserver,
  GuardrailMetric,
  GuardrailOptions,
  IngestResult,
  RuleHealth,
  RulePause,
  TimedFeedbackKind,
} from './loop';
export { createFeedbackLoop } from './loop';
export type {
  ControlEfficacy,
  TrustBucket,
  TrustMetrics,
  TrustMetricsOptions,
} from './metrics';
export { computeTrustMetrics } from './metrics';
export type { Random } from './random';
export { createRandom, sampleBeta, sampleGamma } from './random';
export type { FeedbackSchemaName } from './schema';
export {
  DecisionEntry,
  ExplicitFeedbackKind,
  FeedbackEvent,
  FeedbackKind,
  feedbackJsonSchema,
  ImplicitFeedbackKind,
  parseDecisionEntry,
  parseFeedbackEvent,
  safeParseDecisionEntry,
  safeParseFeedbackEvent,
} from './schema';
export type {
  AppendResult,
  FeedbackStore,
  GuardrailResume,
  ReadOptions,
  StoredDecisionEntry,
  StoredFeedbackEvent,
} from './store';
export { createMemoryFeedbackStore, eventFingerprint } from './store';
export { checkDecisionEntry, checkFeedbackEvent } from './validate';
export type { RateInterval } from './wilson';
export { wilsonInterval } from './wilson';
