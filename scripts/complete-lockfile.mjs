// The npm registry mirror on our machines lacks some platform-specific optional packages
// (e.g. @rollup/rollup-darwin-arm64 at the version rollup pins), so `npm install` here leaves them
// out of package-lock.json and `npm ci` then refuses the lockfile as out of sync. This adds the
// missing entries, with the os/cpu/libc they are built for, so `npm ci` skips them on Linux x64 as
// it skips every other foreign-platform binary. Run it after `npm install`: `npm run lockfile`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

/** Platform constraints read from a platform package's name, as their authors publish them. */
function platformOf(name) {
  const n = name.toLowerCase();
  const os = n.includes('darwin')
    ? 'darwin'
    : n.includes('win32') || n.includes('windows')
      ? 'win32'
      : n.includes('android')
        ? 'android'
        : n.includes('freebsd')
          ? 'freebsd'
          : n.includes('openbsd')
            ? 'openbsd'
            : n.includes('openharmony')
              ? 'openharmony'
              : n.includes('linux')
                ? 'linux'
                : null;
  const cpu = /arm64|aarch64/.test(n)
    ? 'arm64'
    : /ia32/.test(n)
      ? 'ia32'
      : /arm-|arm$|gnueabihf|musleabihf/.test(n)
        ? 'arm'
        : /loong64/.test(n)
          ? 'loong64'
          : /ppc64/.test(n)
            ? 'ppc64'
            : /riscv64/.test(n)
              ? 'riscv64'
              : /s390x/.test(n)
                ? 's390x'
                : /x64|64$/.test(n)
                  ? 'x64'
                  : null;
  const libc = os === 'linux' ? (n.includes('musl') ? 'musl' : 'glibc') : null;
  return { os, cpu, libc };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${dep}`;
    if (packages[nested] || packages[`node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) throw new Error(`cannot tell the platform of ${dep}; add it by hand`);
    const isLinuxX64Glibc = os === 'linux' && cpu === 'x64' && libc === 'glibc';
    if (isLinuxX64Glibc)
      throw new Error(`${dep}@${version} is for this platform but missing: run npm install`);
    packages[`node_modules/${dep}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  ),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} foreign-platform optional entries`);
