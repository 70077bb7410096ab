import { CandorError } from '@candor/core';
import { partitionOf } from '@candor/rules';
import type PgBoss from 'pg-boss';
import { createQueue, openBoss } from './boss';
import type { CandorDatabase } from './database';

/**
 * Events routed by subject to `partitions` queues, each worked by one worker at a time across
 * every process, so one customer's events are processed one after another, in the order they were
 * sent, while the partitions spread over the instances. Created by {@link startPartitionedQueue}.
 *
 * @example
 * const queue = await startPartitionedQueue(db, { partitions: 8, run: (e) => engine.process(e) });
 * await queue.send(event);
 * await queue.stop();
 */
export interface PartitionedQueue<E extends { readonly subject: string }> {
  /** `pg-boss` (PostgreSQL: durable, any number of processes) or `local` (PGlite: one process). */
  readonly mode: 'pg-boss' | 'local';
  /** The number of partitions; event `e` goes to `partitionOf(e.subject, partitions)`. */
  readonly partitions: number;
  /** Queues an event on its subject's partition; resolves once it is queued (durably on pg-boss). */
  send(event: E): Promise<void>;
  /**
   * Stops taking work and waits for what this process is running. On pg-boss, queued events stay
   * for the other instances (or the next start); in local mode every event sent is run first.
   */
  stop(): Promise<void>;
}

/**
 * Options of {@link startPartitionedQueue}.
 *
 * @example
 * const options: PartitionedQueueOptions<RuleEvent> = { partitions: 8, run: (e) => engine.process(e) };
 */
export interface PartitionedQueueOptions<E extends { readonly subject: string }> {
  /** How many partitions (1 to 1,000). Every instance must use the same count. */
  readonly partitions: number;
  /** Processes one event, typically `(e) => engine.process(e)`. Omit it to only send. */
  readonly run?: (event: E) => Promise<unknown>;
  /** Queue name: the partitions are pg-boss queues `<queue>-0` … (default `candor-events`). */
  readonly queue?: string;
  /** Schema pg-boss keeps its tables in (default `<db schema>_jobs`). */
  readonly jobsSchema?: string;
  /** How often an idle partition is polled, in seconds (default 1, minimum 0.1). */
  readonly pollingIntervalSeconds?: number;
  /** Retries after a failed `run`, each at once so the order holds (default 3); then it is dropped. */
  readonly retryLimit?: number;
  /**
   * A run still going after this long counts as failed and is retried, possibly elsewhere while
   * it still runs: keep it well above your slowest run (default 300 s; set by the sender).
   */
  readonly expireInSeconds?: number;
  /**
   * How often this instance's pg-boss looks for expired runs (those of a dead instance) to retry
   * them, in seconds (default 120; one instance does it per interval).
   */
  readonly maintenanceIntervalSeconds?: number;
  /** Called when `run` throws (with the event) or pg-boss reports an error (default: ignored). */
  readonly onError?: (error: unknown, event?: E) => void;
}

function invalid(path: string, value: unknown, message: string): never {
  throw new CandorError('postgres/invalid_options', `${path}: ${message}`, { path, value });
}

function checkOptions(db: CandorDatabase, o: PartitionedQueueOptions<never>): void {
  if (typeof o !== 'object' || o === null) invalid('options', o, 'must be an object');
  if (!Number.isInteger(o.partitions) || o.partitions < 1 || o.partitions > 1_000)
    invalid('partitions', o.partitions, 'must be an integer from 1 to 1000');
  if (o.run !== undefined && typeof o.run !== 'function')
    invalid('run', o.run, 'must be a function');
  if (o.run === undefined && db.driver.kind === 'pglite')
    invalid('run', o.run, 'is required on PGlite (one process runs what it sends)');
  if (o.queue !== undefined && !/^[\w.-]{1,100}$/.test(o.queue))
    invalid('queue', o.queue, 'must be 1 to 100 letters, digits, _, . or -');
  for (const [key, min] of [
    ['retryLimit', 0],
    ['expireInSeconds', 1],
    ['maintenanceIntervalSeconds', 1],
  ] as const)
    if (o[key] !== undefined && (!Number.isInteger(o[key]) || (o[key] as number) < min))
      invalid(key, o[key], `must be an integer of at least ${min}`);
  const poll = o.pollingIntervalSeconds;
  if (poll !== undefined && !(typeof poll === 'number' && poll > 0 && poll < 3_600))
    invalid('pollingIntervalSeconds', poll, 'must be a number of seconds above 0');
}

