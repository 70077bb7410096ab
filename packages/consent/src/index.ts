export { canonicalCopy, canonicalJson } from './canonical';
export type { ChoiceContext } from './choice';
export { applyConsentChoice, choiceLedgerKey } from './choice';
export type {
  ConsentChoice,
  ConsentChoiceAction,
  ConsentChoiceResult,
  ConsentSnapshot,
  SnapshotCategory,
  SnapshotPurpose,
  SnapshotVerdict,
} from './contract';
export type { ConsentErrorCode } from './errors';
export type { ConsentReasonCode } from './evaluate';
export { isRestrictive } from './evaluate';
export type {
  ConsentActor,
  ConsentEvent,
  ConsentEventKind,
  ConsentMethod,
  ConsentSignal,
  NoticeRef,
} from './events';
export { categoryEventKinds, consentEventKinds, consentMethods } from './events';
export { parseImportLines } from './import-lines';
export type { ConsentModeState } from './interop';
export { parseGpcHeader, readNavigatorGpc, toConsentMode } from './interop';
export type { ConsentSchemaName } from './json-schema';
export { consentJsonSchema, consentSchemaIssues } from './json-schema';
export { createConsentManager, openConsentManager } from './manager';
export type { Notice, NoticeDefinition } from './notices';
export { currentNoticeFor, materiallyChanged, noticeRef, validateNotices } from './notices';
export type { Benefit, BenefitTerms, OfferDefinition, OfferRef } from './offers';
export { validateOffers } from './offers';
export type { PolicyPack } from './policy';
export { defaultPolicies, policyPacks, resolvePolicy, validatePolicyPack } from './policy';
export type {
  ConsentModeSignal,
  DefinePurposesOptions,
  Purpose,
  PurposeDefinition,
  PurposeRegistry,
  PurposeTag,
} from './purposes';
export { defaultSensitiveCategories, definePurposes } from './purposes';
export type {
  ConsentController,
  ConsentReceipt,
  ReceiptContext,
  ValueExchange,
} from './receipt';
export { createReceipt } from './receipt';
export type { SnapshotOptions } from './snapshot';
export { buildConsentSnapshot } from './snapshot';
export type { ClientReasonCode, ClientVerdict } from './snapshot-decide';
export { decideFromSnapshot } from './snapshot-decide';
export type {
  AppendRequest,
  AppendResult,
  ChainAnchor,
  ChainProblem,
  ChainVerification,
  ConsentLedgerStore,
  LedgerEntry,
  LedgerHead,
  MemoryLedgerStoreOptions,
} from './store';
export {
  createMemoryLedgerStore,
  entryIdFromHash,
  GENESIS_HASH,
  hashEntry,
  hashedContent,
  LEDGER_HASH_VERSION,
  sealEntry,
  sha256Hex,
  throwIdempotencyConflict,
  throwStaleSequence,
  verifyChain,
} from './store';
export type {
  ChangeDetails,
  ChangeInput,
  ConsentChange,
  ConsentManager,
  ConsentManagerOptions,
  DecideQuery,
  ExportOptions,
  GrantInput,
  ImportRecord,
  LedgerVerification,
  PromptNeed,
  PurposeChangeInput,
  SubjectHistory,
} from './types';
export { validateEvent } from './validate-event';
