export type { AccessLog, AccessQuery, AccessRetention } from './access';
export {
  AccessOutcome,
  Accessor,
  AccessRecord,
  accessRecordId,
  checkAccessPurge,
  checkAccessQuery,
  checkAccessRecords,
  DEFAULT_ACCESS_RETENTION_MS,
  parseAccessRecord,
  recordStaffLookup,
  retentionFor,
  safeParseAccessRecord,
} from './access';
export type {
  AccessBatch,
  AccessBatchBuilder,
  AccessIdOf,
  AccessKind,
  AccessShape,
} from './access-batch';
export {
  accessShape,
  appendAccessBatch,
  createAccessBatch,
  isAccessBatch,
} from './access-batch';
export { createMemoryAccessLog } from './access-memory';
export {
  AccessSummary,
  AccessSummaryGroup,
  AccessSummaryOptions,
  checkAccessSummaryOptions,
  parseAccessSummary,
  safeParseAccessSummary,
  summarizeAccessRecords,
} from './access-summary';
export { canonicalCopy, canonicalJson } from './canonical';
export type { ChangeLog, ChangeState, UndoClaim } from './change';
export {
  ChangeRecord,
  ChangeRecordKind,
  changeState,
  createMemoryChangeLog,
  parseChangeRecord,
  safeParseChangeRecord,
} from './change';
export { contextCategories, isContextCategory } from './context';
export {
  Action,
  DecisionRecord,
  DecisionSource,
  parseDecisionRecord,
  Reason,
  safeParseDecisionRecord,
} from './decision';
export type { CandorErrorDetails, CoreErrorCode } from './errors';
export { CandorError, isCandorError } from './errors';
export { Fact, JsonValue, Provenance, ProvenanceKind } from './fact';
export type {
  ChangeFeed,
  ChangeStream,
  FeedNotice,
  LocalChangeFeed,
  StoreChange,
} from './feed';
export { createLocalChangeFeed } from './feed';
export {
  ancestorsOf,
  isDottedId,
  isWithin,
  maxIdLength,
  parseDataCategoryId,
  parsePurposeId,
  parseTopicId,
  safeParseDataCategoryId,
  safeParsePurposeId,
  safeParseTopicId,
} from './ids';
export type { CoreSchemaName } from './json-schema';
export { coreJsonSchema } from './json-schema';
export { checkTimeZone, localDays } from './local-day';
export type { ConsentGate, SuppressionSource, SuppressionVerdict } from './ports';
export {
  ConsentQuery,
  ConsentReason,
  ConsentStatus,
  ConsentVerdict,
  LegalBasis,
  SuppressionQuery,
  SuppressionReason,
  SuppressionScope,
} from './ports';
export { DataCategoryId, Instant, PurposeId, SubjectId, TopicId } from './schemas';
export { isSensitiveCategory, sensitiveCategories } from './sensitive';
export { sha256Hex } from './sha256';
export { unstorableText } from './text';
export type { Clock, VirtualClock } from './time';
export {
  createVirtualClock,
  duration,
  isEpochMillis,
  MAX_INSTANT,
  systemClock,
  toInstant,
  toIso,
} from './time';
export type { SafeParseResult } from './validate';
export { parsers, zodToCandorError } from './validate';
