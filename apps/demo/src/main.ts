// `npm start`: the Candor demo on PGlite in ./data (or PostgreSQL when DATABASE_URL is set).
import { readConfig } from './config';
import { startDemo } from './server';
import { createWorld } from './world';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const config = readConfig(process.env);
  log('Candor demo starting');
  const demo = await startDemo({ config, createService: createWorld, log });
  log('');
  log(`  Ready: ${demo.url}`);
  log(
    config.operatorTokenGenerated
      ? `  Operator token (generated for this run; set CANDOR_OPERATOR_TOKEN to fix it): ${config.operatorToken}`
      : '  Operator token: from CANDOR_OPERATOR_TOKEN',
  );
  log(`  Operator pages: ${demo.url}/operator`);
  log('  Press Ctrl+C to stop.');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: closing the server and the database…`);
    demo.close().then(
      () => {
        log('Stopped cleanly.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: Ctrl+C reaches this process twice (from the terminal and forwarded by
  // `npm start`), and the second must not kill it halfway through closing the database.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
