import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  canonicalCopy,
  canonicalJson,
  checkAccessQuery,
  checkAccessRecords,
  checkAccessSummaryOptions,
  checkTimeZone,
  coreJsonSchema,
  createVirtualClock,
  isCandorError,
  isDottedId,
  isSensitiveCategory,
  isWithin,
  localDays,
  PurposeId,
  parseAccessRecord,
  parseAccessSummary,
  parseDataCategoryId,
  parseDecisionRecord,
  parsePurposeId,
  parsers,
  parseTopicId,
  retentionFor,
  safeParseAccessSummary,
  safeParseDataCategoryId,
  safeParseDecisionRecord,
  safeParsePurposeId,
  safeParseTopicId,
  sha256Hex,
  summarizeAccessRecords,
  toInstant,
  toIso,
  zodToCandorError,
} from './index';

// Every public function of @candor/core, called with values a caller may pass by mistake: it must
// throw a typed CandorError naming the argument (never a TypeError or RangeError), or, for
// predicates and safeParse functions, answer without throwing.
const nullProto: unknown = Object.create(null);
const all: readonly unknown[] = [null, undefined, 'x', 42, {}, [], nullProto];
const notString: readonly unknown[] = [null, undefined, 42, {}, [], nullProto, 1n];
const notInstant: readonly unknown[] = [null, undefined, 'x', {}, [], nullProto, Number.NaN, 1n];
const zodError = PurposeId.safeParse('Bad').error!;

interface ThrowCase {
  readonly name: string;
  readonly values: readonly unknown[];
  readonly call: (value: unknown) => unknown;
  readonly code: string;
  readonly path: unknown;
}

const throwing: readonly ThrowCase[] = [
  {
    name: 'ancestorsOf(id)',
    values: notString,
    call: (v) => ancestorsOf(v as string),
    code: 'core/invalid_id',
    path: 'id',
  },
  {
    name: 'parsePurposeId(value)',
    values: [...notString, 'Bad Id'],
    call: parsePurposeId,
    code: 'core/invalid_id',
    path: 'purpose id',
  },
  {
    name: 'parseDataCategoryId(value)',
    values: [...notString, 'Bad Id'],
    call: parseDataCategoryId,
    code: 'core/invalid_id',
    path: 'data category id',
  },
  {
    name: 'parseTopicId(value)',
    values: [...notString, 'Bad Id'],
    call: parseTopicId,
    code: 'core/invalid_id',
    path: 'topic id',
  },
  {
    name: 'parseDecisionRecord(input)',
    values: all,
    call: parseDecisionRecord,
    code: 'core/invalid_input',
    path: expect.stringMatching(/^decision/),
  },
  {
    name: 'coreJsonSchema(name)',
    values: [...all, 'toString', '__proto__'],
    call: (v) => coreJsonSchema(v as 'Fact'),
    code: 'core/invalid_input',
    path: 'name',
  },
  {
    name: 'canonicalJson(value)',
    values: [undefined, () => 1, Symbol('s'), 1n, Number.NaN, new Date(0), new Map()],
    call: canonicalJson,
    code: 'core/invalid_input',
    path: 'value',
  },
  {
    name: 'canonicalCopy(value)',
    values: [undefined, () => 1, Symbol('s'), 1n, Number.POSITIVE_INFINITY, new Date(0)],
    call: canonicalCopy,
    code: 'core/invalid_input',
    path: 'value',
  },
  {
    name: 'canonicalJson(value, code)',
    values: notString.filter((v) => v !== undefined),
    call: (v) => canonicalJson({}, v as string),
    code: 'core/invalid_input',
    path: 'code',
  },
  {
    name: 'canonicalCopy(value, code, root)',
    values: notString.filter((v) => v !== undefined),
    call: (v) => canonicalCopy({}, 'x/y', v as string),
    code: 'core/invalid_input',
    path: 'root',
  },
  {
    name: 'sha256Hex(text)',
    values: notString,
    call: (v) => sha256Hex(v as string),
    code: 'core/invalid_input',
    path: 'text',
  },
  {
    name: 'toIso(instant)',
    values: [...notInstant, Number.POSITIVE_INFINITY, 9e15],
    call: (v) => toIso(v as number),
    code: 'core/invalid_time',
    path: 'instant',
  },
  {
    name: 'toInstant(value)',
    values: notInstant,
    call: (v) => toInstant(v as number),
    code: 'core/invalid_time',
    path: 'time',
  },
  {
    name: 'toInstant(value, path)',
    values: [null, 42, nullProto],
    call: (v) => toInstant(nullProto as number, v as string),
    code: 'core/invalid_time',
    path: 'time',
  },
  {
    name: 'createVirtualClock(start)',
    values: [null, 'x', {}, [], nullProto, 1n],
    call: (v) => createVirtualClock(v as number),
    code: 'core/invalid_time',
    path: 'start',
  },
  {
    name: 'clock.advance(ms)',
    values: notInstant,
    call: (v) => createVirtualClock(0).advance(v as number),
    code: 'core/invalid_time',
    path: 'ms',
  },
  {
    name: 'clock.set(instant)',
    values: notInstant,
    call: (v) => createVirtualClock(0).set(v as number),
    code: 'core/invalid_time',
    path: 'instant',
  },
  {
    name: 'parsers(schema)',
    values: all,
    call: (v) => parsers(v as typeof PurposeId, 'x/y'),
    code: 'core/invalid_input',
    path: 'schema',
  },
  {
    name: 'parsers(schema, code)',
    values: notString,
    call: (v) => parsers(PurposeId, v as string),
    code: 'core/invalid_input',
    path: 'code',
  },
  {
    name: 'parsers(schema, code, root)',
    values: [null, 42, {}, [], nullProto],
    call: (v) => parsers(PurposeId, 'x/y', v as string),
    code: 'core/invalid_input',
    path: 'root',
  },
  {
    name: 'zodToCandorError(code)',
    values: notString,
    call: (v) => zodToCandorError(v as string, zodError, 'Bad'),
    code: 'core/invalid_input',
    path: 'code',
  },
  {
    name: 'zodToCandorError(code, error)',
    values: all,
    call: (v) => zodToCandorError('x/y', v as typeof zodError, 'Bad'),
    code: 'core/invalid_input',
    path: 'error',
  },
  {
    name: 'zodToCandorError(code, error, input, root)',
    values: [null, 42, {}, [], nullProto],
    call: (v) => zodToCandorError('x/y', zodError, 'Bad', v as string),
    code: 'core/invalid_input',
    path: 'root',
  },
  {
    name: 'parseAccessRecord(input)',
    values: all,
    call: parseAccessRecord,
    code: 'core/invalid_input',
    path: expect.stringMatching(/^record/),
  },
  {
    name: 'checkAccessRecords(records)',
    values: [null, undefined, 'x', 42, {}, nullProto],
    call: checkAccessRecords,
    code: 'core/invalid_input',
    path: 'records',
  },
  {
    name: 'checkAccessQuery(query)',
    values: [null, undefined, 'x', 42],
    call: checkAccessQuery,
    code: 'core/invalid_input',
    path: 'query',
  },
  {
    name: 'parseAccessSummary(input)',
    values: [...all, { timeZone: 'UTC', groups: [{}] }],
    call: parseAccessSummary,
    code: 'core/invalid_input',
    path: expect.stringMatching(/^summary/),
  },
  {
    name: 'checkTimeZone(timeZone)',
    values: [...notString, '', 'Mars/Olympus', '+05:30', 'Europe/Berlin\n'],
    call: checkTimeZone,
    code: 'core/invalid_input',
    path: 'timeZone',
  },
  {
    name: 'localDays(timeZone)',
    values: [...notString, 'Mars/Olympus'],
    call: (v) => localDays(v as string),
    code: 'core/invalid_input',
    path: 'timeZone',
  },
  {
    name: 'checkAccessSummaryOptions(options)',
    values: [{}, { timeZone: null }, { timeZone: 'Mars/Olympus' }, { timeZone: '-03:30' }],
    call: checkAccessSummaryOptions,
    code: 'core/invalid_input',
    path: 'options.timeZone',
  },
  {
    name: 'summarizeAccessRecords(records, options)',
    values: [null, undefined, 'x', 42, {}, nullProto],
    call: (v) => summarizeAccessRecords(v, { timeZone: 'UTC' }),
    code: 'core/invalid_input',
    path: 'records',
  },
  {
    name: 'retentionFor(retention)',
    values: [null, undefined, 'x', 42],
    call: retentionFor,
    code: 'core/invalid_input',
    path: 'retention',
  },
  {
    name: 'isSensitiveCategory(category, extra)',
    values: [null, 'x', 42, {}, nullProto],
    call: (v) => isSensitiveCategory('user.health', v as never),
    code: 'core/invalid_input',
    path: 'extra',
  },
];

