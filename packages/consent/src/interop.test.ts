import { describe, expect, it } from 'vitest';
import { purposes, setup } from '../test/fixtures';
import { parseGpcHeader, readNavigatorGpc, toConsentMode } from './interop';

describe('Global Privacy Control', () => {
  it('reads the Sec-GPC header in every shape a server sees', () => {
    expect(parseGpcHeader('1')).toBe(true);
    expect(parseGpcHeader(' 1 ')).toBe(true);
    expect(parseGpcHeader('0')).toBe(false);
    expect(parseGpcHeader('true')).toBe(false);
    expect(parseGpcHeader(undefined)).toBe(false);
    expect(parseGpcHeader(new Headers({ 'Sec-GPC': '1' }))).toBe(true);
    expect(parseGpcHeader(new Headers())).toBe(false);
    expect(parseGpcHeader({ 'sec-gpc': '1', accept: '*/*' })).toBe(true);
    expect(parseGpcHeader({ 'Sec-GPC': ['1'] })).toBe(true);
  });

  it('reads navigator.globalPrivacyControl only when it is exactly true', () => {
    expect(readNavigatorGpc({ globalPrivacyControl: true })).toBe(true);
    expect(readNavigatorGpc({ globalPrivacyControl: 'true' })).toBe(false);
    expect(readNavigatorGpc({})).toBe(false);
    expect(readNavigatorGpc(undefined)).toBe(false);
  });
});

describe('Google Consent Mode v2', () => {
  it('grants a signal only when every purpose feeding it is allowed, and denies unmapped ones', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    expect(toConsentMode(manager, purposes, 's')).toEqual({
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
      analytics_storage: 'denied',
      functionality_storage: 'denied',
      personalization_storage: 'denied',
      security_storage: 'denied',
    });
    await manager.grant({ subject: 's', purposes: ['ads.targeted', 'analytics.measurement'] });
    expect(toConsentMode(manager, purposes, 's')).toMatchObject({
      ad_storage: 'granted',
      ad_personalization: 'granted',
      analytics_storage: 'granted',
      ad_user_data: 'denied',
    });
    await manager.observeGpc({ subject: 's', gpc: true });
    expect(toConsentMode(manager, purposes, 's')).toMatchObject({
      ad_storage: 'denied',
      analytics_storage: 'granted',
    });
  });
});
