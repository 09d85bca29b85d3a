import type { Clock, Timers } from './clock.js';
import type { Logger } from './logger.js';
import type { RunOutcome } from './store.js';
import type { BaseTask, TaskContext } from './task.js';
import { isTaskDelayed } from './task-delayed.js';

export interface LaunchEnv {
  clock: Clock;
  timers: Timers;
  logger: Logger;
  maxTries: number;
  /** Wait before attempt i+1 is i x retryBackoff ms (Indico 1.2: i x 10 s). */
  retryBackoff: number;
  delay: number;
  abort: LazyAbort;
  heartbeat(): Promise<void>;
  services: unknown;
}

export interface LaunchResult {
  outcome: RunOutcome;
  attempts: number;
  error: string | null;
  startedOn: number;
  endedOn: number;
}

/**
 * An abort flag whose AbortController is made on first use of `signal`: most tasks never look at theirs, and a
 * controller per launch was a sizeable share of a short task's cost.
 */
export class LazyAbort {
  #controller: AbortController | null = null;
  #aborted = false;
  get aborted(): boolean {
    return this.#aborted;
  }
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
  }
}

function sleep(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What `prepare()` and `run()` receive; a class, so that the lazy `signal` getter stays cheap to create. */
class LaunchContext implements TaskContext {
  readonly taskId: number;
  readonly typeId: string;
  readonly maxTries: number;
  readonly logger: TaskContext['logger'];
  readonly heartbeat: TaskContext['heartbeat'];
  readonly services: unknown;
  readonly #abort: LazyAbort;
  constructor(
    task: BaseTask,
    env: LaunchEnv,
    readonly attempt: number,
    readonly delay: number,
    readonly now: () => number,
    readonly afterRun: TaskContext['afterRun'],
  ) {
    this.taskId = task.id!;
    this.typeId = task.typeId;
    this.maxTries = env.maxTries;
    this.logger = env.logger;
    this.heartbeat = env.heartbeat;
    this.services = env.services;
    this.#abort = env.abort;
  }
  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * One launch of a task: the expiry check, `prepare()`, then up to `maxTries` attempts. `TaskDelayed(n)` waits n s
 * and tries again with delay 0 (using up an attempt); any other error waits i x retryBackoff before attempt i+1.
 * Callbacks registered with `ctx.afterRun` by a failed attempt are dropped; the last attempt's run at the end.
 */
export async function executeLaunch(task: BaseTask, env: LaunchEnv): Promise<LaunchResult> {
  const startedOn = env.clock.now();
  const log = env.logger;
  if (task.expiryDate !== null && startedOn > task.expiryDate) {
    log.warn({ expiryDate: task.expiryDate }, 'task expired before it could run');
    return { outcome: 'expired', attempts: 0, error: 'expired', startedOn, endedOn: env.clock.now() };
  }
  let delay = env.delay;
  let attempt = 0;
  let ok = false;
  let lastError: unknown = null;
  let after: Array<() => void | Promise<void>> = [];
  const now = () => env.clock.now();
  const afterRun = (fn: () => void | Promise<void>) => {
    after.push(fn);
  };
  const ctx = (n: number): TaskContext => new LaunchContext(task, env, n, delay, now, afterRun);
  try {
    await task.prepare(ctx(0));
  } catch (err) {
    log.error({ err: describe(err) }, 'prepare() failed');
    return { outcome: 'failed', attempts: 0, error: describe(err), startedOn, endedOn: env.clock.now() };
  }
  while (attempt < env.maxTries && !env.abort.aborted) {
    attempt++;
    after = [];
    try {
      await task.run(ctx(attempt));
      ok = true;
      break;
    } catch (err) {
      lastError = err;
      if (isTaskDelayed(err)) {
        log.info({ attempt, seconds: err.seconds }, 'task asked to be delayed');
        await sleep(env.timers, err.seconds * 1000, env.abort.signal);
        delay = 0;
        continue;
      }
      log.warn({ attempt, err: describe(err) }, 'attempt failed');
      if (attempt < env.maxTries) await sleep(env.timers, attempt * env.retryBackoff, env.abort.signal);
    }
  }
  for (const fn of after) {
    try {
      await fn();
    } catch (err) {
      log.error({ err: describe(err) }, 'afterRun callback failed');
    }
  }
  const endedOn = env.clock.now();
  if (ok) {
    if (attempt > 1) log.warn({ attempts: attempt }, 'task succeeded after retries');
    return {
      outcome: task.terminatedBySelf ? 'terminated' : 'finished',
      attempts: attempt,
      error: null,
      startedOn,
      endedOn,
    };
  }
  log.error({ attempts: attempt }, `task failed too many (${attempt}) times`);
  return {
    outcome: 'failed',
    attempts: attempt,
    error: lastError === null ? 'aborted' : describe(lastError),
    startedOn,
    endedOn,
  };
}
