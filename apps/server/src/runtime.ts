import type { Catalog, ResultCache } from '@indico/export-api';
import { createMemoryCatalog, createMemoryResultCache } from '@indico/export-api';
import { createRedisCatalog, createRedisResultCache } from '@indico/export-api/redis';
import {
  type ApiKeyStore,
  createMemoryApiKeyStore,
  createMemoryReplayStore,
  type ReplayStore,
} from '@indico/http-signing';
import { createRedisApiKeyStore, createRedisReplayStore } from '@indico/http-signing/redis';
import { createMemoryTrackStore, SyncManager } from '@indico/livesync';
import { createRedisTrackStore } from '@indico/livesync/redis';

/** Hash tag of the livesync track: the export catalog's, so writes and their changes share one slot. */
export const TRACK_HASH_TAG = 'export';

import {
  Client,
  type Clock,
  createMemoryStore,
  Scheduler,
  type SchedulerConfig,
  type SchedulerStore,
  type TaskClass,
  type TaskRegistry,
} from '@indico/scheduler';
import { createRedisStore } from '@indico/scheduler/redis';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type CatalogWriter, createCatalogWriter } from './catalog-writer.js';
import type { ServerConfig } from './config.js';
import { type KeyDirectory, trackedKeyStore } from './keys.js';
import { connectRedis } from './redis-connection.js';
import { createTaskRegistry } from './tasks.js';

/** Everything the web process, the daemon and the CLI share: one set of stores over one connection. */
export interface Runtime {
  config: ServerConfig;
  logger: Logger;
  mode: 'memory' | 'redis';
  /** The one ioredis connection (null in embedded mode). */
  redis: Redis | null;
  /** Key prefix handed to every package store (`indico:`); each package adds its own `{hash tag}`. */
  prefix: string;
  catalog: Catalog;
  cache: ResultCache;
  keyStore: ApiKeyStore;
  keys: KeyDirectory;
  /** Used for the management API always, and for the export API when REPLAY_PROTECTION is on. */
  replayStore: ReplayStore;
  schedulerStore: SchedulerStore;
  registry: TaskRegistry;
  client: Client;
  livesync: SyncManager;
  /** Catalog writes with their livesync change in one unit (MULTI/EXEC on Redis). */
  writer: CatalogWriter;
  clock: Clock;
  /** Starts a scheduler loop in this process (the daemon, or the web process in embedded mode). */
  startScheduler(overrides?: Partial<SchedulerConfig>): Scheduler;
  /** The scheduler started by `startScheduler`, if any. */
  readonly scheduler: Scheduler | null;
  /** Redis PING within `timeoutMs`; always true in embedded mode. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Stops the scheduler (if any), closes every store, then the connection. Idempotent. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger: Logger;
  /** Use this connection instead of opening one from REDIS_URL (tests); it is not closed by `close()`. */
  redis?: Redis;
  clock?: Clock;
  /** Extra task types (registered next to LiveSyncUpdateTask in every process that runs tasks). */
  tasks?: TaskClass[];
  /** Extra scheduler services, next to `livesync`. */
  services?: Record<string, unknown>;
}

export function openRedis(url: string, logger: Logger): Redis {
  const redis = connectRedis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  let reported = false;
  redis.on('error', (err) => {
    if (!reported) logger.warn({ err: err.message }, 'redis connection error');
    reported = true;
  });
  redis.on('ready', () => {
    reported = false;
  });
  return redis;
}

