import { describe, expect, it } from 'vitest';
import { purposes, setup } from '../test/fixtures';
import { fromTcString, tcfImportRecords, toTcString } from './tcf';

// A two-vendor Global Vendor List in the IAB's JSON shape (the real one is fetched and cached by
// the app; encoding needs one).
const tcfPurpose = (id: number, name: string) => ({
  id,
  name,
  description: name,
  illustrations: [],
});
const vendor = (id: number, name: string, purposeIds: number[]) => ({
  id,
  name,
  purposes: purposeIds,
  legIntPurposes: [],
  flexiblePurposes: [],
  specialPurposes: [],
  features: [],
  specialFeatures: [],
  usesCookies: true,
  cookieMaxAgeSeconds: 3600,
  cookieRefresh: false,
  usesNonCookieAccess: false,
});
const vendorList = {
  gvlSpecificationVersion: 3,
  vendorListVersion: 120,
  tcfPolicyVersion: 5,
  lastUpdated: '2026-04-30T16:00:00Z',
  purposes: Object.fromEntries(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => [n, tcfPurpose(n, `Purpose ${n}`)]),
  ),
  specialPurposes: {},
  features: {},
  specialFeatures: {},
  stacks: {},
  vendors: { 10: vendor(10, 'Ads Inc', [1, 3, 4]), 20: vendor(20, 'Metrics Co', [1, 8]) },
};

describe('IAB TCF v2.2 (@candor/consent/tcf)', () => {
  it('round-trips a subject’s consent through a TC string', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'ads.targeted' });
    const tcString = toTcString(manager, purposes, 's', {
      gvl: vendorList,
      cmpId: 300,
      cmpVersion: 2,
      publisherCountryCode: 'FR',
      vendors: [10],
      at: clock.now(),
    });
    expect(tcString).toMatch(/^C[A-Za-z0-9_-]+/);
    const decoded = fromTcString(tcString, purposes);
    expect(decoded).toMatchObject({
      cmpId: 300,
      cmpVersion: 2,
      vendorListVersion: 120,
      purposeConsents: [3, 4],
      vendorConsents: [10],
      granted: ['ads.targeted'],
      refused: [],
    });
    // TC strings keep deciseconds.
    expect(Math.abs(decoded.lastUpdated - clock.now())).toBeLessThan(100);
  });

  it('sets no consent bit without a grant, and imports what a string says', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    const tcString = toTcString(manager, purposes, 's', {
      gvl: vendorList,
      cmpId: 300,
      cmpVersion: 2,
      at: clock.now(),
    });
    const decoded = fromTcString(tcString, purposes);
    expect(decoded.purposeConsents).toEqual([]);
    expect(decoded.refused).toEqual(['ads.targeted']);
    const other = setup({ jurisdiction: 'FR' });
    await other.manager.grant({ subject: 'x', purposes: 'ads.targeted' });
    const granted = fromTcString(
      toTcString(other.manager, purposes, 'x', {
        gvl: vendorList,
        cmpId: 301,
        cmpVersion: 1,
        at: other.clock.now(),
      }),
      purposes,
    );
    await manager.import(tcfImportRecords(granted, 's'));
    expect(
      manager.decide({ subject: 's', purpose: 'ads.targeted', dataCategories: ['user.behavior'] }),
    ).toMatchObject({ allowed: true, reasons: [{ code: 'imported_grant' }] });
  });

  it('rejects bad CMP fields with a typed error', () => {
    const { manager } = setup();
    expect(() =>
      toTcString(manager, purposes, 's', { gvl: vendorList, cmpId: 1, cmpVersion: 1 }),
    ).toThrow(expect.objectContaining({ code: 'consent/invalid_tcf_options' }));
  });

  it('throws a typed error naming an undecodable string', () => {
    expect(() => fromTcString('not-a-tc-string!', purposes)).toThrow(
      expect.objectContaining({
        code: 'consent/invalid_tc_string',
        details: expect.objectContaining({ value: 'not-a-tc-string!' }),
      }),
    );
  });
});
