import type { Instant } from '@candor/core';
import { type Announcer, createAnnouncer } from './announce';
import type { LoopConfig } from './config';
import { createDecisions, type Decisions } from './decisions';
import { createGuardrails, type Guardrails } from './guardrails';
import type { FeedbackEvent } from './schema';
import { createSubjectCache, type SubjectCache } from './subject-cache';
import { createSubjects, type Subjects } from './subjects';
import type { CorrectionRequest } from './types';

/**
 * The loop's in-memory view, everything `check()` and the queries read, as named parts: the
 * accepted events, the per-subject state (`subjects`), and the global parts (guardrails, decisions,
 * corrections). Transitions (`apply.ts`) change it; nothing else holds state about feedback.
 */
export interface LoopView {
  readonly config: LoopConfig;
  /** Accepted events by idempotency key (a repeated key is one event). */
  readonly seen: Map<string, FeedbackEvent>;
  /** Every accepted event in arrival order. */
  readonly accepted: FeedbackEvent[];
  /** The latest `at` of any applied event: a resume restarts counts after it (and after now). */
  latestAt: Instant;
  readonly subjects: Subjects;
  readonly guardrails: Guardrails;
  readonly decisions: Decisions;
  /** Correction requests from `wrong_data`, oldest first. */
  readonly corrections: CorrectionRequest[];
  readonly announcer: Announcer;
  /**
   * With `cache.maxSubjects`: which customers are held (the others answer `not_loaded`). `seen`
   * and `accepted` then hold no history: see {@link SubjectCache.applied} and orphans only.
   */
  readonly cache: SubjectCache | null;
}

/** An empty view. */
export function createView(config: LoopConfig): LoopView {
  return {
    config,
    seen: new Map(),
    accepted: [],
    latestAt: -1,
    subjects: createSubjects(config),
    guardrails: createGuardrails(config.guardrails),
    decisions: createDecisions(),
    corrections: [],
    announcer: createAnnouncer(),
    cache: config.maxSubjects === undefined ? null : createSubjectCache(config.maxSubjects),
  };
}
