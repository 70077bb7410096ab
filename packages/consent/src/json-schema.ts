import * as z from 'zod/mini';
import { fail } from './errors';
import {
  ChangeInput,
  ConsentChoice,
  ConsentChoiceResult,
  ConsentEvent,
  ConsentSnapshot,
  GrantInput,
  ImportRecord,
  LedgerEntry,
  NoticeDefinition,
  PolicyPack,
  PurposeDefinition,
} from './schema';

/**
 * The formats with a JSON Schema: the hand-written ones (a purpose definition, a notice, a
 * policy pack, an import record), the write inputs (a change, a grant), what the ledger
 * stores (an event, a sealed entry) and the browser client's wire formats (a snapshot, a
 * choice, the answer to a choice).
 *
 * @example
 * const name: ConsentSchemaName = 'NoticeDefinition';
 */
export type ConsentSchemaName =
  | 'PurposeDefinition'
  | 'NoticeDefinition'
  | 'PolicyPack'
  | 'ConsentEvent'
  | 'LedgerEntry'
  | 'ChangeInput'
  | 'GrantInput'
  | 'ImportRecord'
  | 'ConsentSnapshot'
  | 'ConsentChoice'
  | 'ConsentChoiceResult';

/**
 * JSON Schema (draft 2020-12) for a consent format people write or exchange by hand, for editors,
 * CI checks and other languages. Mirrors the validation `definePurposes`, the manager and the
 * stores perform, unknown fields included. Pulls in zod only when called.
 *
 * @example
 * writeFileSync('notice.schema.json', JSON.stringify(consentJsonSchema('NoticeDefinition'), null, 2));
 */
export function consentJsonSchema(name: ConsentSchemaName): Record<string, unknown> {
  return z.toJSONSchema(schemaNamed(name), { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/**
 * Checks a value against one of the consent formats with the same rules as
 * {@link consentJsonSchema}, returning the issues (empty when valid). For tests and CI scripts;
 * the runtime validates with the hand-written checks that keep browser bundles small. An unknown
 * field is reported at its own path, with the runtime's message (and the field it is a near miss
 * of).
 *
 * @example
 * consentSchemaIssues('LedgerEntry', JSON.parse(line)); // [] when valid
 */
export function consentSchemaIssues(
  name: ConsentSchemaName,
  value: unknown,
): { readonly path: string; readonly message: string }[] {
  const result = schemaNamed(name).safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: [...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])]
      .map(String)
      .join('.'),
    message: issue.message,
  }));
}

/** The schema called `name`; throws `core/invalid_input` naming `name` for any other value. */
function schemaNamed(name: ConsentSchemaName) {
  const all = {
    PurposeDefinition,
    NoticeDefinition,
    PolicyPack,
    ConsentEvent,
    LedgerEntry,
    ChangeInput,
    GrantInput,
    ImportRecord,
    ConsentSnapshot,
    ConsentChoice,
    ConsentChoiceResult,
  };
  if (typeof name !== 'string' || !Object.hasOwn(all, name)) {
    fail('core/invalid_input', 'name', name, `must be one of ${Object.keys(all).join(', ')}`);
  }
  return all[name];
}
