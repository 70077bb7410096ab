export type {
  BacktestChange,
  BacktestDiff,
  BacktestOptions,
  BacktestReport,
  RuleReport,
} from './backtest';
export { backtest, diffBacktests } from './backtest';
export type { FactTests, WindowTests } from './builder';
export { all, any, count, defineRule, fact, not, ref, sum } from './builder';
export { compileRules } from './compile';
export type { CompiledRule, CompiledRuleSet, RuleMatch, TraceNode } from './compile/types';
export { createRuleEngine } from './engine';
export type {
  ChangePort,
  ChangeRequest,
  FactProvider,
  FactRequest,
  PauseOptions,
  RuleEngine,
  RuleEngineOptions,
} from './engine/types';
export type { RulesErrorCode } from './errors';
export type { JsonRulesEngineRule, MigrationOptions } from './migrate';
export { fromJsonRulesEngine } from './migrate';
export type {
  ChangeOutcome,
  GateName,
  OfferReason,
  Outcome,
  Proposal,
  Suppression,
  SuppressionCode,
} from './outcome';
export { toDecisionRecord } from './outcome';
export { partitionOf } from './partition';
export {
  MAX_DEPTH,
  MAX_MATCH_INPUT,
  MAX_NODES,
  MAX_PATH_SEGMENTS,
  MAX_PATTERN_LENGTH,
} from './safety';
export {
  Condition,
  parseRule,
  parseRuleFile,
  Rule,
  RuleFile,
  rulesJsonSchema,
  safeParseRule,
} from './schema';
export type {
  DedupRecord,
  FireRecord,
  PastEvent,
  Pause,
  Reservation,
  ReserveResult,
  RuleStateStore,
  ScheduleEntry,
  StateLimit,
  SubjectState,
} from './state';
export { createMemoryRuleStateStore } from './state';
export { isValidTimeZone, parseDuration, toTime } from './time';
export type {
  Cap,
  ContextualFallback,
  Duration,
  FactCondition,
  FactRefValue,
  Operator,
  QuietHours,
  RuleChange,
  RuleEvent,
  Trigger,
  Urgency,
  WindowCondition,
  WindowSpec,
} from './types';
