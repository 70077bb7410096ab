import { isDottedId, isWithin } from '@candor/core';
import type { Suite } from '../harness.ts';

const ids = Array.from({ length: 1024 }, (_, i) =>
  i % 7 === 0 ? `Bad.Id.${i}` : `user.behavior.segment_${i}.detail`,
);
const naive = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** Proves the harness: core's id check against a bare regex test, and hierarchy checks. */
export const coreSuites: Suite[] = [
  {
    kind: 'throughput',
    name: 'core: id parsing (1,024 ids per call)',
    cases: [
      { name: 'isDottedId', fn: () => ids.filter(isDottedId).length, opsPerCall: ids.length },
      {
        name: 'regex baseline',
        fn: () => ids.filter((id) => naive.test(id)).length,
        opsPerCall: ids.length,
      },
    ],
    targets: [{ case: 'isDottedId', baseline: 'regex baseline', atLeast: 0.5 }],
  },
  {
    kind: 'throughput',
    name: 'core: isWithin (1,024 pairs per call)',
    cases: [
      {
        name: 'isWithin',
        fn: () => ids.filter((id) => isWithin(id, 'user.behavior')).length,
        opsPerCall: ids.length,
      },
      {
        name: 'split baseline',
        fn: () =>
          ids.filter((id) => id.split('.').slice(0, 2).join('.') === 'user.behavior').length,
        opsPerCall: ids.length,
      },
    ],
  },
];
