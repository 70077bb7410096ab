/**
 * How `@candor/explain` describes the facts a recall returns (`memoryFact`), in English
 * and German: a family per kind of memory (`memory.complaint.*`), a case or complaint shown by its
 * summary, a stated reason by the reason the customer gave. Pass them to the explainer with your
 * own after them (a path's own description wins over its family's). Without them an explanation
 * names a memory by its data category and shows every field of its value ("Parcel arrived
 * broken, open").
 *
 * @example
 * const explainer = createExplainer({
 *   facts: { ...memoryFactDescriptions, 'memory.preference.seat': { label: 'your seat preference' } },
 * });
 */
export const memoryFactDescriptions = /* @__PURE__ */ Object.freeze({
  'memory.stated_reason.*': {
    label: { en: 'the reason you gave us', de: 'Ihre Angabe zum Anlass' },
    field: 'reason',
  },
  'memory.preference.*': {
    label: { en: 'a preference you told us', de: 'eine von Ihnen genannte Vorliebe' },
  },
  'memory.support_case.*': {
    label: { en: 'your support request', de: 'Ihre Supportanfrage' },
    field: 'summary',
  },
  'memory.complaint.*': {
    label: { en: 'your complaint', de: 'Ihre Beschwerde' },
    field: 'summary',
  },
  'memory.staff_note.*': {
    label: { en: 'a note our staff made', de: 'eine Notiz unseres Teams' },
  },
} as const);
