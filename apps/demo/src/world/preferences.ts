import type { ConsentVerdict } from '@candor/core';
import { customers, type SeedCustomer } from '../catalog';
import { type DemoPurpose, purposes } from '../purposes';
import type { DemoService, PurposeView } from '../service';
import type { WorldContext } from './context';

/**
 * The customers and their consent choices: each purpose as the preferences page shows it, the
 * GPC signal their browser sends, and the choices they make (all through the consent ledger).
 */
export function preferences(
  world: WorldContext,
): Pick<DemoService, 'customers' | 'customer' | 'honorGpc' | 'preferences' | 'setConsent'> {
  const { consent, byId, tick } = world;
  const customerPurposes = (subject: string): PurposeView[] =>
    purposes.ids.map((id) => {
      const p = purposes.get(id);
      const verdict: ConsentVerdict = consent.decide({ subject, purpose: id, dataCategories: [] });
      const controllable =
        verdict.basis === 'consent' ||
        verdict.basis === 'legitimate_interest' ||
        verdict.basis === null;
      return {
        id,
        title: p?.title ?? id,
        description: p?.description ?? '',
        noticeVersion: verdict.noticeVersion ?? consent.currentNotice(id)?.version ?? null,
        basis: verdict.basis,
        status: verdict.status,
        allowed: verdict.allowed,
        controllable,
        dataCategories: p?.categories ?? [],
        benefit: p?.benefit?.text ?? null,
        turnedOff: turnedOff(subject, id),
        reasons: verdict.reasons.map((r) => r.detail).filter((d) => d.length > 0),
      };
    });

  // The categories of a purpose the customer turned off on their own ("Stop using X for this"):
  // those a decision is denied for by a choice about that category.
  const turnedOff = (subject: string, purpose: DemoPurpose): string[] => {
    const chosen = new Set(
      consent
        .entries(subject)
        .filter((e) => e.event.purposes.includes(purpose))
        .flatMap((e) => e.event.dataCategories ?? []),
    );
    return [...chosen].filter((category) => {
      const verdict = consent.decide({ subject, purpose, dataCategories: [category] });
      return !verdict.allowed && verdict.reasons[0]?.dataCategory === category;
    });
  };

  // The GPC signal as the ledger last recorded it (seeded, or sent by the visitor's browser).
  const withGpc = (c: SeedCustomer): SeedCustomer => {
    const signals = consent.entries(c.id).filter((e) => e.event.kind === 'signal_observed');
    const last = signals.at(-1)?.event.signal?.gpc;
    return last === undefined || last === c.gpc ? c : { ...c, gpc: last };
  };

  return {
    customers: () => customers.map(withGpc),
    customer: (id) => {
      const c = byId.get(id);
      return c ? withGpc(c) : undefined;
    },
    async honorGpc(subject) {
      const c = byId.get(subject);
      if (!c) return false;
      const change = await consent.observeGpc({
        subject,
        gpc: true,
        jurisdiction: c.region,
        method: 'gpc',
        surface: 'web.sec-gpc-header',
      });
      if (change) await tick();
      return change !== null;
    },

    preferences: (subject) => customerPurposes(subject),
    async setConsent(subject, purpose, action, category) {
      if (!purposes.has(purpose)) return false;
      if (category !== undefined && !purposes.get(purpose)?.categories.includes(category))
        return false;
      const details = {
        method: 'preference_center' as const,
        surface: 'web.preferences',
        ...(category === undefined ? {} : { dataCategories: [category] }),
      };
      if (action === 'grant') {
        const customer = byId.get(subject);
        // The customer pressed "Allow" next to the GPC notice: an explicit choice over the signal.
        const gpc = customer ? withGpc(customer).gpc : false;
        await consent.grant({
          subject,
          purposes: purpose,
          ...details,
          ...(gpc ? { confirmed: true } : {}),
        });
      } else if (action === 'object') {
        await consent.object({ subject, purposes: purpose, ...details });
      } else {
        await consent.withdraw({ subject, purposes: purpose, ...details });
      }
      await tick();
      return true;
    },
  };
}
