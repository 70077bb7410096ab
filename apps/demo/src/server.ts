import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app';
import type { DemoConfig } from './config';
import type { DemoService } from './service';

/** A started demo: its URL, and `close()` to stop the server then the database. */
export interface RunningDemo {
  readonly url: string;
  readonly port: number;
  readonly service: DemoService;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: DemoConfig;
  /** Opens the store, migrates, seeds and composes the packages. */
  readonly createService: (config: DemoConfig, log: (line: string) => void) => Promise<DemoService>;
  /** Progress lines, then one line per request answered with an error status (default: console.log). */
  readonly log?: (line: string) => void;
  /** Server-side errors (5xx), stack included (default: console.error). */
  readonly onError?: (error: unknown) => void;
}

/** Opens the database, composes Candor, and listens on `config.port` (0 = any free port). */
export async function startDemo(options: StartOptions): Promise<RunningDemo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { config } = options;
  const service = await options.createService(config, log);
  const app = createApp({
    service,
    operatorToken: config.operatorToken,
    log,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(config.signInLimits ? { signInLimits: config.signInLimits } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await service.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    service,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), 3_000);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await service.close();
      })();
      return closing;
    },
  };
}