/** An abortable nap: `wake()` ends every pending one at once. */
function naps() {
  const waiting = new Set<() => void>();
  return {
    nap: (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiting.add(done);
      }),
    wake: () => {
      for (const done of [...waiting]) done();
    },
  };
}

/**
 * Starts a queue of events partitioned by subject (`partitionOf` of `@candor/rules`).
 *
 * - **PostgreSQL**: one pg-boss queue per partition, `<queue>-<n>`, with the `singleton` policy:
 *   at most one of its jobs is active at a time, across every process. Each instance that passes
 *   `run` polls every partition, takes the oldest job of a free one, runs it and completes it, so
 *   a partition moves to whichever instance is free, and an instance that stops or dies hands its
 *   partitions over (a job it was running is retried once `expireInSeconds` has passed and
 *   pg-boss's maintenance has seen it). A failed run is retried at once, before the partition's
 *   later events; after `retryLimit` retries the event is dropped (pg-boss keeps it as `failed`)
 *   and the partition moves on.
 * - **PGlite** (one process): one in-process lane per partition, same order and retries.
 *
 * Processing is at least once: an event whose run finished but whose completion was lost (a
 * crash in between) is run again; `engine.process` never proposes twice for one event (the same
 * proposal id again, or a cap, cooldown or dedup suppression). Throws `postgres/invalid_options`
 * for bad options, or when the queue already has another number of partitions.
 *
 * @example
 * const queue = await startPartitionedQueue<RuleEvent>(db, {
 *   partitions: 8,
 *   run: (event) => engine.process(event),
 * });
 * await queue.send(event); // any instance, even one that passes no `run`
 */
