import * as z from 'zod/mini';
import { DataCategoryId, Instant } from './schemas';

/**
 * A JSON value: what facts, parameters and evidence may hold, so every record can be stored,
 * hashed and shown as it was.
 *
 * @example
 * const value: JsonValue = { last4: '4242', expiresAt: '2026-06-30' };
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Schema of a {@link JsonValue}: finite numbers only, plain objects and arrays.
 *
 * @example
 * JsonValue.parse({ a: [1, 'two', null] });
 */
export const JsonValue: z.ZodMiniType<JsonValue> = /* @__PURE__ */ (() =>
  z.lazy(() =>
    z.union([
      z.string(),
      z.number().check(z.refine(Number.isFinite, 'numbers must be finite')),
      z.boolean(),
      z.null(),
      z.array(JsonValue),
      z.record(z.string(), JsonValue),
    ]),
  ))();

/**
 * How Candor came to know a fact: `stated` by the customer, `observed` from their activity,
 * `inferred` by a model, or `derived` by computation from other facts.
 *
 * @example
 * ProvenanceKind.parse('stated');
 */
export const ProvenanceKind = /* @__PURE__ */ (() =>
  z.enum(['stated', 'observed', 'inferred', 'derived']))();
/** `stated` | `observed` | `inferred` | `derived`. */
export type ProvenanceKind = z.infer<typeof ProvenanceKind>;

/**
 * Where a fact comes from: the system (`source`), how it was learned (`kind`), when
 * (`observedAt`), and whether Candor's operator collected it itself (`first`) or got it from a
 * third party (`third`).
 *
 * @example
 * Provenance.parse({ source: 'billing', kind: 'stated', observedAt: 1780000000000, party: 'first' });
 */
export const Provenance = /* @__PURE__ */ (() =>
  z.strictObject({
    source: z.string().check(z.minLength(1), z.maxLength(200)),
    kind: ProvenanceKind,
    observedAt: Instant,
    party: z.enum(['first', 'third']),
  }))();
/** Where a fact comes from. */
export type Provenance = z.infer<typeof Provenance>;

/**
 * A value a decision may use, with the data category it belongs to and its provenance. `path`
 * names it (`card.expiresAt`); `id` is unique within one decision so reasons can point at it.
 *
 * @example
 * const fact = Fact.parse({
 *   id: 'f1', path: 'card.last4', category: 'user.financial.card', value: '4242',
 *   provenance: { source: 'billing', kind: 'stated', observedAt: 1780000000000, party: 'first' },
 * });
 */
export const Fact = /* @__PURE__ */ (() =>
  z.strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    path: z.string().check(z.minLength(1), z.maxLength(200)),
    category: DataCategoryId,
    value: JsonValue,
    provenance: Provenance,
  }))();
/** A value with its data category and provenance. */
export type Fact = z.infer<typeof Fact>;
