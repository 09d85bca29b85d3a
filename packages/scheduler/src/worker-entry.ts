import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { systemClock, systemTimers } from './clock.js';
import { executeLaunch, LazyAbort } from './execute.js';
import type { Logger } from './logger.js';
import type { TaskRegistry } from './registry.js';
import type { WorkerJob, WorkerMessage } from './workers.js';

// Runs one launch in a worker thread or a child process and reports back over the parent channel.
function post(message: WorkerMessage): void {
  if (!isMainThread) parentPort!.postMessage(message);
  else process.send?.(message);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function main(job: WorkerJob): Promise<void> {
  const logger: Logger = {
    debug: (obj, msg) => post({ type: 'log', level: 'debug', obj, msg }),
    info: (obj, msg) => post({ type: 'log', level: 'info', obj, msg }),
    warn: (obj, msg) => post({ type: 'log', level: 'warn', obj, msg }),
    error: (obj, msg) => post({ type: 'log', level: 'error', obj, msg }),
  };
  const startedOn = Date.now();
  try {
    const mod = (await import(job.workerModule)) as {
      registry?: TaskRegistry;
      services?: unknown;
      default?: { registry?: TaskRegistry; services?: unknown };
    };
    const registry = mod.registry ?? mod.default?.registry;
    if (!registry) throw new Error(`${job.workerModule} exports no registry`);
    const task = registry.hydrate(job.record);
    const result = await executeLaunch(task, {
      clock: systemClock,
      timers: systemTimers,
      logger,
      maxTries: job.maxTries,
      retryBackoff: job.retryBackoff,
      delay: job.delay,
      abort: new LazyAbort(), // the parent kills the worker to abort it
      heartbeat: async () => post({ type: 'heartbeat' }),
      services: mod.services ?? mod.default?.services,
    });
    post({ type: 'result', result });
  } catch (err) {
    post({
      type: 'result',
      result: { outcome: 'failed', attempts: 0, error: describe(err), startedOn, endedOn: Date.now() },
    });
  }
}

if (!isMainThread) {
  main(workerData as WorkerJob).then(() => process.exit(0));
} else {
  process.once('message', (job) => {
    main(job as WorkerJob).then(() => process.disconnect?.());
  });
}
