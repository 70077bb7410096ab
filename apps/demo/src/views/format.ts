import type { Instant } from '@candor/core';

/** `2026-06-30 10:00 UTC` */
export function when(at: Instant): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `42 %` or `–` when there is nothing to rate yet. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)} %`;
}

export const signalLabels: Readonly<Record<string, string>> = {
  helpful: 'Helpful',
  not_interested: 'Not interested',
  too_frequent: 'Too frequent',
  intrusive: 'Creepy',
  wrong_data: 'Wrong data',
};

export const jurisdictionLabels: Readonly<Record<string, string>> = {
  EU: 'European Union (GDPR)',
  'US-CA': 'California (CCPA/CPRA)',
  US: 'United States',
};
