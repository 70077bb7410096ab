// `@candor/consent/client`: the thin browser consent client. It decides from a snapshot the
// server sends and posts choices to the server that keeps the ledger; no ledger, hashing or zod
// here (the bundle is size-benchmarked in bench/src/suites/consent.ts).

export type {
  ChoiceOptions,
  ConsentClient,
  ConsentClientOptions,
} from './client-core';
export { createConsentClient } from './client-core';
export { parseChoiceResult, parseConsentSnapshot } from './client-parse';
export type { RetryOptions } from './client-sender';
export type { ChoiceStorage } from './client-storage';
export type {
  ConsentChoice,
  ConsentChoiceAction,
  ConsentChoiceResult,
  ConsentSnapshot,
  SnapshotCategory,
  SnapshotPurpose,
  SnapshotVerdict,
} from './contract';
export type { ConsentModeState } from './interop';
export { readNavigatorGpc } from './interop';
export type { ClientReasonCode, ClientVerdict } from './snapshot-decide';
export { decideFromSnapshot } from './snapshot-decide';