export async function startPartitionedQueue<E extends { readonly subject: string }>(
  db: CandorDatabase,
  options: PartitionedQueueOptions<E>,
): Promise<PartitionedQueue<E>> {
  checkOptions(db, options as PartitionedQueueOptions<never>);
  const { partitions, run } = options;
  const onError = options.onError ?? (() => undefined);
  const retryLimit = options.retryLimit ?? 3;
  const pollMs = Math.max(0.1, options.pollingIntervalSeconds ?? 1) * 1_000;
  const route = (event: E) => {
    if (typeof event !== 'object' || event === null || typeof event.subject !== 'string')
      throw new CandorError('postgres/invalid_input', 'event: must have a string subject', {
        path: 'event',
        value: event,
      });
    return partitionOf(event.subject, partitions);
  };
  let stopped = false;
  const closed = () => new CandorError('postgres/closed', 'the queue was stopped', {});

  /** Runs one event, retrying at once; `false` when every attempt failed. */
  const attempt = async (event: E, tries: number): Promise<boolean> => {
    for (let i = 0; i < tries; i++) {
      try {
        await (run as (event: E) => Promise<unknown>)(event);
        return true;
      } catch (error) {
        onError(error, event);
      }
    }
    return false;
  };

  if (db.driver.kind === 'pglite') {
    const lanes = Array.from({ length: partitions }, () => Promise.resolve());
    return {
      mode: 'local',
      partitions,
      async send(event) {
        if (stopped) throw closed();
        const p = route(event);
        lanes[p] = (lanes[p] as Promise<void>).then(() => attempt(event, retryLimit + 1).then());
      },
      async stop() {
        stopped = true;
        await Promise.all(lanes);
      },
    };
  }

  const queue = options.queue ?? 'candor-events';
  const jobsSchema = options.jobsSchema ?? `${db.schema}_jobs`;
  const boss = await openBoss(db, jobsSchema, onError, options.maintenanceIntervalSeconds);
  const name = (p: number) => `${queue}-${p}`;
  const taken = (await boss.getQueues())
    .map((q) => new RegExp(`^${queue.replace(/\./g, '\\.')}-(\\d+)$`).exec(q.name)?.[1])
    .filter((n) => n !== undefined)
    .map(Number);
  // Created highest first, so even a start cut short leaves the count visible to the next one.
  if (taken.length > 0 && Math.max(...taken) + 1 !== partitions) {
    await boss.stop({ graceful: false, wait: true });
    invalid(
      'partitions',
      partitions,
      `queue "${queue}" has ${Math.max(...taken) + 1} partitions; every instance must use the ` +
        'same count (to change it, stop every instance, drain the partitions and delete them)',
    );
  }
  for (let p = partitions - 1; p >= 0; p--)
    await createQueue(boss, name(p), { name: name(p), policy: 'singleton' });
  const jobOptions = {
    retryLimit,
    retryDelay: 0,
    retryBackoff: false,
    expireInSeconds: options.expireInSeconds ?? 300,
  };

  /**
   * The oldest job of a free partition, or none. pg-boss's `singleton` policy keeps a second job
   * from starting while one runs, and one fetch per partition runs at a time (an advisory lock),
   * but a fetch can still take a partition's second event: when the first is being put back for a
   * retry as the fetch starts (a failed run, or pg-boss expiring a dead instance's run). So the
   * fetch is checked in its transaction, against pg-boss 10's job table: with an older event
   * waiting, it is rolled back and the next poll takes that one.
   */
  const olderWaiting = `select 1 from "${jobsSchema}".job o, "${jobsSchema}".job j
    where j.name = $1 and j.id = $2 and o.name = $1 and o.state in ('created', 'retry')
      and (o.created_on, o.id) < (j.created_on, j.id) limit 1`;
  const rolledBack = new Error('an older event of the partition is waiting');
  const fetchNext = async (queueName: string): Promise<PgBoss.Job<E> | undefined> => {
    if ((await boss.getQueueSize(queueName, { before: 'active' })) === 0) return undefined;
    try {
      return await db.driver.transaction(async (tx) => {
        const [lock] = await tx.query<{ ok: boolean }>(
          'select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as ok',
          [`candor:partition:${jobsSchema}.${queueName}`],
        );
        if (!lock?.ok) return undefined;
        // While another process runs this partition, pg-boss's fetch fails quietly: no job.
        const [job] = await boss.fetch<E>(queueName, {
          batchSize: 1,
          priority: false,
          db: {
            executeSql: async (text, values) => ({ rows: await tx.query(text, values ?? []) }),
          },
        });
        if (job !== undefined && (await tx.query(olderWaiting, [queueName, job.id])).length > 0)
          throw rolledBack;
        return job;
      });
    } catch (error) {
      if (error === rolledBack || (error as { cause?: unknown }).cause === rolledBack)
        return undefined;
      throw error;
    }
  };
  const { nap, wake } = naps();
  const lane = async (queueName: string) => {
    while (!stopped) {
      const job = await fetchNext(queueName).catch((error: unknown) => {
        onError(error);
        return undefined;
      });
      if (job === undefined) {
        await nap(pollMs);
        continue;
      }
      if (await attempt(job.data, 1)) await boss.complete(queueName, job.id).catch(onError);
      else await boss.fail(queueName, job.id).catch(onError);
    }
  };
  const lanes =
    run === undefined ? [] : Array.from({ length: partitions }, (_, p) => lane(name(p)));
  return {
    mode: 'pg-boss',
    partitions,
    async send(event) {
      if (stopped) throw closed();
      await boss.send(name(route(event)), event as object, jobOptions);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wake();
      await Promise.all(lanes);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
