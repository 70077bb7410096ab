import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type * as z from 'zod/mini';
import { readForm } from './refusal';
import type { DemoEnvBindings } from './security';
import { Layout, type LayoutProps } from './views/layout';

/** The request context every route handler receives. */
export type C = Context<DemoEnvBindings>;

/** Known flash messages: the query string picks one, it never carries text to echo. */
const flashes: Readonly<Record<string, { kind: 'ok' | 'error'; text: string }>> = {
  granted: { kind: 'ok', text: 'Allowed. This applies from the very next decision.' },
  withdrawn: { kind: 'ok', text: 'Withdrawn. Nothing will use it from the very next decision.' },
  objected: { kind: 'ok', text: 'Objection recorded. It applies from the very next decision.' },
  feedback: { kind: 'ok', text: 'Thanks, noted.' },
  control: { kind: 'ok', text: 'Done. This applies from the very next decision.' },
  sent: { kind: 'ok', text: 'Event sent. The results are below.' },
  advanced: { kind: 'ok', text: 'The virtual clock moved forward.' },
  resumed: { kind: 'ok', text: 'The rule is active again; its guardrail counts start afresh.' },
  remembered: { kind: 'ok', text: 'Order placed. Thank you for telling us what it is for.' },
  ordered: { kind: 'ok', text: 'Order placed.' },
  corrected: { kind: 'ok', text: 'Corrected. The next decision uses what you told us now.' },
  erased: { kind: 'ok', text: 'Deleted. Nothing will use it from the very next decision.' },
  complaint: { kind: 'ok', text: 'Complaint recorded. Offers wait until it is resolved.' },
  resolved: { kind: 'ok', text: 'Complaint resolved.' },
  undone: { kind: 'ok', text: 'Undone. Your booking is back as it was.' },
  chosen: { kind: 'ok', text: 'Thanks, your choice is recorded.' },
  booked: { kind: 'ok', text: 'Booked. The technician comes at the time shown below.' },
  say_what_is_right: {
    kind: 'ok',
    text: 'Thanks, noted. Tell us what is right with “This is wrong” next to it below.',
  },
  correction_opened: {
    kind: 'ok',
    text: 'Thanks. We will look into it and tell you here what we decided.',
  },
  same_value: {
    kind: 'error',
    text: 'That is what we already hold, so there is nothing to correct.',
  },
  correction_accepted: { kind: 'ok', text: 'Correction accepted. The next decision uses it.' },
  correction_rejected: { kind: 'ok', text: 'Correction rejected. The customer sees your reason.' },
  too_late: {
    kind: 'error',
    text: 'Too late to undo: the time to undo this change has ended, so the change stands.',
  },
  already_undone: { kind: 'ok', text: 'This change was already undone.' },
  undo_in_progress: {
    kind: 'ok',
    text: 'We are undoing this change right now. Look again in a moment.',
  },
  invalid: { kind: 'error', text: 'That request was not valid and was not applied.' },
};

/** Renders a full page in the demo's layout, with the flash message `?done=` names. */
export function page(
  c: C,
  props: Omit<LayoutProps, 'children' | 'flash'>,
  body: Child,
  status = 200,
) {
  const done = c.req.query('done') ?? '';
  const flash = Object.hasOwn(flashes, done) ? (flashes[done] ?? null) : null;
  return c.html(
    <>
      {raw('<!DOCTYPE html>')}
      <Layout {...props} flash={flash}>
        {body}
      </Layout>
    </>,
    status as 200,
  );
}

/** Back to `back` with the "not valid, not applied" flash. */
export function invalid(c: C, back: string) {
  return c.redirect(`${back}?done=invalid`, 303);
}

/**
 * Parses the form body with `schema`; `undefined` when it does not match. A body that cannot be
 * read at all is refused with 400.
 */
export async function form<T>(c: C, schema: z.ZodMiniType<T>): Promise<T | undefined> {
  const body = await readForm(c);
  const result = schema.safeParse(body);
  return result.success ? result.data : undefined;
}
