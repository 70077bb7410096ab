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
export type { FeedbackCheckpoint } from './checkpoint';
export type {
  FatigueOptions,
  FeedbackLoopOptions,
  GuardrailOptions,
  TimedFeedbackKind,
} from './config';
export type { Correction, CorrectionStatus } from './correction';
export {
  CorrectionEvent,
  foldCorrection,
  foldCorrections,
  parseCorrectionEvent,
} from './correction';
export type {
  CorrectionDesk,
  CorrectionDeskOptions,
  DecideCorrectionInput,
  OpenCorrectionInput,
} from './correction-desk';
export { createCorrectionDesk } from './correction-desk';
export { correctionSource, overlayCorrections } from './correction-overlay';
export type { CorrectionStore } from './correction-store';
export { createMemoryCorrectionStore } from './correction-store';
export type { FeedbackErrorCode } from './errors';
export {
  defaultScope,
  explicitFeedbackKinds,
  feedbackKinds,
  implicitFeedbackKinds,
  isPermanentKind,
  isScopedKind,
  MAX_MUTE_MS,
} from './kinds';
export type { SuppressionLift } from './lift-suppression';
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
export type {
  BatchIngestResult,
  BudgetStatus,
  CorrectionRequest,
  FeedbackLoop,
  FeedbackLoopEvent,
  FeedbackObserver,
  GuardrailMetric,
  IngestResult,
  RuleHealth,
  RulePause,
} from './types';
export { checkDecisionEntry, checkFeedbackEvent } from './validate';
export type { RateInterval } from './wilson';
export { wilsonInterval } from './wilson';
