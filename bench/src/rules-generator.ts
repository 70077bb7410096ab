/**
 * A seeded generator for the rules benchmark: json-rules-engine JSON rules from five templates
 * (fraud, card lapse, sizing returns, maintenance, storm risk; 2–6 conditions, nested any/not,
 * paths), the same conditions as hand-written closures, and fact sets.
 */

/** A json-rules-engine rule as JSON. */
export interface JreRule {
  name: string;
  priority: number;
  conditions: Record<string, unknown>;
  event: { type: string; params: Record<string, unknown> };
}

/** One generated rule: its JSON, its hand-written closure, and the categories it reads. */
export interface GeneratedRule {
  json: JreRule;
  hand: (f: FactSet) => boolean;
  template: Template;
}

export type Template = 'fraud' | 'card_lapse' | 'sizing_returns' | 'maintenance' | 'storm_risk';

/** The data category each template's facts belong to. */
export const templateCategory: Record<Template, string> = {
  fraud: 'user.financial',
  card_lapse: 'user.financial.card',
  sizing_returns: 'user.behavior.returns',
  maintenance: 'user.device.vehicle',
  storm_risk: 'user.travel.itinerary',
};

/** The data category of each top-level fact. */
export const factCategory: Record<string, string> = {
  transaction: 'user.financial.transactions',
  account: 'user.financial.account',
  card: 'user.financial.card',
  returns: 'user.behavior.returns',
  vehicle: 'user.device.vehicle',
  flight: 'user.travel.itinerary',
};

export interface FactSet {
  transaction: {
    amount: number;
    country: string;
    velocity1h: number;
    merchantCategory: string;
  };
  account: { ageDays: number; country: string; tier: string };
  card: { daysToExpiry: number; hasBackup: boolean; autopay: boolean };
  returns: { count30d: number; sizeReasons: number; category: string };
  vehicle: { mileage: number; lastServiceDays: number; model: string; warnings: string[] };
  flight: { connectionMinutes: number; stormRisk: number; airport: string; delayMinutes: number };
}

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NG', 'BR'];
const MERCHANTS = ['grocery', 'travel', 'electronics', 'gambling', 'crypto'];
const TIERS = ['basic', 'plus', 'vip'];
const GARMENTS = ['shoes', 'dresses', 'shirts', 'pants'];
const MODELS = ['a', 'b', 'c', 'd'];
const WARNINGS = ['oil', 'tire', 'brake', 'battery'];
const AIRPORTS = ['ORD', 'DEN', 'JFK', 'ATL', 'DFW'];

/** `n` fact sets from `seed`. */
export function generateFactSets(n: number, seed: number): FactSet[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  return Array.from({ length: n }, () => ({
    transaction: {
      amount: int(0, 3000),
      country: pick(COUNTRIES),
      velocity1h: int(0, 12),
      merchantCategory: pick(MERCHANTS),
    },
    account: { ageDays: int(0, 2000), country: pick(COUNTRIES), tier: pick(TIERS) },
    card: { daysToExpiry: int(-10, 60), hasBackup: r() < 0.5, autopay: r() < 0.5 },
    returns: { count30d: int(0, 6), sizeReasons: int(0, 4), category: pick(GARMENTS) },
    vehicle: {
      mileage: int(0, 200_000),
      lastServiceDays: int(0, 900),
      model: pick(MODELS),
      warnings: WARNINGS.filter(() => r() < 0.3),
    },
    flight: {
      connectionMinutes: int(20, 240),
      stormRisk: int(0, 100) / 100,
      airport: pick(AIRPORTS),
      delayMinutes: int(0, 300),
    },
  }));
}

const c = (fact: string, path: string, operator: string, value: unknown) => ({
  fact,
  path: `$.${path}`,
  operator,
  value,
});

