import { CandorError } from '@candor/core';
import type { ImportRecord } from './types';

/**
 * Parses a JSON Lines import (one {@link ImportRecord} per line, blank lines ignored) for
 * `manager.import()`. Throws `consent/invalid_event` naming the 1-based line and its text for a
 * line that is not a JSON object with a `subject` and a `kind`; nothing is imported then. The
 * manager validates each record fully before writing any.
 *
 * @example
 * await manager.import(parseImportLines(await readFile('legacy-consents.jsonl', 'utf8')));
 */
export function parseImportLines<P extends string = string>(text: string): ImportRecord<P>[] {
  if (typeof text !== 'string') {
    throw new CandorError('consent/invalid_event', 'import: expected JSON Lines text', {
      path: 'text',
      value: text,
    });
  }
  const records: ImportRecord<P>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new CandorError(
        'consent/invalid_event',
        `line ${i + 1}: not valid JSON`,
        { path: `line ${i + 1}`, value: line },
        { cause },
      );
    }
    const record = value as { subject?: unknown; kind?: unknown } | null;
    if (
      typeof record !== 'object' ||
      record === null ||
      Array.isArray(record) ||
      typeof record.subject !== 'string' ||
      typeof record.kind !== 'string'
    ) {
      throw new CandorError(
        'consent/invalid_event',
        `line ${i + 1}: expected an object with "subject" and "kind"`,
        { path: `line ${i + 1}`, value: line },
      );
    }
    records.push(record as ImportRecord<P>);
  }
  return records;
}
