import * as z from 'zod/mini';
import { DecisionRecord } from './decision';
import { CandorError, showValue } from './errors';
import { Fact } from './fact';
import { ConsentVerdict } from './ports';

const schemas = { DecisionRecord, Fact, ConsentVerdict } as const;

/** The core formats with a JSON Schema: `DecisionRecord`, `Fact`, `ConsentVerdict`. */
export type CoreSchemaName = keyof typeof schemas;

/**
 * JSON Schema (draft 2020-12) for a core format, generated from the same zod schema that
 * validates it, for editors and other languages. Throws `core/invalid_input` for any other name.
 *
 * @example
 * writeFileSync('decision-record.schema.json', JSON.stringify(coreJsonSchema('DecisionRecord'), null, 2));
 */
export function coreJsonSchema(name: CoreSchemaName): Record<string, unknown> {
  if (typeof name !== 'string' || !Object.hasOwn(schemas, name))
    throw new CandorError(
      'core/invalid_input',
      `name: ${showValue(name)} is not one of ${Object.keys(schemas).join(', ')}`,
      { path: 'name', value: name },
    );
  return z.toJSONSchema(schemas[name], { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