/** `n` rules from `seed`, cycling through the templates with random parameters and variants. */
export function generateRules(n: number, seed: number): GeneratedRule[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const two = <T>(xs: readonly T[]): [T, T] => {
    const a = pick(xs);
    let b = pick(xs);
    while (b === a) b = pick(xs);
    return [a, b];
  };
  const out: GeneratedRule[] = [];
  for (let i = 0; i < n; i++) {
    const name = `rule-${i}`;
    const priority = int(1, 10);
    const template = (
      ['fraud', 'card_lapse', 'sizing_returns', 'maintenance', 'storm_risk'] as const
    )[i % 5] as Template;
    const variant = int(0, 2);
    let conditions: Record<string, unknown>;
    let hand: (f: FactSet) => boolean;
    switch (template) {
      case 'fraud': {
        const A = int(500, 2500);
        const C = two(COUNTRIES);
        const V = int(3, 10);
        const D = int(30, 1500);
        const M = two(MERCHANTS);
        const base = [
          c('transaction', 'amount', 'greaterThan', A),
          {
            any: [
              c('transaction', 'country', 'notIn', C),
              c('transaction', 'velocity1h', 'greaterThanInclusive', V),
            ],
          },
          { not: c('account', 'tier', 'equal', 'vip') },
        ];
        if (variant === 0) {
          conditions = { all: base };
          hand = (f) =>
            f.transaction.amount > A &&
            (C.indexOf(f.transaction.country) === -1 || f.transaction.velocity1h >= V) &&
            f.account.tier !== 'vip';
        } else if (variant === 1) {
          conditions = { all: [...base, c('account', 'ageDays', 'lessThan', D)] };
          hand = (f) =>
            f.transaction.amount > A &&
            (C.indexOf(f.transaction.country) === -1 || f.transaction.velocity1h >= V) &&
            f.account.tier !== 'vip' &&
            f.account.ageDays < D;
        } else {
          conditions = {
            all: [
              ...base,
              c('account', 'ageDays', 'lessThan', D),
              c('transaction', 'merchantCategory', 'in', M),
            ],
          };
          hand = (f) =>
            f.transaction.amount > A &&
            (C.indexOf(f.transaction.country) === -1 || f.transaction.velocity1h >= V) &&
            f.account.tier !== 'vip' &&
            f.account.ageDays < D &&
            M.indexOf(f.transaction.merchantCategory) !== -1;
        }
        break;
      }
      case 'card_lapse': {
        const D = int(5, 40);
        const base = [
          c('card', 'daysToExpiry', 'lessThanInclusive', D),
          c('card', 'daysToExpiry', 'greaterThanInclusive', 0),
          { not: c('card', 'hasBackup', 'equal', true) },
        ];
        if (variant === 0) {
          conditions = { all: base };
          hand = (f) =>
            f.card.daysToExpiry <= D && f.card.daysToExpiry >= 0 && f.card.hasBackup !== true;
        } else {
          conditions = { all: [...base, c('card', 'autopay', 'equal', true)] };
          hand = (f) =>
            f.card.daysToExpiry <= D &&
            f.card.daysToExpiry >= 0 &&
            f.card.hasBackup !== true &&
            f.card.autopay === true;
        }
        break;
      }
      case 'sizing_returns': {
        const N = int(1, 4);
        const S = int(1, 3);
        const [X, Y] = two(GARMENTS);
        const base = [
          c('returns', 'count30d', 'greaterThanInclusive', N),
          c('returns', 'sizeReasons', 'greaterThanInclusive', S),
        ];
        if (variant === 0) {
          conditions = { all: base };
          hand = (f) => f.returns.count30d >= N && f.returns.sizeReasons >= S;
        } else {
          conditions = {
            all: [
              ...base,
              { any: [c('returns', 'category', 'equal', X), c('returns', 'category', 'equal', Y)] },
            ],
          };
          hand = (f) =>
            f.returns.count30d >= N &&
            f.returns.sizeReasons >= S &&
            (f.returns.category === X || f.returns.category === Y);
        }
        break;
      }
      case 'maintenance': {
        const M = int(60_000, 190_000);
        const D = int(180, 800);
        const models = two(MODELS);
        const W = pick(WARNINGS);
        const inner = {
          any: [
            c('vehicle', 'mileage', 'greaterThan', M),
            {
              all: [
                c('vehicle', 'lastServiceDays', 'greaterThan', D),
                { not: c('vehicle', 'model', 'in', models) },
              ],
            },
          ],
        };
        if (variant === 0) {
          conditions = inner;
          hand = (f) =>
            f.vehicle.mileage > M ||
            (f.vehicle.lastServiceDays > D && models.indexOf(f.vehicle.model) === -1);
        } else {
          conditions = { all: [inner, c('vehicle', 'warnings', 'contains', W)] };
          hand = (f) =>
            (f.vehicle.mileage > M ||
              (f.vehicle.lastServiceDays > D && models.indexOf(f.vehicle.model) === -1)) &&
            f.vehicle.warnings.indexOf(W) !== -1;
        }
        break;
      }
      default: {
        const R = int(30, 90) / 100;
        const C = int(45, 200);
        const airports = two(AIRPORTS);
        const D = int(30, 240);
        const X = pick(AIRPORTS);
        const base = [
          c('flight', 'stormRisk', 'greaterThanInclusive', R),
          c('flight', 'connectionMinutes', 'lessThan', C),
          {
            any: [
              c('flight', 'airport', 'in', airports),
              c('flight', 'delayMinutes', 'greaterThan', D),
            ],
          },
        ];
        if (variant === 0) {
          conditions = { all: base };
          hand = (f) =>
            f.flight.stormRisk >= R &&
            f.flight.connectionMinutes < C &&
            (airports.indexOf(f.flight.airport) !== -1 || f.flight.delayMinutes > D);
        } else {
          conditions = { all: [...base, { not: c('flight', 'airport', 'equal', X) }] };
          hand = (f) =>
            f.flight.stormRisk >= R &&
            f.flight.connectionMinutes < C &&
            (airports.indexOf(f.flight.airport) !== -1 || f.flight.delayMinutes > D) &&
            f.flight.airport !== X;
        }
      }
    }
    out.push({
      json: { name, priority, conditions, event: { type: template, params: { ruleId: name } } },
      hand,
      template,
    });
  }
  return out;
}

/** Converts json-rules-engine conditions to JsonLogic (strict comparisons). */
export function toJsonLogic(cond: Record<string, unknown>): unknown {
  if (Array.isArray(cond.all))
    return { and: cond.all.map((x) => toJsonLogic(x as Record<string, unknown>)) };
  if (Array.isArray(cond.any))
    return { or: cond.any.map((x) => toJsonLogic(x as Record<string, unknown>)) };
  if (cond.not !== undefined) return { '!': toJsonLogic(cond.not as Record<string, unknown>) };
  const path = `${cond.fact as string}${typeof cond.path === 'string' ? cond.path.slice(1) : ''}`;
  const v = { var: path };
  const value = cond.value;
  switch (cond.operator) {
    case 'equal':
      return { '===': [v, value] };
    case 'notEqual':
      return { '!==': [v, value] };
    case 'greaterThan':
      return { '>': [v, value] };
    case 'greaterThanInclusive':
      return { '>=': [v, value] };
    case 'lessThan':
      return { '<': [v, value] };
    case 'lessThanInclusive':
      return { '<=': [v, value] };
    case 'in':
      return { in: [v, value] };
    case 'notIn':
      return { '!': { in: [v, value] } };
    case 'contains':
      return { in: [value, v] };
    case 'doesNotContain':
      return { '!': { in: [value, v] } };
    default:
      throw new Error(`no JsonLogic for ${String(cond.operator)}`);
  }
}
