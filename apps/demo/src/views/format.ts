import type { Instant } from '@candor/core';
import { en } from '@candor/explain';
import { categoryLabels, topicLabels } from '../catalog';

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

/** Built-in and demo labels for ids a customer page shows: never the id itself. */
const labelsOf = (
  kind: 'categories' | 'channels' | 'topics',
): Readonly<Record<string, string>> => ({
  ...(en.labels?.[kind] ?? {}),
  ...(kind === 'categories' ? categoryLabels : kind === 'topics' ? topicLabels : {}),
});
const labelMaps = {
  categories: labelsOf('categories'),
  channels: labelsOf('channels'),
  topics: labelsOf('topics'),
} as const;

/** The last part of an id in words, for an id nobody labelled (`travel.gate_change` → gate change). */
function words(id: string): string {
  return id.slice(id.lastIndexOf('.') + 1).replace(/[_-]+/g, ' ');
}

/** The label of a category, channel or topic id: its own, its nearest labelled parent's, or words. */
export function labelOf(kind: keyof typeof labelMaps, id: string): string {
  const map = labelMaps[kind];
  for (let at = id; at !== ''; at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '') {
    const found = map[at];
    if (found !== undefined) return found;
  }
  return words(id);
}

/** How a fact was learned, in words. */
export const provenanceLabels: Readonly<Record<string, string>> = {
  stated: 'you told us',
  observed: 'observed: recorded as it happened',
  inferred: 'estimated',
  derived: 'worked out by our systems',
};

/** How a consent record came about (`method · surface` in the ledger), in words. */
const methodLabels: Readonly<Record<string, string>> = {
  banner: 'consent banner',
  preference_center: 'privacy preferences',
  api: 'our app',
  import: 'imported record',
  gpc: 'Global Privacy Control',
};
const surfaceLabels: Readonly<Record<string, string>> = {
  'web.signup': 'when you signed up',
  'web.preferences': 'on this page',
  'web.why_this': 'from “Why am I seeing this?”',
  'web.sec-gpc-header': 'sent by your browser',
};
export function consentSourceLabel(source: string): string {
  const [method = '', surface] = source.split(' · ');
  const how = methodLabels[method] ?? words(method);
  if (surface === undefined) return how;
  return `${how}, ${surfaceLabels[surface] ?? words(surface)}`;
}
