import { createReceipt } from '@candor/consent';
import { duration } from '@candor/core';
import { controller, purposes } from '../purposes';
import type { DemoService, HistoryEntry } from '../service';
import { labelOf, when } from '../views/format';
import type { WorldContext } from './context';

/**
 * What the customer can take away or look back on: consent receipts, when their data was used,
 * the export, and the history of their choices and of the changes made for them.
 */
export function records(
  world: WorldContext,
): Pick<DemoService, 'receipt' | 'dataUse' | 'exportData' | 'history'> {
  const { consent, clock, explainer, readChanges, changeRecords, byId } = world;
  const accessLog = world.storage.accessLog;
  return {
    async receipt(subject) {
      const history = await consent.exportHistory(subject);
      return {
        subject,
        exportedAt: history.exportedAt,
        chainValid: history.chain.valid,
        current: history.current,
        receipts: consent
          .entries(subject)
          .map((entry) => createReceipt(entry, { purposes, notices: consent.notices, controller })),
      };
    },
    async dataUse(subject) {
      const since = clock.now() - 90 * duration.day;
      // Grouped by the log itself (one SQL query on PostgreSQL/PGlite), not 10k rows in Node.
      // Days as the customer lives them, in their own time zone.
      const timeZone = byId.get(subject)?.timeZone;
      return explainer.readAccessHistory(
        accessLog,
        { subject, from: since },
        { locale: 'en', ...(timeZone === undefined ? {} : { timeZone }) },
      );
    },
    exportData: (subject) => consent.exportHistory(subject, { accessLog }),
    async history(subject): Promise<readonly HistoryEntry[]> {
      await readChanges(subject);
      const changes = (changeRecords.get(subject) ?? []).map(
        (r): HistoryEntry => ({
          at: r.at,
          purpose: r.purpose,
          action:
            r.kind === 'performed'
              ? `We moved your booking from ${r.details?.from ?? 'your flight'} to ${r.details?.to ?? 'another flight'}; you could undo it until ${when(r.undoUntil)}`
              : r.kind === 'undone'
                ? 'You undid the change: your booking is back as it was'
                : 'The time to undo the change ended: it stands',
          source: 'automated rule',
          noticeVersion: null,
          hash: null,
        }),
      );
      const ledger = [...consent.entries(subject)].reverse().map(
        (e): HistoryEntry => ({
          at: e.event.at,
          purpose: e.event.purposes.join(', ') || (e.event.signal ? 'Global Privacy Control' : '—'),
          action:
            e.event.kind === 'signal_observed'
              ? `signal observed: GPC ${e.event.signal?.gpc ? 'on' : 'off'}`
              : `${e.event.kind.replaceAll('_', ' ')}${
                  e.event.dataCategories
                    ? ` (only ${e.event.dataCategories.map((c) => labelOf('categories', c)).join(', ')})`
                    : ''
                }`,
          source: `${e.event.method}${e.event.surface ? ` · ${e.event.surface}` : ''}`,
          noticeVersion: e.event.notice?.version ?? null,
          hash: e.hash,
        }),
      );
      // Newest first, the consent ledger and the changes made for the customer together.
      return [...ledger, ...changes].sort((a, b) => b.at - a.at);
    },
  };
}
