import { CandorError, showValue } from './errors';
import type { Instant } from './schemas';

/** An IANA name (`Europe/Berlin`, `Etc/GMT+5`, `UTC`), never an offset such as `+05:30`. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * Returns `timeZone` when it is an IANA time zone the runtime knows (`Asia/Kathmandu`); throws
 * `core/invalid_input` at `path` otherwise (an unknown name, an offset like `+05:30`, a non-string).
 *
 * @example
 * checkTimeZone('America/St_Johns'); // 'America/St_Johns'
 * checkTimeZone('Mars/Olympus', 'options.timeZone'); // throws at 'options.timeZone'
 */
export function checkTimeZone(timeZone: unknown, path = 'timeZone'): string {
  const where = typeof path === 'string' ? path : 'timeZone';
  if (typeof timeZone === 'string' && timeZone.length <= 100 && IANA_NAME.test(timeZone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
      return timeZone;
    } catch {
      // falls through to the error below
    }
  }
  throw new CandorError(
    'core/invalid_input',
    `${where}: ${showValue(timeZone)} must be an IANA time zone such as "Europe/Berlin"`,
    { path: where, value: timeZone },
  );
}

const SIX_HOURS = 6 * 3_600_000;
/** 10000-01-01T00:00:00Z: from here `toISOString()` starts with `+010000`. */
const MAX_ISO_DAY = 253_402_300_800_000;

/** The zone's offset from UTC at `at`, in ms, from one formatting (`format`: numeric, h23). */
function offsetAt(format: Intl.DateTimeFormat, at: number): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(at)) p[part.type] = Number(part.value);
  const local = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
  return local - (at - (at % 60_000));
}

/**
 * A function giving the local date (`YYYY-MM-DD`) of an instant in `timeZone`, as `Intl` counts
 * it, without formatting every instant: the zone's offset is found once per six-hour span (where
 * it is the same at both ends it holds throughout, as zones change offset at most twice a year),
 * then the date is arithmetic. Throws `core/invalid_input` for a zone {@link checkTimeZone}
 * refuses.
 *
 * @example
 * const dayOf = localDays('Asia/Kathmandu');
 * dayOf(Date.parse('2026-12-03T18:20:00Z')); // '2026-12-04' (UTC+05:45)
 */
export function localDays(timeZone: string): (at: Instant) => string {
  checkTimeZone(timeZone);
  const dayKey = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const offsets = new Map<number, number | null>();
  return (at) => {
    const span = Math.floor(at / SIX_HOURS);
    let offset = offsets.get(span);
    if (offset === undefined) {
      const start = offsetAt(parts, span * SIX_HOURS);
      offset = start === offsetAt(parts, (span + 1) * SIX_HOURS - 1) ? start : null;
      offsets.set(span, offset);
    }
    // Offsets that change within six hours, and years past 9999 (ISO strings grow a sign), ask Intl.
    if (offset === null || !Number.isFinite(offset) || at + offset >= MAX_ISO_DAY)
      return dayKey.format(at);
    return new Date(at + offset).toISOString().slice(0, 10);
  };
}
