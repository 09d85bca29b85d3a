/**
 * The module `indico-scheduler` loads (INDICO_SCHEDULER_MODULE) when run through `indico-server scheduler
 * <command>`: this server's task registry and the services its tasks use, built from the same environment.
 */
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { createRuntime } from './runtime.js';

const env = loadConfig();
const runtime = createRuntime(env, { logger: pino({ level: env.LOG_LEVEL }, pino.destination(2)) });

export const registry = runtime.registry;
export const services = { livesync: runtime.livesync, catalog: runtime.catalog };
export const config = {
  sleepInterval: env.SCHEDULER_SLEEP_MS,
  daemonLease: env.SCHEDULER_LEASE_MS,
  taskMaxTries: env.SCHEDULER_MAX_TRIES,
  retryBackoff: env.SCHEDULER_RETRY_BACKOFF_MS,
  history: { maxAge: env.SCHEDULER_HISTORY_DAYS * 86_400_000, maxCount: env.SCHEDULER_HISTORY_MAX },
};

/** Closes the runtime this module opened (its Redis connection), so an in-process CLI command can end. */
export function close(): Promise<void> {
  return runtime.close();
}
