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
export {
  ancestorsOf,
  DataCategoryId,
  isDottedId,
  isWithin,
  maxIdLength,
  PurposeId,
  parseDataCategoryId,
  parsePurposeId,
  parseTopicId,
  SubjectId,
  safeParseDataCategoryId,
  safeParsePurposeId,
  safeParseTopicId,
  TopicId,
} from './ids';
export type { CoreSchemaName } from './json-schema';
export { coreJsonSchema } from './json-schema';
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
export type { Clock, VirtualClock } from './time';
export { createVirtualClock, duration, Instant, systemClock, toInstant, toIso } from './time';
export type { SafeParseResult } from './validate';
export { parsers, zodToCandorError } from './validate';
