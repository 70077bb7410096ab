import type { Instant } from '@candor/core';
import type { FatigueConfig } from './config';
import { insertSorted, lowerBound, upperBound } from './sorted';
import { cut, type Span } from './span';

/*
 * Fatigue and deliveries of every subject, kept in flat paged columns (one per channel) indexed by
 * the subject's number (see `subjects.ts`), so an event reaches its subject's fatigue with one map
 * lookup (the subject's number) and no chain of small objects. A subject's slots are `i = n % PAGE`
 * of page `⌊n / PAGE⌋` in every column: clearing them ({@link clearSlot}) forgets the subject, and
 * its number can then be reused, so the columns grow with the subjects held, not those ever seen.
 */

/** Subjects per column page: 2^PAGE_BITS. */
export const PAGE_BITS = 10;
export const PAGE = 1 << PAGE_BITS;

/** One page of a column; subject `n` is slot `i = n % PAGE` of page `⌊n / PAGE⌋`. */
export interface ColumnPage {
  /** Decayed score at `2·i` and the instant it was computed for at `2·i + 1`. */
  readonly fatigue: Float64Array;
  /** Sorted delivery times of slot `i` (undefined until its first delivery). */
  readonly deliveries: (Instant[] | undefined)[];
}

/** Fatigue and deliveries of every subject on one channel, indexed by subject number. */
export interface ChannelColumn {
  /** Subjects `n` in pages of {@link PAGE} (allocated on first use, so memory follows usage). */
  readonly pages: (ColumnPage | undefined)[];
}

/** The columns of every channel, and the settings fatigue is computed with. */
export interface FatigueColumns {
  readonly config: FatigueConfig;
  /** Channel names numbered in order of first use (few channels, many subjects). */
  readonly channelIds: Map<string, number>;
  readonly columns: ChannelColumn[];
}

/** Empty columns. */
export function createFatigueColumns(config: FatigueConfig): FatigueColumns {
  return { config, channelIds: new Map(), columns: [] };
}

/** The page holding subject `n` on `channel`, if anything was recorded there. */
export function findPage(f: FatigueColumns, channel: string, n: number): ColumnPage | undefined {
  const c = f.channelIds.get(channel);
  return c === undefined ? undefined : (f.columns[c] as ChannelColumn).pages[n >> PAGE_BITS];
}

/** The page holding subject `n` on `channel`, created on first use. */
export function pageFor(f: FatigueColumns, channel: string, n: number): ColumnPage {
  let c = f.channelIds.get(channel);
  if (c === undefined) {
    c = f.columns.length;
    f.channelIds.set(channel, c);
    f.columns.push({ pages: [] });
  }
  const pages = (f.columns[c] as ChannelColumn).pages;
  const p = n >> PAGE_BITS;
  let page = pages[p];
  if (page === undefined) {
    // Pad so the array stays packed (pages are few: one per 1,024 subjects).
    while (pages.length <= p) pages.push(undefined);
    page = {
      fatigue: new Float64Array(2 * PAGE),
      deliveries: new Array<Instant[] | undefined>(PAGE).fill(undefined),
    };
    pages[p] = page;
  }
  return page;
}

/** The decayed fatigue score of slot `i` at `at` (events later than `at` count at full weight). */
export function scoreAt(
  f: FatigueColumns,
  page: ColumnPage | undefined,
  i: number,
  at: Instant,
): number {
  if (page === undefined) return 0;
  const score = page.fatigue[2 * i] as number;
  const lastAt = page.fatigue[2 * i + 1] as number;
  return at > lastAt ? score * Math.exp(-f.config.decayRate * (at - lastAt)) : score;
}

/** Adds `weight` at `at` to slot `i`'s score, in any arrival order; the score never drops below 0. */
export function addFatigue(
  f: FatigueColumns,
  page: ColumnPage,
  i: number,
  weight: number,
  at: Instant,
): void {
  const decayRate = f.config.decayRate;
  const scores = page.fatigue;
  const score = scores[2 * i] as number;
  const lastAt = scores[2 * i + 1] as number;
  if (at >= lastAt) {
    scores[2 * i] = Math.max(0, score * Math.exp(-decayRate * (at - lastAt)) + weight);
    scores[2 * i + 1] = at;
  } else {
    scores[2 * i] = Math.max(0, score + weight * Math.exp(-decayRate * (lastAt - at)));
  }
}

/** Records a delivery at `at` in slot `i`, keeping the list sorted and its old tail trimmed. */
export function addDelivery(f: FatigueColumns, page: ColumnPage, i: number, at: Instant): void {
  const list = page.deliveries[i];
  if (list === undefined) {
    // Exactly sized: most subjects see a delivery or two, not the 17 slots a first push reserves.
    page.deliveries[i] = [at];
    return;
  }
  insertSorted(list, at);
  if (list.length > 64) {
    const cut = lowerBound(list, (list[list.length - 1] as number) - 2 * f.config.windowMs);
    if (cut > 0) list.splice(0, cut);
  }
}

/** Deliveries in the window ending at `at`. */
export function countIn(
  f: FatigueColumns,
  list: readonly Instant[] | undefined,
  at: Instant,
): number {
  return list === undefined ? 0 : upperBound(list, at) - upperBound(list, at - f.config.windowMs);
}

/** Deliveries of subject `n` in the window ending at `at`, across every channel. */
export function crossChannelCount(f: FatigueColumns, n: number, at: Instant): number {
  const p = n >> PAGE_BITS;
  const i = n & (PAGE - 1);
  let used = 0;
  for (const column of f.columns) used += countIn(f, column.pages[p]?.deliveries[i], at);
  return used;
}

/**
 * Narrows `span` (computed at `at`) to where subject `n`'s delivery counts, on every channel,
 * stay as they are at `at`: no delivery enters or leaves the window ending at `at`.
 */
export function deliverySpan(f: FatigueColumns, n: number, at: Instant, span: Span): void {
  const p = n >> PAGE_BITS;
  const i = n & (PAGE - 1);
  const windowMs = f.config.windowMs;
  for (const column of f.columns) {
    const list = column.pages[p]?.deliveries[i];
    if (list === undefined) continue;
    // A delivery at d counts from d on, until d + windowMs.
    const entered = upperBound(list, at);
    if (entered > 0) cut(span, at, list[entered - 1] as number);
    if (entered < list.length) cut(span, at, list[entered] as number);
    const left = upperBound(list, at - windowMs);
    if (left > 0) cut(span, at, (list[left - 1] as number) + windowMs);
    if (left < list.length) cut(span, at, (list[left] as number) + windowMs);
  }
}

/** When one more delivery fits `allowed` again, or `null` if nothing will free a place. */
export function releaseAt(
  f: FatigueColumns,
  deliveries: readonly Instant[] | undefined,
  at: Instant,
  used: number,
  allowed: number,
): Instant | null {
  if (deliveries === undefined || allowed <= 0) return null;
  const start = upperBound(deliveries, at - f.config.windowMs);
  const oldest = deliveries[start + used - allowed];
  return oldest === undefined ? null : oldest + f.config.windowMs;
}

/**
 * Clears subject `n`'s slots in every column, as if nothing had been recorded for it (the number
 * can then be given to another subject). Pages stay allocated for the next subject in them.
 */
export function clearSlot(f: FatigueColumns, n: number): void {
  const p = n >> PAGE_BITS;
  const i = n & (PAGE - 1);
  for (const column of f.columns) {
    const page = column.pages[p];
    if (page === undefined) continue;
    page.fatigue[2 * i] = 0;
    page.fatigue[2 * i + 1] = 0;
    page.deliveries[i] = undefined;
  }
}
