import type { JsonValue } from '@candor/core';
import type { CompiledCatalog } from './catalog';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const MAX_VALUE_CHARS = 200;
const LINE_BREAKS = /[\r\n\u2028\u2029]+/g;
/**
 * Explicit bidirectional embeddings, overrides and isolates: a value holding one unclosed would
 * turn the text after it around ("(you told us this)" read right to left).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Cuts `text` to 200 characters, flattens line breaks and drops bidirectional controls: a value
 * is shown on one line and leaves the text around it as it is.
 */
export function truncate(text: string): string {
  const flat = text.replace(LINE_BREAKS, ' ').replace(BIDI_CONTROLS, '');
  return flat.length > MAX_VALUE_CHARS ? `${flat.slice(0, MAX_VALUE_CHARS - 1)}…` : flat;
}

/**
 * Reads an ISO 8601 date (`2026-06-30`, midnight UTC) or date-time with a zone as epoch ms;
 * `undefined` for anything else.
 *
 * @example
 * isoInstant('2026-06-30'); // 1782777600000
 */
export function isoInstant(value: string): number | undefined {
  if (!ISO_DATE.test(value) && !ISO_DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isFinite(ms) ? ms : undefined;
}

function formatScalar(value: string | number, catalog: CompiledCatalog): string {
  if (typeof value === 'number') return catalog.number.format(value);
  const ms = isoInstant(value);
  if (ms !== undefined) return catalog.date.format(ms);
  return truncate(value);
}

const scalarCache = /* @__PURE__ */ new WeakMap<CompiledCatalog, Map<string | number, string>>();

/**
 * Formats a JSON value for people when nothing says what it is: dates and numbers for the
 * locale, lists with Intl.ListFormat, line breaks flattened. Strings and numbers are memoized per
 * catalog (bounded).
 *
 * @example
 * formatValue('2026-06-30', catalogs.get('de')!); // '30. Juni 2026'
 */
export function formatValue(
  value: JsonValue | undefined,
  catalog: CompiledCatalog,
  depth = 0,
): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string' || typeof value === 'number') {
    let cache = scalarCache.get(catalog);
    if (!cache) {
      cache = new Map();
      scalarCache.set(catalog, cache);
    }
    let text = cache.get(value);
    if (text === undefined) {
      text = formatScalar(value, catalog);
      if (cache.size >= 2_000) cache.clear();
      cache.set(value, text);
    }
    return text;
  }
  if (typeof value === 'boolean') return catalog.format('value.boolean', { value: String(value) });
  if (depth > 1) return '…';
  if (Array.isArray(value))
    return truncate(
      catalog.list.format(value.slice(0, 10).map((v) => formatValue(v, catalog, depth + 1))),
    );
  return truncate(
    Object.values(value)
      .slice(0, 10)
      .map((v) => formatValue(v, catalog, depth + 1))
      .join(', '),
  );
}

/** True when `value` would be shown as a date by {@link formatValue}. */
export function looksLikeDate(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && isoInstant(value) !== undefined;
}

const UNIT_MS = {
  millisecond: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
} as const;

/**
 * The unit a numeric duration counts in.
 *
 * @example
 * const unit: DurationUnit = 'minute';
 */
export type DurationUnit = keyof typeof UNIT_MS;

/** Units a duration can be stated in, from coarse to fine (weeks only when they divide evenly). */
const SHOWN_UNITS = ['week', 'day', 'hour', 'minute', 'second'] as const;
const SHORT_UNITS: Readonly<Record<string, DurationUnit>> = {
  ms: 'millisecond',
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
};
const DURATION = /^(\d{1,9})(ms|s|m|h|d|w)$/;

/**
 * Reads a duration as milliseconds: a number counted in `unit`, or a string such as `90d`,
 * `2h`, `30m` (the form `@candor/rules` uses); `undefined` for anything else.
 *
 * @example
 * durationMs('90d'); // 7776000000
 * durationMs(55, 'minute'); // 3300000
 */
export function durationMs(value: unknown, unit: DurationUnit = 'millisecond'): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * UNIT_MS[unit] : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[SHORT_UNITS[match[2]!]!];
}

const durationFormats = /* @__PURE__ */ new WeakMap<
  CompiledCatalog,
  Map<string, Intl.NumberFormat>
>();

/**
 * States a duration in the coarsest unit that divides it evenly ("2 hours", "90 days"), never as
 * one of a unit ("24 hours", not "1 day"), so it reads well after "within the last" and in
 * German after "innerhalb der letzten".
 *
 * @example
 * formatDuration(7_200_000, catalog); // '2 hours'
 */
export function formatDuration(ms: number, catalog: CompiledCatalog): string {
  const abs = Math.abs(ms);
  let unit: (typeof SHOWN_UNITS)[number] = 'second';
  for (let i = 0; i < SHOWN_UNITS.length; i++) {
    const candidate = SHOWN_UNITS[i]!;
    const size = UNIT_MS[candidate];
    if (abs >= size && abs % size === 0 && !(abs === size && i < SHOWN_UNITS.length - 1)) {
      unit = candidate;
      break;
    }
  }
  // Durations below a second, or not a whole number of seconds, round to seconds.
  const count = Math.round(abs / UNIT_MS[unit]);
  let byUnit = durationFormats.get(catalog);
  if (!byUnit) {
    byUnit = new Map();
    durationFormats.set(catalog, byUnit);
  }
  let format = byUnit.get(unit);
  if (!format) {
    format = new Intl.NumberFormat(catalog.locale === 'en-XA' ? 'en' : catalog.locale, {
      style: 'unit',
      unit,
      unitDisplay: 'long',
    });
    byUnit.set(unit, format);
  }
  return format.format(count);
}
