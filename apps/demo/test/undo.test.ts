import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type HttpDemo, startHttpDemo, type Visitor } from './http-harness';

// The inbox's one-tap undo says truly why a second tap changed nothing.

let h: HttpDemo;
let v: Visitor;

beforeAll(async () => {
  h = await startHttpDemo();
  v = await h.visitor();
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

describe('undoing a storm rebooking from the inbox', () => {
  test('undoes it once; a second tap says it was already undone, not that it is too late', async () => {
    const outcomes = await h.service.sendEvent({ subject: 'cus_ana', type: 'flight.weather_risk' });
    expect(outcomes.map((o) => `${o.ruleId}:${o.fired}`)).toContain('storm-rebooking:true');
    const message = h.service.inbox('cus_ana').find((m) => m.ruleId === 'storm-rebooking');
    if (!message) throw new Error('no storm-rebooking message for cus_ana');
    const tap = () => v.post(`/customers/cus_ana/messages/${message.id}/undo`, {});
    const first = await tap();
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/customers/cus_ana/inbox?done=undone');
    const second = await tap();
    expect(second.headers.get('location')).toBe('/customers/cus_ana/inbox?done=already_undone');
    const page = await (await v.get('/customers/cus_ana/inbox?done=already_undone')).text();
    expect(page).toContain('This change was already undone.');
    expect(page).not.toContain('Too late to undo');
  });

  test('an undo tapped from the explanation while one is under way says so', async () => {
    // A day later (past the rule's cooldown), another storm, another change.
    await h.service.advanceClock(24 * 3_600_000);
    await h.service.sendEvent({ subject: 'cus_ana', type: 'flight.weather_risk' });
    const message = h.service
      .inbox('cus_ana')
      .find((m) => m.ruleId === 'storm-rebooking' && m.change?.status === 'undoable');
    if (!message) throw new Error('no storm-rebooking change for cus_ana');
    const control = h.service
      .explain('cus_ana', message.id, 'detailed')
      ?.explanation.controls.find((c) => c.kind === 'undo_change');
    if (!control) throw new Error('the explanation offers no undo');
    const [inbox, explanation] = await Promise.all([
      h.service.undoChange('cus_ana', message.id),
      h.service.applyControl('cus_ana', message.id, control.id),
    ]);
    expect(inbox).toEqual({ ok: true, applied: 'undone' });
    expect(explanation).toEqual({ ok: false, refused: 'undo_in_progress' });
    const page = await (
      await v.get(`/customers/cus_ana/messages/${message.id}?done=undo_in_progress`)
    ).text();
    expect(page).toContain('We are undoing this change right now. Look again in a moment.');
  });
});
