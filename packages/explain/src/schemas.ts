import { DataCategoryId, PurposeId, parsers, TopicId } from '@candor/core';
import * as z from 'zod/mini';
import type { MessageCatalog as CatalogType } from './catalog';
import { explainError } from './errors';
import { FACT_FORMATS, type FactRegistry as FactRegistryType } from './facts';
import type { ParameterRegistry as RegistryType } from './transparency';

// Each schema is built by a function whose call is marked pure, and the parse functions are
// declarations, so a bundle that never validates drops these schemas (and, with them, zod).

/* @__NO_SIDE_EFFECTS__ */
function localizedSchema() {
  return z.union([
    z.string().check(z.minLength(1), z.maxLength(500)),
    z.record(z.string(), z.string().check(z.minLength(1), z.maxLength(500))),
  ]);
}

/* @__NO_SIDE_EFFECTS__ */
function registrySchema() {
  const localized = localizedSchema();
  return z.strictObject({
    name: localized,
    version: z.union([z.string().check(z.minLength(1)), z.int().check(z.gte(0))]),
    parameters: z
      .array(
        z.strictObject({
          id: z.string().check(z.minLength(1), z.maxLength(200)),
          label: z.optional(localized),
          purpose: PurposeId,
          dataCategories: z.array(DataCategoryId),
          weight: z.number().check(z.gte(0), z.refine(Number.isFinite, 'weight must be finite')),
          topic: z.optional(TopicId),
        }),
      )
      .check(z.minLength(1, 'a registry needs at least one parameter')),
  });
}

/* @__NO_SIDE_EFFECTS__ */
function factRegistrySchema() {
  const localized = localizedSchema();
  return z.record(
    z.string().check(z.minLength(1), z.maxLength(300)),
    z.strictObject({
      label: localized,
      format: z.optional(z.enum(FACT_FORMATS)),
      currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'))),
      unit: z.optional(z.string().check(z.minLength(1), z.maxLength(50))),
      values: z.optional(z.record(z.string(), localized)),
      correctable: z.optional(z.boolean()),
      field: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    }),
  );
}

/* @__NO_SIDE_EFFECTS__ */
function catalogSchema() {
  const labels = z.optional(z.record(z.string(), z.string().check(z.minLength(1))));
  return z.strictObject({
    locale: z.string().check(z.minLength(2), z.maxLength(35)),
    version: z.string().check(z.minLength(1), z.maxLength(100)),
    messages: z.record(z.string(), z.string()),
    labels: z.optional(
      z.strictObject({
        categories: labels,
        purposes: labels,
        topics: labels,
        channels: labels,
        sources: labels,
        rules: labels,
        changes: labels,
        events: labels,
        benefits: labels,
      }),
    ),
  });
}

/**
 * Schema of a {@link ParameterRegistry} as written by hand (JSON or YAML): the input of the DSA
 * Art. 27 page.
 *
 * @example
 * ParameterRegistry.safeParse(json).success;
 */
export const ParameterRegistry = /* @__PURE__ */ registrySchema();
/**
 * A parameter registry (the schema's values are assignable to it).
 *
 * @example
 * const registry: ParameterRegistry = parseParameterRegistry(json);
 */
export type ParameterRegistry = RegistryType;

/**
 * Schema of a {@link FactRegistry} as written by hand (JSON or YAML): what each fact is, in the
 * customer's words, and how to show its values. It checks the shape; the explainer also checks
 * currencies, units and the lint when it is created.
 *
 * @example
 * createExplainer({ facts: parseFactRegistry(JSON.parse(readFileSync('facts.json', 'utf8'))) });
 */
export const FactRegistry = /* @__PURE__ */ factRegistrySchema();
/**
 * A fact registry (the schema's values are assignable to it).
 *
 * @example
 * const facts: FactRegistry = { 'txn.amount': { label: 'the payment amount', format: 'money', currency: 'EUR' } };
 */
export type FactRegistry = FactRegistryType;

/**
 * Schema of a {@link MessageCatalog} file. It checks the shape; the explainer checks the ICU
 * syntax, placeholders and lint when it loads the catalog.
 *
 * @example
 * MessageCatalog.safeParse(json).success;
 */
export const MessageCatalog = /* @__PURE__ */ catalogSchema();
/**
 * A message catalog (the schema's values are assignable to it).
 *
 * @example
 * const catalog: MessageCatalog = parseMessageCatalog(json);
 */
export type MessageCatalog = CatalogType;

const registryParsers = /* @__PURE__ */ parsers(
  ParameterRegistry,
  'explain/invalid_input',
  'registry',
);
const catalogParsers = /* @__PURE__ */ parsers(MessageCatalog, 'explain/invalid_input', 'catalog');
const factParsers = /* @__PURE__ */ parsers(FactRegistry, 'explain/invalid_input', 'facts');

/**
 * Validates the shape of a hand-written fact registry; throws `explain/invalid_input` naming the
 * path.
 *
 * @example
 * const facts = parseFactRegistry(JSON.parse(readFileSync('facts.json', 'utf8')));
 */
export function parseFactRegistry(input: unknown): z.output<typeof FactRegistry> {
  return factParsers.parse(input);
}

/**
 * Like {@link parseFactRegistry} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseFactRegistry({ 'txn.amount': { format: 'money' } }).success; // false
 */
export function safeParseFactRegistry(input: unknown) {
  return factParsers.safeParse(input);
}

/**
 * Validates a hand-written parameter registry; throws `explain/invalid_input` naming the path.
 *
 * @example
 * const registry = parseParameterRegistry(JSON.parse(readFileSync('parameters.json', 'utf8')));
 */
export function parseParameterRegistry(input: unknown): z.output<typeof ParameterRegistry> {
  return registryParsers.parse(input);
}

/**
 * Like {@link parseParameterRegistry} but returns `{ success, data | error }`.
 *
 * @example
 * if (!safeParseParameterRegistry(input).success) fail();
 */
export function safeParseParameterRegistry(input: unknown) {
  return registryParsers.safeParse(input);
}

/**
 * Validates the shape of a catalog file; throws `explain/invalid_input` naming the path.
 *
 * @example
 * const fr = parseMessageCatalog(JSON.parse(readFileSync('fr.json', 'utf8')));
 * createExplainer({ catalogs: [fr] });
 */
export function parseMessageCatalog(input: unknown): z.output<typeof MessageCatalog> {
  return catalogParsers.parse(input);
}

/**
 * Like {@link parseMessageCatalog} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseMessageCatalog({ locale: 'fr' }).success; // false
 */
export function safeParseMessageCatalog(input: unknown) {
  return catalogParsers.safeParse(input);
}

/**
 * JSON Schema (draft 2020-12) for the formats users write by hand: `ParameterRegistry`,
 * `MessageCatalog` and `FactRegistry`; throws `explain/invalid_input` for any other name.
 *
 * @example
 * writeFileSync('catalog.schema.json', JSON.stringify(explainJsonSchema('MessageCatalog'), null, 2));
 */
export function explainJsonSchema(
  name: 'ParameterRegistry' | 'MessageCatalog' | 'FactRegistry',
): Record<string, unknown> {
  const schema =
    name === 'ParameterRegistry'
      ? ParameterRegistry
      : name === 'MessageCatalog'
        ? MessageCatalog
        : name === 'FactRegistry'
          ? FactRegistry
          : null;
  if (schema === null)
    throw explainError(
      'explain/invalid_input',
      "name: must be 'ParameterRegistry', 'MessageCatalog' or 'FactRegistry'",
      { path: 'name', value: name },
    );
  return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
