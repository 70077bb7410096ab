import { type Instant, MAX_INSTANT } from '@candor/core';

const UNIT: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(-?)(\d{1,9})(ms|s|m|h|d|w)$/;

/**
 * Reads a duration (`7d`, `-7d`, `90m`, or milliseconds) as milliseconds; `undefined` when malformed.
 *
 * @example
 * parseDuration('3d'); // 259200000
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value);
  if (match === null) return undefined;
  const ms = Number(match[2]) * (UNIT[match[3] as string] as number);
  return match[1] === '-' ? -ms : ms;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads a fact value as an instant: epoch milliseconds (a fraction dropped), an ISO 8601
 * date-time with a zone, or a date (`2026-06-30`, read as midnight UTC). `undefined` for anything
 * else, and for numbers no date can hold.
 *
 * @example
 * toTime('2026-06-30'); // 1782777600000
 */
export function toTime(value: unknown): Instant | undefined {
  if (typeof value === 'number')
    return Math.abs(value) <= MAX_INSTANT ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  if (DATE_ONLY.test(value) || DATE_TIME.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** @internal Local calendar fields of an instant in a time zone. */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    if (formatters.size > 1_000) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * True when `timeZone` is an IANA zone this runtime knows (`Europe/Berlin`, `UTC`).
 *
 * @example
 * isValidTimeZone('Mars/Olympus'); // false
 */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  return typeof timeZone === 'string' && timeZone.length > 0 && formatter(timeZone) !== null;
}

/** @internal Calendar fields of `instant` in `timeZone` (which must be valid). */
export function localParts(instant: Instant, timeZone: string): LocalParts {
  const f = formatter(timeZone);
  if (f === null) throw new RangeError(`invalid time zone ${timeZone}`);
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of f.formatToParts(instant)) {
    if (part.type in out) out[part.type as keyof LocalParts] = Number(part.value);
  }
  return out;
}

function offsetAt(instant: Instant, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

const HOUR = 3_600_000;

/**
 * @internal The instants at which the wall clock in `timeZone` shows the given local date and
 * time, earliest first: one; two in the hour a fall-back repeats; or, in the gap a spring-forward
 * skips, the instant the gap ends (the first that exists after the asked time).
 *
 * @example
 * wallClockInstants(2026, 3, 8, 2, 30, 'America/New_York'); // [03:00 EDT], 02:30 never shows
 */
export function wallClockInstants(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Instant[] {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // UTC offsets lie within -12 h … +14 h, so the answer lies within wall - 14 h … wall + 12 h;
  // the offsets at both ends are the zone's offsets before and after any change in between.
  const before = offsetAt(wall - 14 * HOUR, timeZone);
  const after = offsetAt(wall + 12 * HOUR, timeZone);
  const out: Instant[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const t = wall - offset;
    if (offsetAt(t, timeZone) === offset && !out.includes(t)) out.push(t);
  }
  if (out.length > 0) return out.sort((a, b) => a - b);
  // A gap: the change happens after wall - after (still the old offset) and by wall - before.
  let lo = wall - after;
  let hi = wall - before;
  if (hi <= lo) return [wall - before]; // Not a single change (never seen in tzdb): best effort.
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return [hi];
}

/**
 * @internal The earliest instant at which the wall clock in `timeZone` shows the given local date
 * and time (in a DST gap, the instant the gap ends).
 */
export function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Instant {
  return wallClockInstants(year, month, day, hour, minute, timeZone)[0] as Instant;
}

/** @internal Start of the local day containing `instant`. */
export function startOfLocalDay(instant: Instant, timeZone: string): Instant {
  const p = localParts(instant, timeZone);
  return zonedInstant(p.year, p.month, p.day, 0, 0, timeZone);
}

/**
 * @internal Start of the local day after the one containing `instant`: always later than it.
 *
 * @example
 * startOfNextLocalDay(toInstant('2026-06-01T21:55:00Z'), 'Europe/Berlin'); // 2026-06-01T22:00Z
 */
export function startOfNextLocalDay(instant: Instant, timeZone: string): Instant {
  const p = localParts(instant, timeZone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  const midnights = wallClockInstants(
    next.getUTCFullYear(),
    next.getUTCMonth() + 1,
    next.getUTCDate(),
    0,
    0,
    timeZone,
  );
  return midnights.find((t) => t > instant) ?? instant + 86_400_000;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** @internal Minutes after midnight of `HH:MM`, or `undefined`. */
export function parseClock(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = HHMM.exec(value);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

/**
 * @internal When quiet hours `[start, end)` (minutes, may wrap midnight) hold at `instant` in
 * `timeZone`, the instant they end: the first instant after `instant` whose wall clock shows
 * `end` (or, when a spring-forward skips `end`, the first that exists after it); otherwise `null`.
 * Always later than `instant`, so a scheduler retrying then makes progress.
 */
export function quietUntil(
  instant: Instant,
  timeZone: string,
  start: number,
  end: number,
): Instant | null {
  if (start === end) return null;
  const p = localParts(instant, timeZone);
  const minutes = p.hour * 60 + p.minute;
  const quiet = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!quiet) return null;
  const addDay = minutes >= end && start > end ? 1 : 0;
  // The end on its local date; when a fall-back repeats it and `instant` lies in the repeat, the
  // later one. A day later only if the zone skipped the whole date (Apia, 2011).
  for (let extra = 0; extra < 3; extra++) {
    const date = new Date(Date.UTC(p.year, p.month - 1, p.day + addDay + extra));
    const ends = wallClockInstants(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      Math.floor(end / 60),
      end % 60,
      timeZone,
    );
    const next = ends.find((t) => t > instant);
    if (next !== undefined) return next;
  }
  return instant + 60_000; // Unreachable with tzdb's zones; never `instant` itself.
}

/**
 * @internal The instant `offset` ms from `base`; with `atMinutes`, moved to that local time of day
 * on the local date the offset lands on. A date-only base (`2026-06-30`) is read as that local date.
 */
export function relativeDue(
  baseValue: unknown,
  offset: number,
  atMinutes: number | undefined,
  timeZone: string | undefined,
): Instant | undefined {
  const dateOnly = typeof baseValue === 'string' ? DATE_ONLY.exec(baseValue) : null;
  if (dateOnly !== null && timeZone !== undefined) {
    const shifted = new Date(
      Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])) + offset,
    );
    const minutes = atMinutes ?? 0;
    return zonedInstant(
      shifted.getUTCFullYear(),
      shifted.getUTCMonth() + 1,
      shifted.getUTCDate(),
      Math.floor(minutes / 60),
      minutes % 60,
      timeZone,
    );
  }
  const base = toTime(baseValue);
  if (base === undefined) return undefined;
  const due = base + offset;
  if (Math.abs(due) > MAX_INSTANT) return undefined;
  if (atMinutes === undefined || timeZone === undefined) return due;
  const p = localParts(due, timeZone);
  return zonedInstant(p.year, p.month, p.day, Math.floor(atMinutes / 60), atMinutes % 60, timeZone);
}
