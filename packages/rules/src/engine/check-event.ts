import { type Fact, isDottedId } from '@candor/core';
import { rulesError } from '../errors';
import type { RuleEvent } from '../types';

const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

export function checkEvent(event: RuleEvent, path = 'event'): void {
  const bad = (where: string, why: string, value: unknown): never => {
    throw rulesError('rules/invalid_event', why, undefined, `${path}${where}`, value);
  };
  if (typeof event !== 'object' || event === null) bad('', 'an event must be an object', event);
  if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > 200)
    bad('.id', 'must be a string of 1 to 200 characters', event.id);
  if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type))
    bad('.type', 'must be an event type such as "card.updated"', event.type);
  if (typeof event.subject !== 'string' || event.subject.length === 0 || event.subject.length > 256)
    bad('.subject', 'must be a subject id of 1 to 256 characters', event.subject);
  if (!Number.isSafeInteger(event.at) || event.at < 0)
    bad('.at', 'must be epoch milliseconds', event.at);
  if (event.timeZone !== undefined && typeof event.timeZone !== 'string')
    bad('.timeZone', 'must be an IANA time zone name', event.timeZone);
  if (!Array.isArray(event.facts)) bad('.facts', 'must be an array of facts', event.facts);
  checkFacts(event.facts, `${path}.facts`);
}

export function checkFacts(facts: readonly Fact[], path: string): void {
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i] as Fact;
    const at = `${path}[${i}]`;
    if (typeof f !== 'object' || f === null)
      throw rulesError('rules/invalid_event', 'a fact must be an object', undefined, at, f);
    if (typeof f.path !== 'string' || f.path.length === 0)
      throw rulesError(
        'rules/invalid_event',
        'a fact needs a path',
        undefined,
        `${at}.path`,
        f.path,
      );
    if (!isDottedId(f.category))
      throw rulesError(
        'rules/invalid_event',
        'a fact needs a data category id',
        undefined,
        `${at}.category`,
        f.category,
      );
    if (typeof f.provenance !== 'object' || f.provenance === null)
      throw rulesError(
        'rules/invalid_event',
        'a fact needs its provenance',
        undefined,
        `${at}.provenance`,
        f.provenance,
      );
  }
}
