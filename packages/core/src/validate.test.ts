import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { zodToCandorError } from './validate';

/** The message `zodToCandorError` gives for `input` against `schema`. */
function messageOf(schema: z.ZodMiniType, input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected the input to be refused');
  return zodToCandorError('x/invalid', result.error, input, 'input').message;
}

describe('zodToCandorError says what is wrong, not "Invalid input"', () => {
  const memory = z.strictObject({
    note: z.string().check(z.minLength(1), z.maxLength(20)),
    tags: z.optional(z.array(z.string()).check(z.minLength(1), z.maxLength(3))),
    score: z.optional(z.number().check(z.gte(0), z.lt(10))),
    kind: z.optional(z.enum(['a', 'b'])),
  });

  it.each([
    [{ note: '' }, 'input.note: must not be empty'],
    [{ note: 'x'.repeat(21) }, 'input.note: must be at most 20 characters'],
    [{ note: 1 }, 'input.note: must be a string'],
    [null, 'input: must be an object'],
    [{ note: 'x', tags: [] }, 'input.tags: must not be empty'],
    [{ note: 'x', tags: ['a', 'b', 'c', 'd'] }, 'input.tags: must have at most 3 items'],
    [{ note: 'x', score: -1 }, 'input.score: must be at least 0'],
    [{ note: 'x', score: 10 }, 'input.score: must be less than 10'],
    [{ note: 'x', kind: 'c' }, 'input.kind: must be one of "a", "b"'],
    [{ note: 'x', extra: 1 }, 'input.extra: unknown field "extra"'],
  ])('%j', (input, message) => {
    expect(messageOf(memory, input)).toBe(message);
  });

  it('names the problem of the shape a value came closest to, in a union', () => {
    const content = z.union([
      z.strictObject({ kind: z.literal('reason'), reason: z.string().check(z.minLength(1)) }),
      z.strictObject({ kind: z.literal('complaint'), summary: z.string() }),
    ]);
    expect(messageOf(content, { kind: 'reason', reason: '' })).toBe(
      'input.reason: must not be empty',
    );
  });

  it('says every alternative a value of one of several types could be', () => {
    const version = z.strictObject({ version: z.union([z.number(), z.string()]) });
    expect(messageOf(version, { version: true })).toBe(
      'input.version: must be a number or a string',
    );
  });

  it('names a discriminator no shape takes, with the values it takes', () => {
    const accessor = z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('rule'), id: z.string() }),
      z.strictObject({ kind: z.literal('staff'), id: z.string() }),
    ]);
    expect(messageOf(accessor, { kind: 'bogus', id: 'x' })).toBe(
      'input.kind: must be one of "rule", "staff"',
    );
  });

  it('keeps a message the schema gives', () => {
    const id = z.string().check(z.minLength(1, 'an id must not be empty'));
    expect(messageOf(id, '')).toBe('input: an id must not be empty');
  });
});
