import { DataCategoryId, PurposeId, SubjectId } from '@candor/core';
import { ExplicitFeedbackKind } from '@candor/feedback';
import * as z from 'zod/mini';

/**
 * Validation for every form and parameter the demo accepts (bodies arrive as url-encoded
 * strings). Ids use the packages' own schemas: core's `PurposeId` and `SubjectId`, feedback's
 * `ExplicitFeedbackKind`.
 */

const id = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.:-]+$/));

export const ConsentForm = z.object({
  purpose: PurposeId,
  action: z.enum(['grant', 'withdraw', 'object']),
  /** Only this data category of the purpose (e.g. "Turn back on" next to a category). */
  category: z.optional(DataCategoryId),
});
export type ConsentForm = z.infer<typeof ConsentForm>;

export const FeedbackForm = z.object({ signal: ExplicitFeedbackKind });
export type FeedbackForm = z.infer<typeof FeedbackForm>;

export const ControlForm = z.object({ control: id });
export const UnmuteForm = z.object({
  scope: z.enum(['item', 'rule', 'topic', 'channel', 'all']),
  target: z.string().check(z.minLength(1), z.maxLength(200)),
});
export type ControlForm = z.infer<typeof ControlForm>;

/** A choice on a message (`wait`, `refund_shipping`, …). */
export const ChoiceForm = z.object({
  choice: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z_]+$/)),
});
export type ChoiceForm = z.infer<typeof ChoiceForm>;

/** A technician visit: one of the offered times, in epoch milliseconds. */
export const TechnicianForm = z.object({
  at: z.string().check(z.regex(/^\d{1,15}$/)),
});
export type TechnicianForm = z.infer<typeof TechnicianForm>;

export const EventForm = z.object({
  subject: SubjectId,
  type: z.string().check(z.maxLength(128), z.regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/)),
});
export type EventForm = z.infer<typeof EventForm>;

export const ClockForm = z.object({
  amount: z.string().check(z.regex(/^\d{1,4}$/, 'a whole number')),
  unit: z.enum(['hour', 'day', 'week']),
});
export type ClockForm = z.infer<typeof ClockForm>;

export const LoginForm = z.object({ token: z.string().check(z.minLength(1), z.maxLength(512)) });
export type LoginForm = z.infer<typeof LoginForm>;

const words = (max: number) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1),
      z.maxLength(max),
      z.regex(/^[^\p{Cc}]*$/u, 'no control characters'),
    );

/** At checkout: the item, and optionally what it is for in the customer's words. */
export const CheckoutForm = z.object({
  item: z.enum(['hiking boots']),
  reason: z.optional(
    z.string().check(z.trim(), z.maxLength(300), z.regex(/^[^\p{Cc}]*$/u, 'no control characters')),
  ),
});
export type CheckoutForm = z.infer<typeof CheckoutForm>;

/** A customer's correction of one of their memories, or its deletion (`text` absent). */
export const MemoryForm = z.object({ memory: id, text: z.optional(words(300)) });
export type MemoryForm = z.infer<typeof MemoryForm>;

/** The operator records a complaint, or resolves one. */
export const ComplaintForm = z.object({ summary: words(300) });
export const ResolveForm = z.object({ memory: id, resolution: words(300) });

export const LayerParam = z.enum(['short', 'standard', 'detailed']);

/** Path parameters: customer, message and rule ids. */
export const PathId = id;

/** Optional words: empty means absent. */
const someWords = (max: number) =>
  z.optional(
    z.string().check(z.trim(), z.maxLength(max), z.regex(/^[^\p{Cc}]*$/u, 'no control characters')),
  );

/** "This is wrong": which fact (by its reference), the right value, and optionally why. */
export const CorrectionForm = z.object({
  fact: z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9_.]+$/)),
  value: words(200),
  note: someWords(300),
});
export type CorrectionForm = z.infer<typeof CorrectionForm>;

/** The operator accepts or rejects a customer's correction (a rejection needs a reason). */
export const DecideCorrectionForm = z.object({
  subject: SubjectId,
  correction: id,
  action: z.enum(['accept', 'reject']),
  reason: someWords(300),
});
export type DecideCorrectionForm = z.infer<typeof DecideCorrectionForm>;
