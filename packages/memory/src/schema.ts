import {
  CandorError,
  DataCategoryId,
  Instant,
  Provenance,
  PurposeId,
  SubjectId,
} from '@candor/core';
import * as z from 'zod/mini';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * What kind of thing is remembered: why a purchase or booking happened (`stated_reason`), a
 * `preference`, a `support_case`, a `complaint`, or a `staff_note`.
 *
 * @example
 * MemoryKind.parse('stated_reason');
 */
export const MemoryKind = /* @__PURE__ */ (() =>
  z.enum(['stated_reason', 'preference', 'support_case', 'complaint', 'staff_note']))();
/** `stated_reason` | `preference` | `support_case` | `complaint` | `staff_note`. */
export type MemoryKind = z.infer<typeof MemoryKind>;

/**
 * What a memory is about: an order, a booking, a support case (or anything the app names), by
 * its id, with an optional label a person understands ("hiking boots, order of 3 May").
 *
 * @example
 * MemoryRef.parse({ type: 'order', id: 'ord_123', label: 'hiking boots' });
 */
export const MemoryRef = /* @__PURE__ */ (() =>
  z.strictObject({
    type: z.string().check(z.regex(/^[a-z][a-z0-9_]{0,39}$/)),
    id: text(200),
    label: z.optional(text(200)),
  }))();
/** What a memory is about. */
export type MemoryRef = z.infer<typeof MemoryRef>;

/** Whether a case or a complaint is still open. */
const Open = /* @__PURE__ */ (() => z.enum(['open', 'resolved']))();

/**
 * What is remembered, by kind:
 * - `stated_reason`: the customer's `reason` in their words, or the `option` they chose;
 * - `preference`: a `key` and its `value` ("window seat", "no calls after 6 pm");
 * - `support_case` and `complaint`: a `summary`, `status`, and once resolved the `resolution`
 *   and (cases) the customer's `satisfaction` from 1 to 5;
 * - `staff_note`: a `note` and the pseudonymous `staffId` who wrote it.
 *
 * @example
 * MemoryContent.parse({ kind: 'stated_reason', reason: 'preparing for a trek in the Alps in June' });
 */
export const MemoryContent = /* @__PURE__ */ (() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('stated_reason'),
      reason: text(500),
      option: z.optional(text(100)),
    }),
    z.strictObject({
      kind: z.literal('preference'),
      key: z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/)),
      value: text(500),
    }),
    z.strictObject({
      kind: z.literal('support_case'),
      summary: text(500),
      status: Open,
      resolution: z.optional(text(500)),
      satisfaction: z.optional(z.int().check(z.gte(1), z.lte(5))),
      resolvedAt: z.optional(Instant),
    }),
    z.strictObject({
      kind: z.literal('complaint'),
      summary: text(500),
      status: Open,
      resolution: z.optional(text(500)),
      resolvedAt: z.optional(Instant),
    }),
    z.strictObject({
      kind: z.literal('staff_note'),
      note: text(1_000),
      staffId: text(200),
    }),
  ]))();
/** What is remembered, by kind. */
export type MemoryContent = z.infer<typeof MemoryContent>;

/**
 * A new memory, as the app hands it to `remember()`: the content, its data category and
 * provenance, the purposes it may serve, what it is about, and optionally when it was confirmed,
 * until when it may be kept (`retainUntil`; open cases and complaints are kept while open
 * whatever it says), and for `inferred` memories a confidence (0–1) that decays with age.
 *
 * @example
 * MemoryInput.parse({
 *   subject: 'cus_1', content: { kind: 'stated_reason', reason: 'a trek in the Alps' },
 *   category: 'user.behavior.purchase_reason', purposes: ['service.proactive_support'],
 *   provenance: { source: 'checkout', kind: 'stated', observedAt: 1780000000000, party: 'first' },
 *   about: { type: 'order', id: 'ord_1', label: 'hiking boots' },
 * });
 */
export const MemoryInput = /* @__PURE__ */ (() =>
  z.strictObject({
    subject: SubjectId,
    content: MemoryContent,
    category: DataCategoryId,
    provenance: Provenance,
    purposes: z.readonly(z.array(PurposeId).check(z.minLength(1), z.maxLength(20))),
    about: z.optional(MemoryRef),
    confirmedAt: z.optional(Instant),
    retainUntil: z.optional(Instant),
    confidence: z.optional(z.number().check(z.gte(0), z.lte(1))),
  }))();
/** A new memory, as the app hands it to `remember()`. */
export type MemoryInput = z.infer<typeof MemoryInput>;

/**
 * A memory as stored: the input plus its id, when it was recorded, and its status — `active`,
 * `superseded` by a correction (kept for the history, never recalled), or `erased` (a tombstone:
 * nothing of the content is kept).
 *
 * @example
 * if (memory.status === 'active') show(memory.content);
 */
export const Memory = /* @__PURE__ */ (() =>
  z.strictObject({
    id: text(200),
    subject: SubjectId,
    kind: MemoryKind,
    content: MemoryContent,
    category: DataCategoryId,
    provenance: Provenance,
    purposes: z.readonly(z.array(PurposeId)),
    about: z.optional(MemoryRef),
    createdAt: Instant,
    confirmedAt: z.optional(Instant),
    retainUntil: z.optional(Instant),
    confidence: z.optional(z.number().check(z.gte(0), z.lte(1))),
    status: z.enum(['active', 'superseded']),
    /** The memory this one corrected, if any. */
    supersedes: z.optional(text(200)),
    /** The correction that replaced this one, if any. */
    supersededBy: z.optional(text(200)),
  }))();
/** A memory as stored. */
export type Memory = z.infer<typeof Memory>;

/**
 * What is left of an erased memory: that it existed, its kind, and when and why it was erased.
 * Nothing of its content.
 *
 * @example
 * if (entry.type === 'tombstone') console.log(`erased on ${entry.erasedAt}`);
 */
export const Tombstone = /* @__PURE__ */ (() =>
  z.strictObject({
    id: text(200),
    subject: SubjectId,
    kind: MemoryKind,
    erasedAt: Instant,
    reason: z.enum(['customer_request', 'retention', 'company']),
  }))();
/** What is left of an erased memory. */
export type Tombstone = z.infer<typeof Tombstone>;

/**
 * One change to a subject's memories, as the store keeps them (append-only): a memory written
 * (new, corrected, resolved: the full memory as it now stands) or a tombstone.
 *
 * @example
 * const entry: MemoryEntry = { type: 'memory', memory };
 */
export const MemoryEntry = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('memory'), memory: Memory }),
    z.strictObject({ type: z.literal('tombstone'), tombstone: Tombstone }),
  ]))();
/** One change to a subject's memories. */
export type MemoryEntry = z.infer<typeof MemoryEntry>;

const schemas = { MemoryInput, Memory, MemoryEntry, MemoryContent } as const;

/** The memory formats with a JSON Schema. */
export type MemorySchemaName = keyof typeof schemas;

/**
 * JSON Schema (draft 2020-12) of a memory format, generated from the zod schema that validates
 * it. Throws `memory/invalid_input` for any other name.
 *
 * @example
 * const schema = memoryJsonSchema('MemoryInput');
 */
export function memoryJsonSchema(name: MemorySchemaName): Record<string, unknown> {
  if (typeof name !== 'string' || !Object.hasOwn(schemas, name))
    throw new CandorError(
      'memory/invalid_input',
      `name: must be one of ${Object.keys(schemas).join(', ')}`,
      { path: 'name', value: name },
    );
  return z.toJSONSchema(schemas[name], { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
