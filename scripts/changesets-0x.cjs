// Preloaded by `npm run changeset` and `npm run version-packages` (node --require): teaches
// changesets 2 semver's rule for 0.x versions, where a minor bump is the breaking one.
//
// Changesets bumps a package to the next *major* when a peer dependency leaves its range
// (changesets/changesets#794). @candor/postgres lists consent, rules and feedback as caret peers
// (`^0.1.0`), so every minor release of one of them would take postgres from 0.x to 1.0.0. Here a
// major bump that no changeset asked for, on a package still at 0.x, becomes a minor bump: still
// breaking under 0.x semver, as a new peer range is. A changeset that says `major` still gives
// 1.0.0. Pre-release and snapshot versions are left exactly as changesets plans them.
'use strict';
const { createRequire } = require('node:module');

// changesets' own copies of its libraries (the ones its CLI will load).
const fromCli = createRequire(require.resolve('@changesets/cli/package.json'));
const plan = fromCli('@changesets/assemble-release-plan');
const inc = fromCli('semver/functions/inc');

const assembleReleasePlan = plan.default;
plan.default = function assembleReleasePlanFor0x(changesets, packages, config, preState, snapshot) {
  const result = assembleReleasePlan(changesets, packages, config, preState, snapshot);
  if (snapshot !== undefined || preState?.mode === 'pre') return result;
  for (const release of result.releases) {
    if (release.type !== 'major' || !release.oldVersion.startsWith('0.')) continue;
    const asked = changesets.some((changeset) =>
      changeset.releases.some((r) => r.name === release.name && r.type === 'major'),
    );
    if (asked) continue;
    release.type = 'minor';
    release.newVersion = inc(release.oldVersion, 'minor');
  }
  return result;
};
