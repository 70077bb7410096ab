export type {
  BriefItem,
  MemoryBook,
  MemoryBookOptions,
  MemoryListing,
  RecallOptions,
  RecallResult,
  StaffBrief,
} from './book';
export { createMemoryBook } from './book';
export type { ComplaintHoldOptions } from './complaint-hold';
export { holdWhileComplaintOpen } from './complaint-hold';
export type { MemoryErrorCode } from './errors';
export { memoryFactDescriptions } from './fact-descriptions';
export type { SubjectMemories } from './fold';
export { foldMemories, topicOf } from './fold';
export type { MemorySchemaName } from './schema';
export {
  Memory,
  MemoryContent,
  MemoryEntry,
  MemoryInput,
  MemoryKind,
  MemoryRef,
  memoryJsonSchema,
  Tombstone,
} from './schema';
export type { RecallPolicy, WithheldWhy } from './select';
export { confidenceAt, memoryFact, memoryPath, mustRemember, selectMemories } from './select';
export type { MemorySlice, MemorySlices, PurposeMemories } from './slices';
export {
  joinSlices,
  MUST_REMEMBER,
  purposeMemories,
  sliceKeysFor,
  sliceMemories,
} from './slices';
export type { MemoryStore } from './store';
export { checkOwnEntries, createInMemoryStore } from './store';
