// Puts the repository's one LICENSE into the package being packed, and takes it away again.
// Every published package runs it as `prepack` (copy) and `postpack` (`--remove`), so each tarball
// carries the licence (npm always packs a package's LICENSE) while the repository keeps a single
// copy at its root. Run from the package's folder, as npm runs lifecycle scripts.
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../LICENSE', import.meta.url);
const target = join(process.cwd(), 'LICENSE');

if (process.argv.includes('--remove')) {
  // Only the copy this script made: never a licence a package keeps of its own.
  if (existsSync(target) && readFileSync(target).equals(readFileSync(root))) rmSync(target);
} else {
  copyFileSync(root, target);
}
