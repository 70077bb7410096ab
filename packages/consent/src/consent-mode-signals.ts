// Google Consent Mode v2's signals, apart from the purpose registry so that the browser client
// can name them without bundling the registry's checks.

/**
 * A Google Consent Mode v2 signal a purpose feeds.
 *
 * @example
 * const signals: ConsentModeSignal[] = ['ad_storage', 'ad_user_data', 'ad_personalization'];
 */
export type ConsentModeSignal =
  | 'ad_storage'
  | 'ad_user_data'
  | 'ad_personalization'
  | 'analytics_storage'
  | 'functionality_storage'
  | 'personalization_storage'
  | 'security_storage';

/** The Google Consent Mode v2 signals a purpose can map to. */
export const consentModeSignals: readonly ConsentModeSignal[] = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
];
