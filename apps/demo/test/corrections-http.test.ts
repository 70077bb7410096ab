import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type HttpDemo,
  OPERATOR_TOKEN,
  snapshot,
  startHttpDemo,
  type Visitor,
} from './http-harness';

// Issue #17 item 5, bad input: a correction of a fact the customer does not have, a value of the
// wrong kind, or a decision on a correction nobody opened writes nothing. HTTP-level, no browser.

let h: HttpDemo;
let v: Visitor;

beforeAll(async () => {
  h = await startHttpDemo();
  v = await h.visitor();
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

const decide = (fields: Record<string, string>) =>
  fetch(`${h.url}/operator/corrections/decide`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${OPERATOR_TOKEN}`,
      'content-type': 'application/x-www-form-urlencoded',
      'x-csrf-token': v.csrf,
      cookie: v.cookie,
      origin: h.url,
    },
    body: new URLSearchParams({ ...fields, _csrf: v.csrf }),
  });

describe('corrections refuse bad input and write nothing', () => {
  test('a fact the customer does not have: 404, a plain page without the path', async () => {
    const before = await snapshot(h.service);
    const response = await v.post('/customers/cus_ana/data/correct', {
      fact: 'card.pin',
      value: '1234',
    });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('card.pin');
    expect(await snapshot(h.service)).toBe(before);
  });

  test('a value of the wrong kind, or none: refused as invalid', async () => {
    const before = await snapshot(h.service);
    for (const body of [
      { fact: 'preferences.sustainability', value: 'maybe' },
      { fact: 'account.homeCountry', value: 'Atlantis' },
      { fact: 'account.homeCountry', value: '' },
      { fact: 'account.homeCountry', value: 'Spain\u0007' },
    ]) {
      const response = await v.post('/customers/cus_ana/data/correct', body);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/customers/cus_ana/data?done=invalid');
    }
    expect(await snapshot(h.service)).toBe(before);
  });

  test('deciding a correction nobody opened, or rejecting without a reason: refused', async () => {
    const opened = await v.post('/customers/cus_ana/data/correct', {
      fact: 'account.homeCountry',
      value: 'Spain',
    });
    expect(opened.headers.get('location')).toBe('/customers/cus_ana/data?done=correction_opened');
    const before = await snapshot(h.service);
    const [mine] = await h.service.corrections.queue();
    expect(mine?.status).toBe('open');
    for (const fields of [
      { subject: 'cus_ana', correction: 'corr_nobody', action: 'accept' },
      { subject: 'cus_ben', correction: mine?.id ?? '', action: 'accept' },
      { subject: 'cus_ana', correction: mine?.id ?? '', action: 'reject' },
      { subject: 'cus_ana', correction: mine?.id ?? '', action: 'reject', reason: '   ' },
    ]) {
      const response = await decide(fields);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/operator/corrections?done=invalid');
    }
    expect(await snapshot(h.service)).toBe(before);
    // Accepted once; rejecting it afterwards is refused and changes nothing.
    const accepted = await decide({
      subject: 'cus_ana',
      correction: mine?.id ?? '',
      action: 'accept',
    });
    expect(accepted.headers.get('location')).toBe('/operator/corrections?done=correction_accepted');
    const after = await snapshot(h.service);
    const late = await decide({
      subject: 'cus_ana',
      correction: mine?.id ?? '',
      action: 'reject',
      reason: 'Changed my mind.',
    });
    expect(late.headers.get('location')).toBe('/operator/corrections?done=invalid');
    expect(await snapshot(h.service)).toBe(after);
  });
});
