import { describe, expect, it } from 'vitest';
import { gzippedBytes } from './suites/consent';

// What one import costs a browser app, bundled from the published build (as the "single helper"
// metrics do): a helper must not carry the tables of unrelated helpers of its package. Each limit
// sits between the size before the packages marked their module-level tables pure (in the
// comment) and after, so a table that stops being droppable fails here, not only in the bench.
const cases: readonly [pkg: string, name: string, maxKb: number, before: string][] = [
  ['consent', 'entryIdFromHash', 0.6, '2.3 KB: offer, choice and policy-pack checks came along'],
  ['consent', 'hashEntry', 2.2, '3.2 KB'],
  ['consent', 'sealEntry', 3.0, '4.1 KB'],
  ['consent', 'verifyChain', 2.7, '3.6 KB; 2.6 KB since it checks anchors'],
  ['explain', 'PSEUDO_LOCALE', 0.3, '0.9 KB: the message placeholder table came along'],
  ['explain', 'renderText', 1.7, '2.2 KB'],
  ['feedback', 'correctionSource', 0.15, '3.7 KB: zod, kind tables and durations came along'],
  ['feedback', 'isScopedKind', 0.25, '3.7 KB'],
  ['feedback', 'wilsonInterval', 0.6, '4.1 KB'],
  ['feedback', 'foldCorrections', 1.0, '4.3 KB'],
  ['feedback', 'checkFeedbackEvent', 2.0, '4.9 KB'],
  ['feedback', 'computeTrustMetrics', 2.6, '5.7 KB: needs checkFeedbackEvent, over 2 KB by nature'],
];

describe('a single helper per import', () => {
  for (const [pkg, name, maxKb, before] of cases) {
    it(`${pkg}'s ${name} bundles to at most ${maxKb} KB min+gzip (was ${before})`, async () => {
      const kb = (await gzippedBytes(`export { ${name} } from '@candor/${pkg}';`)) / 1024;
      expect(kb).toBeLessThanOrEqual(maxKb);
    });
  }
});
