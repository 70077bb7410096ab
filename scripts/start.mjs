// `npm start`: the demo app (apps/demo) on an embedded database, or on PostgreSQL when
// DATABASE_URL is set. Signals are passed on so Ctrl+C shuts the app down gracefully.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const child = spawn('npm', ['run', 'start', '--workspace', '@candor/demo'], {
  stdio: 'inherit',
  cwd: root,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
