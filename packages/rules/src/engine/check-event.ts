import { type Fact, isDottedId } from '@candor/core';
import { rulesError } from '../errors';
import type { RuleEvent } from '../types';

const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

function badEvent(at: string, why: string, value: unknown): never {
  throw rulesError('rules/invalid_event', why, undefined, at, value);
}

/** @internal Throws `rules/invalid_event` at the first malformed field of `event`. */
export function checkEvent(event: RuleEvent, path = 'event'): void {
  if (typeof event !== 'object' || event === null)
    badEvent(path, 'an event must be an object', event);
  if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > 200)
    badEvent(`${path}.id`, 'must be a string of 1 to 200 characters', event.id);
  if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type))
    badEvent(`${path}.type`, 'must be an event type such as "card.updated"', event.type);
  if (typeof event.subject !== 'string' || event.subject.length === 0 || event.subject.length > 256)
    badEvent(`${path}.subject`, 'must be a subject id of 1 to 256 characters', event.subject);
  if (!Number.isSafeInteger(event.at) || event.at < 0)
    badEvent(`${path}.at`, 'must be epoch milliseconds', event.at);
  if (event.timeZone !== undefined && typeof event.timeZone !== 'string')
    badEvent(`${path}.timeZone`, 'must be an IANA time zone name', event.timeZone);
  if (!Array.isArray(event.facts))
    badEvent(`${path}.facts`, 'must be an array of facts', event.facts);
  checkFacts(event.facts, path, '.facts');
}

/** Data categories already found well-formed (events repeat a few categories). */
const validCategories = new Set<string>();

/**
 * @internal Throws `rules/invalid_event` at the first malformed fact of `facts` (paths name the
 * fact as `<path><key>[i]`).
 */
export function checkFacts(facts: readonly Fact[], path: string, key = ''): void {
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i] as Fact;
    if (typeof f !== 'object' || f === null)
      badEvent(`${path}${key}[${i}]`, 'a fact must be an object', f);
    if (typeof f.path !== 'string' || f.path.length === 0)
      badEvent(`${path}${key}[${i}].path`, 'a fact needs a path', f.path);
    const category = f.category;
    if (!validCategories.has(category)) {
      if (!isDottedId(category))
        badEvent(`${path}${key}[${i}].category`, 'a fact needs a data category id', category);
      if (validCategories.size >= 1_000) validCategories.clear();
      validCategories.add(category);
    }
    if (typeof f.provenance !== 'object' || f.provenance === null)
      badEvent(`${path}${key}[${i}].provenance`, 'a fact needs its provenance', f.provenance);
  }
}
