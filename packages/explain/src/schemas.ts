import { DataCategoryId, PurposeId, parsers, TopicId } from '@candor/core';
import * as z from 'zod/mini';
import type { MessageCatalog as CatalogType } from './catalog';
import { explainError } from './errors';
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
 * JSON Schema (draft 2020-12) for the formats users write by hand: `ParameterRegistry` and
 * `MessageCatalog`; throws `explain/invalid_input` for any other name.
 *
 * @example
 * writeFileSync('catalog.schema.json', JSON.stringify(explainJsonSchema('MessageCatalog'), null, 2));
 */
export function explainJsonSchema(
  name: 'ParameterRegistry' | 'MessageCatalog',
): Record<string, unknown> {
  if (name !== 'ParameterRegistry' && name !== 'MessageCatalog')
    throw explainError(
      'explain/invalid_input',
      "name: must be 'ParameterRegistry' or 'MessageCatalog'",
      { path: 'name', value: name },
    );
  return z.toJSONSchema(name === 'ParameterRegistry' ? ParameterRegistry : MessageCatalog, {
    unrepresentable: 'any',
  }) as Record<string, unknown>;
}
