import { randomUUID } from 'node:crypto';
import { type Clock, type Fact, type Instant, isCandorError, type JsonValue } from '@candor/core';
import {
  type Correction,
  type CorrectionStore,
  createCorrectionDesk,
  overlayCorrections,
} from '@candor/feedback';
import { categoryLabels, factDescriptions, type SeedCustomer } from './catalog';
import { when } from './views/format';

/*
 * "The data we hold about you": the profile facts the demo holds about each customer, the
 * corrections they ask for (`@candor/feedback`'s correction desk), and the overlay that makes an
 * accepted correction the stated fact every later decision and explanation uses.
 */

/** One fact as the customer sees it: what it is and its value, in words. */
export interface HeldFactView {
  /** The form's reference to the fact (not shown). */
  readonly ref: string;
  readonly label: string;
  readonly value: string;
  /** `onoff`: a setting (on or off); `text`: anything else. */
  readonly input: 'onoff' | 'text';
  readonly correctedByYou: boolean;
}

/** A correction as the customer (and the operator) sees it. */
export interface CorrectionView {
  readonly id: string;
  readonly subject: string;
  readonly label: string;
  readonly from: string;
  readonly to: string;
  readonly note: string | null;
  readonly status: Correction['status'];
  readonly statusText: string;
  readonly reason: string | null;
  readonly openedAt: string;
  readonly decidedAt: string | null;
}

/** The customer's page. */
export interface DataHeldView {
  readonly facts: readonly HeldFactView[];
  readonly corrections: readonly CorrectionView[];
}

/** What opening a correction did, for the page's message. */
export type OpenOutcome = 'opened' | 'unknown_fact' | 'same_value' | 'invalid';

const text = (t: string | Readonly<Record<string, string>> | undefined): string | undefined =>
  typeof t === 'string' ? t : t?.en;

const countries = /* @__PURE__ */ new Intl.DisplayNames(['en'], { type: 'region' });

/** Country codes by their English names (and codes), lower-cased, for what a customer types. */
let countryCodes: Map<string, string> | undefined;
function countryCode(typed: string): string | undefined {
  if (countryCodes === undefined) {
    countryCodes = new Map();
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const name = countries.of(code);
        // The first code of a name wins (FR, not the retired FX, for "France").
        if (name !== undefined && name !== code && !countryCodes.has(name.toLowerCase())) {
          countryCodes.set(name.toLowerCase(), code);
          countryCodes.set(code.toLowerCase(), code);
        }
      }
  }
  return countryCodes.get(typed.trim().toLowerCase());
}

/** What the customer typed or chose, as a value of the fact's kind; undefined when it is not one. */
function proposedValue(fact: Fact, typed: string): JsonValue | undefined {
  if (typeof fact.value === 'boolean')
    return typed === 'on' ? true : typed === 'off' ? false : undefined;
  if (factDescriptions[fact.path]?.format === 'country') return countryCode(typed);
  return typed.trim();
}

/** A fact's name in the customer's words. */
function labelOf(fact: Pick<Fact, 'path' | 'category'>): string {
  const label = text(factDescriptions[fact.path]?.label) ?? categoryLabels[fact.category];
  return label ? label.charAt(0).toUpperCase() + label.slice(1) : 'Something we hold about you';
}

/** A value in words, as the explanations show it. */
function shown(path: string, value: JsonValue): string {
  const d = factDescriptions[path];
  const named = text(d?.values?.[String(value)]);
  if (named) return named;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') {
    if (d?.format === 'country' && /^[A-Z]{2}$/.test(value)) return countries.of(value) ?? value;
    if (d?.format === 'date' && !Number.isNaN(Date.parse(value)))
      return new Date(value).toISOString().slice(0, 10);
    return value.replaceAll('_', ' ');
  }
  return JSON.stringify(value);
}

const STATUS: Readonly<Record<Correction['status'], string>> = {
  open: 'We are looking into it',
  accepted: 'Corrected',
  rejected: 'Not changed',
};

/**
 * The demo's corrections: the facts held about each customer (their profile, with accepted
 * corrections overlaid), the desk, and the views of both.
 */