const label = (value: unknown) =>
  value === nullProto
    ? 'null-prototype object'
    : typeof value === 'bigint'
      ? `${value}n`
      : (JSON.stringify(value) ?? 'undefined');

describe.each(throwing)('$name', ({ values, call, code, path }) => {
  it.each(values.map((value) => [label(value), value]))(
    'rejects %s with a typed error',
    (_, value) => {
      expect(() => call(value)).toThrow(
        expect.objectContaining({
          name: 'CandorError',
          code,
          details: expect.objectContaining({ path }),
        }),
      );
    },
  );
});

describe('predicates answer false instead of throwing', () => {
  it.each(all.map((value) => [label(value), value]))('for %s', (_, value) => {
    expect(isWithin(value as string, 'a')).toBe(false);
    expect(isWithin('a', value as string)).toBe(false);
    expect(isWithin(value as string, value as string)).toBe(value === 'x');
    expect(isDottedId(value)).toBe(value === 'x');
    expect(isCandorError(value)).toBe(false);
    expect(isSensitiveCategory(value)).toBe(false);
  });
});

describe('safeParse functions return the typed error', () => {
  const safe = [
    [safeParsePurposeId, 'core/invalid_id'],
    [safeParseDataCategoryId, 'core/invalid_id'],
    [safeParseTopicId, 'core/invalid_id'],
    [safeParseDecisionRecord, 'core/invalid_input'],
    [safeParseAccessSummary, 'core/invalid_input'],
  ] as const;
  it.each([...notString, 'Bad Id'].map((value) => [label(value), value]))('for %s', (_, value) => {
    for (const [safeParse, code] of safe) {
      const result = safeParse(value);
      expect(result.success).toBe(false);
      if (!result.success) expect(result.error.code).toBe(code);
    }
  });
});
