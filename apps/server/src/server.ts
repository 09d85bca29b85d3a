import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scheduler } from '@indico/scheduler';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { objectRefs } from './catalog-io.js';
import { filesDir, type ServerConfig } from './config.js';
import { DEMO_ADMIN_ID, hasData, loadDemoData } from './demo-data.js';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
import { createShutdown } from './shutdown.js';
import { ensureAgents, ensurePeriodicTasks } from './tasks.js';

export interface RunningServer {
  url: string;
  server: Server;
  runtime: Runtime;
  /** Graceful: stop accepting, finish in-flight requests (bounded), stop the scheduler, close Redis. */
  close(): Promise<void>;
}

/** Seeds the demo data when the catalog is empty; true when it did. */
export async function seedIfEmpty(rt: Runtime): Promise<boolean> {
  if (await hasData(rt.catalog)) return false;
  await loadDemoData(rt.catalog, {
    generated: rt.config.DEMO_EVENTS,
    now: rt.clock.now(),
    filesDir: filesDir(rt.config),
  });
  return true;
}

/**
 * Scheduled work for a process that runs tasks: configured livesync agents exist and are active, the
 * periodic tasks are spooled, the scheduler loop runs here.
 */
export async function startTaskRunner(
  rt: Runtime,
  overrides?: Parameters<Runtime['startScheduler']>[0],
): Promise<Scheduler> {
  await ensureAgents(rt.livesync, rt.config.LIVESYNC_AGENTS, rt.logger, { objects: () => objectRefs(rt.catalog) });
  await ensurePeriodicTasks(rt.client, rt.config.LIVESYNC_INTERVAL, rt.config.LIVESYNC_TRIM_INTERVAL);
  return rt.startScheduler(overrides);
}

/** The web process: embedded mode seeds demo data and runs the scheduler in-process; Redis mode does neither. */
export async function startServer(
  config: ServerConfig,
  options: Partial<RuntimeOptions> & { logger: Logger; schedulerOverrides?: Parameters<Runtime['startScheduler']>[0] },
): Promise<RunningServer> {
  const runtime = createRuntime(config, options);
  const { logger } = options;
  try {
    if (runtime.mode === 'memory') {
      logger.warn('REDIS_URL is not set: embedded mode, every store is in memory and is lost on exit');
      if (config.DEMO_DATA !== false && (await seedIfEmpty(runtime))) {
        logger.info({ generatedEvents: config.DEMO_EVENTS }, 'demo data loaded');
        // The CLI cannot reach in-memory stores, so the demo administrator's key is announced here.
        const k = await runtime.keyStore.create(DEMO_ADMIN_ID);
        logger.warn(`demo admin API key (user ${DEMO_ADMIN_ID}, kept in memory only): ak=${k.key} secret=${k.secret}`);
      }
      await startTaskRunner(runtime, options.schedulerOverrides);
    } else {
      logger.info({ prefix: runtime.prefix }, 'using Redis');
      if (config.DEMO_DATA === true && (await seedIfEmpty(runtime))) logger.info('demo data loaded into Redis');
      await ensureAgents(runtime.livesync, config.LIVESYNC_AGENTS, logger, {
        objects: () => objectRefs(runtime.catalog),
      });
    }
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const app = createApp(runtime, { store: runtime.mode, startedAt: Date.now() });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url, store: runtime.mode, apiMode: config.API_MODE }, `indico-server listening on ${url}`);
  const close = createShutdown(server, [{ name: 'runtime', close: () => runtime.close() }], config.SHUTDOWN_TIMEOUT_MS);
  return { url, server, runtime, close };
}
