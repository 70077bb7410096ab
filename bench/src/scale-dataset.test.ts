import { createConsentManager, createMemoryLedgerStore, verifyChain } from '@candor/consent';
import { describe, expect, it } from 'vitest';
import {
  COPY_COLUMNS,
  chainFor,
  copyRow,
  copyText,
  emailAllowed,
  SCALE_NOW,
  subjectId,
} from './scale-dataset.ts';
import { purposes } from './suites/consent.ts';

describe('the scale dataset', () => {
  it('seals chains that verify, and verdicts that vary as emailAllowed says', async () => {
    const n = 200;
    const initial = Array.from({ length: n }, (_, i) => chainFor(i)).flat();
    for (let i = 0; i < n; i++) expect(verifyChain(chainFor(i)).valid).toBe(true);
    const store = createMemoryLedgerStore({ initial });
    const manager = createConsentManager({
      purposes,
      store,
      clock: { now: () => SCALE_NOW },
      cache: { maxSubjects: n },
    });
    await manager.load();
    await manager.prepare(Array.from({ length: n }, (_, i) => subjectId(i)));
    const statuses = new Set<string>();
    for (let i = 0; i < n; i++) {
      const verdict = manager.decide({
        subject: subjectId(i),
        purpose: 'marketing.email',
        dataCategories: ['user.contact.email'],
      });
      expect(verdict.allowed).toBe(emailAllowed(i));
      statuses.add(verdict.status);
    }
    expect([...statuses].sort()).toEqual(['expired', 'granted', 'withdrawn']);
    expect((await manager.verify()).valid).toBe(true);
  });

  it('writes COPY text rows, one per entry, with every column and special characters escaped', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText('plain')).toBe('plain');
    const [entry] = chainFor(7);
    const row = copyRow(entry!);
    expect(row.endsWith('\n')).toBe(true);
    const cells = row.slice(0, -1).split('\t');
    expect(cells).toHaveLength(COPY_COLUMNS.split(',').length);
    expect(JSON.parse(cells[7]!)).toEqual(entry!.event);
    expect(cells[10]).toBe(entry!.hash);
  });
});
