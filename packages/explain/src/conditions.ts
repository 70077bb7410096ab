import type { Fact, Instant, JsonValue } from '@candor/core';
import type { CompiledCatalog, MessageValues } from './catalog';
import type { ResolvedFact } from './facts';
import {
  HIDDEN_EXPECTED,
  type OperatorKey,
  operatorKey,
  RANGE_OPERATORS,
  SET_OPERATORS,
  WINDOW_OPERATORS,
} from './phrase';
import { durationMs, formatDuration, formatValue, isoInstant, looksLikeDate } from './values';

const DAY = 86_400_000;
/** Operators on instants: values without a description are shown as dates. */
const TIME_OPERATORS: ReadonlySet<OperatorKey> = /* @__PURE__ */ new Set([
  'before',
  'notBefore',
  'after',
  'notAfter',
  'within',
  'notWithin',
  'daysUntil',
  'notDaysUntil',
]);

/**
 * What the explainer knows how to say about facts, for one explanation.
 *
 * @example
 * const speaker: FactSpeaker = { describe, subject, name };
 */
export interface FactSpeaker {
  readonly catalog: CompiledCatalog;
  /** The fact's description in this locale, if the registry has one. */
  describe(fact: Fact): ResolvedFact | null;
  /** The fact as the subject of a sentence ("your card's expiry date", "a value from …"). */
  subject(fact: Fact): string;
  /** The fact as a name in a list or a comparison ("your card's expiry date", "your card details"). */
  name(fact: Fact): string;
}

/**
 * A condition as the catalogs phrase it: the values for `condition` and
 * `counterfactual.condition`, and the formatted clause (`statement`).
 *
 * @example
 * phrased.statement; // "the payment amount is €950, more than €500"
 */
export interface PhrasedCondition {
  readonly values: MessageValues;
  /** The values for `counterfactual.condition`: a compared fact by name only. */
  readonly counterValues: MessageValues;
  readonly operator: OperatorKey;
  readonly statement: string;
  readonly expected: string;
  readonly value: string;
}

/**
 * True when `value` is `{ fact: "<path>" }`: a comparison with another fact's value.
 *
 * @example
 * refPath({ fact: 'subscription.renewsAt' }); // 'subscription.renewsAt'
 */
export function refPath(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fact = (value as { fact?: unknown }).fact;
  return typeof fact === 'string' ? fact : undefined;
}

function asInstant(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' ? isoInstant(value) : undefined;
}

/** A value shown the way a fact's description (or, without one, its look) says. */
function formatterFor(
  speaker: FactSpeaker,
  fact: Fact,
  time: boolean,
): { format: (value: JsonValue | undefined) => string; isDate: boolean } {
  const described = speaker.describe(fact);
  if (described) return described;
  const { catalog } = speaker;
  if (time)
    return {
      format: (value) => {
        const ms = asInstant(value);
        // Epoch milliseconds (after 1973) or ISO text: a date; anything else as it is.
        return ms !== undefined && (typeof value === 'string' || Math.abs(ms) > 1e11)
          ? catalog.date.format(ms)
          : formatValue(value, catalog);
      },
      isDate: true,
    };
  return { format: (value) => formatValue(value, catalog), isDate: looksLikeDate(fact.value) };
}

/**
 * Phrases one condition reason of a decision: what `primary` is, and how it compares with what
 * the rule expected (a constant, or another fact `ref` when the rule compared two facts).
 *
 * @example
 * phraseCondition(speaker, reason, primary, ref, refShown, record.at).statement;
 */
export function phraseCondition(
  speaker: FactSpeaker,
  reason: {
    readonly code: string;
    readonly params?: Readonly<Record<string, JsonValue>> | undefined;
  },
  primary: Fact,
  ref: Fact | undefined,
  refShown: boolean,
  decidedAt: Instant,
): PhrasedCondition {
  const { catalog } = speaker;
  const params = reason.params ?? {};
  const raw = params.expected;
  const operator =
    reason.code === 'trigger'
      ? 'value'
      : operatorKey(params.operator ?? params.op, reason.code === 'condition_not', raw);
  const time = TIME_OPERATORS.has(operator);
  const shown = formatterFor(speaker, primary, time);
  const value = shown.format(primary.value);
  const isRef = refPath(raw) !== undefined;
  const compare = isRef ? (ref !== undefined && refShown ? 'fact' : 'hidden') : 'value';
  let expected = '';
  let otherName = '';
  let from = '';
  let to = '';
  let days = 0;
  if (compare === 'fact') {
    const other = formatterFor(speaker, ref!, time);
    otherName = speaker.name(ref!);
    expected = catalog.format('value.otherFact', {
      data: otherName,
      value: other.format(ref!.value),
    });
  } else if (compare === 'value' && !HIDDEN_EXPECTED.has(operator)) {
    if (SET_OPERATORS.has(operator))
      expected = Array.isArray(raw)
        ? setText(raw, primary.value, (v) => shown.format(v), catalog)
        : shown.format(raw);
    else if (RANGE_OPERATORS.has(operator)) {
      const [a, b] = Array.isArray(raw) ? raw : [raw, raw];
      const inDays = operator === 'daysUntil' || operator === 'notDaysUntil';
      from = inDays ? formatValue(a, catalog) : shown.format(a);
      to = inDays ? formatValue(b, catalog) : shown.format(b);
    } else if (WINDOW_OPERATORS.has(operator)) {
      const ms = durationMs(raw);
      expected = ms === undefined ? formatValue(raw, catalog) : formatDuration(ms, catalog);
    } else expected = shown.format(raw);
  }
  if (operator === 'daysUntil' || operator === 'notDaysUntil') {
    const at = asInstant(primary.value);
    days = at === undefined ? 0 : Math.ceil((at - decidedAt) / DAY) || 0;
  }
  const values: MessageValues = {
    subject: speaker.subject(primary),
    value,
    valueKind: shown.isDate ? 'date' : 'other',
    operator,
    compare,
    expected,
    from,
    to,
    days,
  };
  return {
    values,
    counterValues: otherName === '' ? values : { ...values, expected: otherName },
    operator,
    statement: catalog.format('condition', values),
    expected: expected || (from === '' ? '' : `${from} – ${to}`),
    value,
  };
}

/** How many values of a set a clause names before it says how many more there are. */
const SET_SHOWN = 10;

/**
 * The values of a set ("Austria, Belgium or France"), at most {@link SET_SHOWN}: a longer set
 * names the value the decision saw among them (were it one of the set) and says how many others
 * there are, so a clause never seems to say the value it saw is not one of them.
 */
function setText(
  values: readonly JsonValue[],
  seen: unknown,
  format: (value: JsonValue) => string,
  catalog: CompiledCatalog,
): string {
  if (values.length <= SET_SHOWN) return catalog.or.format(values.map(format));
  const at = values.findIndex((v) => Object.is(v, seen));
  const shown =
    at < SET_SHOWN - 1
      ? values.slice(0, SET_SHOWN - 1)
      : [...values.slice(0, SET_SHOWN - 2), values[at] as JsonValue];
  const others = catalog.format('value.others', { count: values.length - shown.length });
  return catalog.or.format([...shown.map(format), others]);
}