export function createDemoCorrections(options: {
  readonly store: CorrectionStore;
  readonly clock: Clock;
  readonly customers: ReadonlyMap<string, SeedCustomer>;
}) {
  const { store, clock, customers } = options;
  /** The profile facts held about a customer at `at`, before corrections. */
  const profileOf = (subject: string, at: Instant): Fact[] =>
    (customers.get(subject)?.profile ?? []).map((p) => ({
      id: `profile:${p.path}`,
      path: p.path,
      category: p.category,
      value: p.value(at),
      provenance: {
        source: p.source,
        kind: p.kind,
        observedAt: at - (p.observedDaysAgo ?? 0) * 86_400_000,
        party: p.party ?? 'first',
      },
    }));
  const desk = createCorrectionDesk({
    store,
    clock,
    facts: (subject) => held(subject, clock.now()),
    // What the form accepts, the privacy-centre API accepts: a country is one by its code.
    check: (fact, proposed) =>
      factDescriptions[fact.path]?.format === 'country' &&
      (typeof proposed !== 'string' || countryCode(proposed) !== proposed)
        ? 'must be a country, by its two-letter code (such as "ES")'
        : null,
  });
  /** `facts` with the customer's accepted corrections overlaid. */
  const corrected = async (subject: string, facts: readonly Fact[]): Promise<Fact[]> =>
    overlayCorrections(facts, await desk.corrections(subject));
  /** Every fact held about a customer at `at`, corrections included. */
  const held = (subject: string, at: Instant): Promise<Fact[]> =>
    corrected(subject, profileOf(subject, at));
  const viewOf = (c: Correction): CorrectionView => ({
    id: c.id,
    subject: c.subject,
    label: labelOf(c),
    from: shown(c.path, c.current),
    to: shown(c.path, c.proposed),
    note: c.note,
    status: c.status,
    statusText: STATUS[c.status],
    reason: c.reason,
    openedAt: when(c.openedAt),
    decidedAt: c.decidedAt === null ? null : when(c.decidedAt),
  });

  return {
    corrected,
    held,
    /** The desk itself: the privacy-centre API's corrections routes use it. */
    desk,
    async page(subject: string): Promise<DataHeldView> {
      const facts = await held(subject, clock.now());
      return {
        facts: facts.map((f) => ({
          ref: f.path,
          label: labelOf(f),
          value: shown(f.path, f.value),
          input: typeof f.value === 'boolean' ? 'onoff' : 'text',
          correctedByYou: f.provenance.source === 'customer_correction',
        })),
        corrections: (await desk.corrections(subject)).map(viewOf).reverse(),
      };
    },
    /** Opens a correction of the fact `ref` to the value the customer typed or chose. */
    async open(subject: string, ref: string, typed: string, note?: string): Promise<OpenOutcome> {
      const fact = (await held(subject, clock.now())).find((f) => f.path === ref);
      if (!fact) return 'unknown_fact';
      const proposed = proposedValue(fact, typed);
      if (proposed === undefined) return 'invalid';
      try {
        await desk.open({
          id: `corr_${randomUUID()}`,
          subject,
          path: ref,
          proposed,
          ...(note ? { note } : {}),
        });
        return 'opened';
      } catch (error) {
        if (isCandorError(error, 'feedback/unknown_fact')) return 'unknown_fact';
        if (isCandorError(error, 'feedback/invalid_event')) return 'same_value';
        throw error;
      }
    },
    /** Every open correction of these customers, oldest first (the operator's queue). */
    async queue(subjects: readonly string[]): Promise<CorrectionView[]> {
      const out: CorrectionView[] = [];
      for (const subject of subjects)
        for (const c of await desk.corrections(subject)) out.push(viewOf(c));
      return out;
    },
    /** Accepts or rejects a correction; false when there is no such correction to decide. */
    async decide(
      subject: string,
      id: string,
      action: 'accept' | 'reject',
      reason: string | undefined,
    ): Promise<boolean> {
      try {
        if (action === 'accept') await desk.accept({ subject, id, ...(reason ? { reason } : {}) });
        else await desk.reject({ subject, id, reason: reason ?? '' });
        return true;
      } catch (error) {
        if (
          isCandorError(error, 'feedback/unknown_correction') ||
          isCandorError(error, 'feedback/invalid_transition') ||
          isCandorError(error, 'feedback/invalid_event')
        )
          return false;
        throw error;
      }
    },
  };
}

/** The demo's corrections, as `createDemoCorrections` makes them. */
export type DemoCorrections = ReturnType<typeof createDemoCorrections>;