export function createRuntime(config: ServerConfig, options: RuntimeOptions): Runtime {
  const { logger } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const ownsRedis = !options.redis && !!config.REDIS_URL;
  const redis = options.redis ?? (config.REDIS_URL ? openRedis(config.REDIS_URL, logger) : null);
  const prefix = `${config.REDIS_PREFIX}:`;
  const mode = redis ? 'redis' : 'memory';

  // listings and user reads answer from the process while Redis reports no change (CLIENT TRACKING)
  const catalog = redis
    ? createRedisCatalog({ client: redis, prefix, trackListings: true, trackUsers: true })
    : createMemoryCatalog();
  const cache = redis ? createRedisResultCache({ client: redis, prefix }) : createMemoryResultCache({ clock });
  // Verification reads a key per request: cached in process (dropped by the change channel at every key write),
  // and uses are written behind in batches (pending ones on close, which shutdown awaits before quitting Redis).
  const rawKeys = redis
    ? createRedisApiKeyStore({ redis, prefix, clock, cacheReads: true, batchUses: true })
    : createMemoryApiKeyStore({ clock });
  const { store: keyStore, directory: keys } = trackedKeyStore(rawKeys, redis, prefix);
  const replayStore = redis ? createRedisReplayStore({ redis, prefix }) : createMemoryReplayStore({ clock });
  const schedulerStore = redis ? createRedisStore({ redis, prefix }) : createMemoryStore();
  const excluded = new Set(config.LIVESYNC_AGENTS.flatMap((a) => a.excludedCategories));
  const livesync = new SyncManager({
    // The track shares the catalog's {export} hash tag: a catalog write and its change record commit in one
    // MULTI, which Redis Cluster allows only inside one slot.
    store: redis ? createRedisTrackStore({ redis, prefix, hashTag: TRACK_HASH_TAG }) : createMemoryTrackStore(),
    granularity: config.LIVESYNC_GRANULARITY,
    excludedCategories: excluded,
    clock,
    logger: logger.child({ component: 'livesync' }),
  });
  const registry = createTaskRegistry(options.tasks ?? []);
  const client = new Client({ store: schedulerStore, registry, clock, daemonLease: config.SCHEDULER_LEASE_MS });
  const writer = createCatalogWriter({ catalog, livesync, redis });
  let scheduler: Scheduler | null = null;
  let closing: Promise<void> | undefined;

  return {
    config,
    logger,
    mode,
    redis,
    prefix,
    catalog,
    cache,
    keyStore,
    keys,
    replayStore,
    schedulerStore,
    registry,
    client,
    livesync,
    writer,
    clock,
    get scheduler() {
      return scheduler;
    },
    startScheduler(overrides = {}) {
      if (scheduler) throw new TypeError('a scheduler already runs in this process');
      const s = new Scheduler({
        store: schedulerStore,
        registry,
        clock,
        logger: logger.child({ component: 'scheduler' }),
        services: { livesync, catalog, ...options.services },
        sleepInterval: config.SCHEDULER_SLEEP_MS,
        daemonLease: config.SCHEDULER_LEASE_MS,
        taskMaxTries: config.SCHEDULER_MAX_TRIES,
        retryBackoff: config.SCHEDULER_RETRY_BACKOFF_MS,
        history: { maxAge: config.SCHEDULER_HISTORY_DAYS * 86_400_000, maxCount: config.SCHEDULER_HISTORY_MAX },
        shutdownTimeout: config.SHUTDOWN_TIMEOUT_MS,
        ...overrides,
      });
      scheduler = s;
      s.run().then(
        (message) => logger.info({ message }, 'scheduler loop ended'),
        (err: unknown) => logger.error({ err }, 'scheduler loop failed'),
      );
      return s;
    },
    async ping(timeoutMs = 1000) {
      if (!redis) return true;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          redis.ping().then((r) => r === 'PONG'),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        ]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= (async () => {
        const steps: Array<[string, () => Promise<unknown>]> = [
          ['scheduler', async () => scheduler?.close()],
          ['livesync', () => livesync.close()],
          ['scheduler store', () => schedulerStore.close()],
          ['replay store', () => replayStore.close()],
          ['key store', () => keyStore.close()],
          ['result cache', () => cache.close()],
          ['catalog', () => catalog.close()],
          ['redis', async () => (ownsRedis && redis ? redis.quit().catch(() => redis.disconnect()) : undefined)],
        ];
        for (const [name, step] of steps) {
          try {
            await step();
          } catch (err) {
            logger.warn({ err, resource: name }, 'error while closing');
          }
        }
      })();
      return closing;
    },
  };
}
