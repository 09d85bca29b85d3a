/**
 * The scheduler daemon of the soak run: the reference server's runtime (Redis from REDIS_URL, agents from
 * LIVESYNC_AGENTS) with two extra periodic tasks, a beat every second and a livesync push every 10 s.
 * Stops on SIGTERM / SIGINT.
 */
import { Redis } from 'ioredis';
import { loadConfig } from '../../../apps/server/src/config.js';
import { createLogger } from '../../../apps/server/src/logger.js';
import { createRuntime } from '../../../apps/server/src/runtime.js';
import { startTaskRunner } from '../../../apps/server/src/server.js';
import { SoakBeatTask, SoakPushTask } from '../src/soak-tasks.js';

const config = loadConfig();
const counter = new Redis(config.REDIS_URL!);
const rt = createRuntime(config, {
  logger: createLogger(config.LOG_LEVEL),
  tasks: [SoakBeatTask, SoakPushTask],
  services: {
    countBeat: async () => {
      await counter.incr('soak:beats');
    },
  },
});
await rt.client.enqueue(new SoakBeatTask('SECONDLY', { interval: 1 }));
await rt.client.enqueue(new SoakPushTask('SECONDLY', { interval: 10 }));
const scheduler = await startTaskRunner(rt);
const stop = async () => {
  await scheduler.stop('soak over');
  await rt.close();
  counter.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
