import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { type Clock, systemClock, systemTimers, type Timers } from './clock.js';
import { SchedulerError } from './errors.js';
import { TypedEmitter } from './events.js';
import { executeLaunch, type LaunchResult, LazyAbort } from './execute.js';
import { type Logger, silentLogger } from './logger.js';
import { PeriodicTask } from './periodic-task.js';
import { decodeTaskData, type TaskRecord } from './record.js';
import type { TaskRegistry } from './registry.js';
import { TaskStatus } from './states.js';
import type { ClaimedTask, Completion, RunResult, SchedulerStore, SpoolOutcome } from './store.js';
import type { BaseTask } from './task.js';
import { createWorkerLauncher, type Launcher, type LaunchRequest } from './workers.js';

export type MultitaskMode = 'inline' | 'threads' | 'processes';

export interface SchedulerConfig {
  store: SchedulerStore;
  registry: TaskRegistry;
  /** Idle wait between loop iterations when nothing is due sooner, ms. Default 10 000. */
  sleepInterval?: number;
  /** Attempts per launch (minimum 1). Default 5. */
  taskMaxTries?: number;
  /** Wait before attempt i+1 is i x retryBackoff ms. Default 10 000 (10 s, 20 s, ...). */
  retryBackoff?: number;
  /** Where tasks run: in this event loop (default), in worker threads, or in child processes. */
  multitaskMode?: MultitaskMode;
  /** Module (path or file URL) exporting `registry` (and optionally `services`) for threads / processes. */
  workerModule?: string;
  /** Tasks running at once in this daemon. Default 10. */
  concurrency?: number;
  /** AWOL threshold in ms, for every type or per typeId (falls back to the type's own, then 6000 s). */
  awolThreshold?: number | Record<string, number>;
  /** Chance of an AWOL check per iteration. Default 1. */
  awolCheckProbability?: number;
  /** History pruning; default keeps 7 days and at most 10 000 entries per index. */
  history?: { maxAge?: number; maxCount?: number };
  pruneInterval?: number;
  /** How long a graceful stop waits for running tasks, ms. Default 30 000. */
  shutdownTimeout?: number;
  /** A daemon not seen for this long (ms) is dead and its running tasks are relaunched. Default 30 000. */
  daemonLease?: number;
  /** Spool instructions applied per round trip. Default 1000. */
  batchSize?: number;
  /**
   * Claim tasks due within this many ms and start each at its exact due time on a local timer, so the Redis round
   * trip is off the critical path. Default 50. Tasks never start early.
   */
  lookahead?: number;
  /**
   * Tasks the daemon may claim beyond its free slots; they wait in this process (marked running, under its lease)
   * and start as soon as a slot frees, so that short tasks need not wait for a round trip. `'auto'` (default): as
   * many as this daemon finishes in about 10 ms at the pace of its recent runs, at most 3 x `concurrency` (none
   * before the first result, and none for runs of 10 x `concurrency` ms or more, which gain nothing from it and
   * would only be kept from other daemons). A number fixes it; 0 turns it off.
   */
  prefetch?: number | 'auto';
  clock?: Clock;
  timers?: Timers;
  logger?: Logger;
  random?: () => number;
  services?: unknown;
  hostname?: string;
  pid?: number;
  daemonId?: string;
  /** Whether a pid on this host is alive (used to recover a dead local daemon's tasks at once). */
  isProcessAlive?: (pid: number) => boolean;
}

const CONFIG_KEYS = new Set([
  'store',
  'registry',
  'sleepInterval',
  'taskMaxTries',
  'retryBackoff',
  'multitaskMode',
  'workerModule',
  'concurrency',
  'awolThreshold',
  'awolCheckProbability',
  'history',
  'pruneInterval',
  'shutdownTimeout',
  'daemonLease',
  'batchSize',
  'lookahead',
  'prefetch',
  'clock',
  'timers',
  'logger',
  'random',
  'services',
  'hostname',
  'pid',
  'daemonId',
  'isProcessAlive',
]);

const DEFAULT_AWOL = 6_000_000;

interface Active {
  id: number;
  run: number;
  typeId: string;
  task: BaseTask;
  startOn: number;
  lastBeat: number;
  threshold: number;
  abort: LazyAbort;
  terminated: boolean;
  logger: Logger;
  /** Timer of a task claimed ahead of its due time. */
  timer: unknown;
  /** Started (holds one of the `concurrency` slots until its result or its termination). */
  begun: boolean;
  /** Its slot was given back. */
  released: boolean;
}

/** `prefetch: 'auto'` holds about this much work (ms at the recent pace) beyond the running tasks. */
const PREFETCH_BUDGET_MS = 10;
/** ... and at most this many times `concurrency`. */
const PREFETCH_MAX = 3;

export interface TickReport {
  now: number;
  claimed: number;
  completed: number;
  spoolApplied: number;
  shutdown: string | null;
}

function configError(message: string): SchedulerError {
  return new SchedulerError('CONFIGURATION', message);
}

function positive(config: SchedulerConfig, key: keyof SchedulerConfig, fallback: number, min = 0): number {
  const v = config[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw configError(`${key} must be a number >= ${min}`);
  return v;
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function childLogger(logger: Logger, bindings: object): Logger {
  const l = logger as Logger & { child?: (b: object) => Logger };
  if (typeof l.child === 'function') return l.child(bindings);
  return {
    debug: (o, m) => logger.debug({ ...bindings, ...o }, m),
    info: (o, m) => logger.info({ ...bindings, ...o }, m),
    warn: (o, m) => logger.warn({ ...bindings, ...o }, m),
    error: (o, m) => logger.error({ ...bindings, ...o }, m),
  };
}

/**
 * The daemon: applies the spool, launches due tasks (bounded by `concurrency`), records results, detects AWOL
 * tasks and dead daemons, prunes history. `run()` loops until a `shutdown` instruction or `stop()`; `tick()` runs one
 * iteration (for embedding and fake-clock tests).
 */
export class Scheduler extends TypedEmitter {
  readonly daemonId: string;
  readonly #store: SchedulerStore;
  readonly #registry: TaskRegistry;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #sleepInterval: number;
  readonly #maxTries: number;
  readonly #retryBackoff: number;
  readonly #concurrency: number;
  readonly #awol: number | Record<string, number> | undefined;
  readonly #awolProbability: number;
  readonly #history: { maxAge?: number; maxCount?: number };
  readonly #pruneInterval: number;
  readonly #shutdownTimeout: number;
  readonly #lease: number;
  readonly #batch: number;
  readonly #lookahead: number;
  readonly #prefetch: number | 'auto';
  readonly #services: unknown;
  readonly #hostname: string;
  readonly #pid: number;
  readonly #isAlive: (pid: number) => boolean;
  readonly #launcher: Launcher;
  readonly #active = new Map<number, Active>();
  #results: Array<RunResult & { typeId: string }> = [];
  #nextDue: number | null = null;
  /** Steps sent and not yet answered, and the slots they claim. */
  #inflight = 0;
  #claiming = 0;
  /** Tasks started and not yet finished or terminated (at most `concurrency`). */
  #running = 0;
  /** Claimed and due, waiting for a slot (prefetched). */
  #ready: Array<{ active: Active; begin: () => void }> = [];
  /** Moving average of run times, ms (null before the first result). */
  #runAverage: number | null = null;
  /** The last step or maintenance failed: sleep a little before the next. */
  #backoff = false;
  #spoolPending = false;
  #started: Promise<void> | null = null;
  #stopping = false;
  #stopMessage = '';
  #loop: Promise<string> | null = null;
  #closed = false;
  #unsubscribe: (() => Promise<void>) | null = null;
  #wake: (() => void) | null = null;
  #woken = false;
  #lastTouch = Number.NEGATIVE_INFINITY;
  #lastRecover = Number.NEGATIVE_INFINITY;
  #lastPrune = Number.NEGATIVE_INFINITY;
  #startedAt = 0;

  constructor(config: SchedulerConfig) {
    super();
    if (!config || typeof config !== 'object') throw configError('Scheduler needs a configuration object');
    for (const key of Object.keys(config)) {
      if (!CONFIG_KEYS.has(key)) throw configError(`unknown configuration key '${key}'`);
    }
    if (!config.store || !config.registry) throw configError('store and registry are required');
    this.#store = config.store;
    this.#registry = config.registry;
    this.#clock = config.clock ?? systemClock;
    this.#timers = config.timers ?? systemTimers;
    this.#logger = config.logger ?? silentLogger;
    this.#random = config.random ?? Math.random;
    this.#sleepInterval = positive(config, 'sleepInterval', 10_000, 1);
    this.#maxTries = Math.floor(positive(config, 'taskMaxTries', 5, 1));
    this.#retryBackoff = positive(config, 'retryBackoff', 10_000);
    this.#concurrency = Math.floor(positive(config, 'concurrency', 10, 1));
    this.#awolProbability = positive(config, 'awolCheckProbability', 1);
    this.#pruneInterval = positive(config, 'pruneInterval', 60_000, 1);
    this.#shutdownTimeout = positive(config, 'shutdownTimeout', 30_000);
    this.#lease = positive(config, 'daemonLease', 30_000, 1);
    this.#batch = Math.floor(positive(config, 'batchSize', 1000, 1));
    this.#lookahead = positive(config, 'lookahead', 50);
    if (config.prefetch === undefined || config.prefetch === 'auto') this.#prefetch = 'auto';
    else this.#prefetch = Math.floor(positive(config, 'prefetch', 0));
    const awol = config.awolThreshold;
    if (awol !== undefined && typeof awol !== 'number' && (typeof awol !== 'object' || awol === null)) {
      throw configError('awolThreshold must be a number or a map of typeId to ms');
    }
    this.#awol = awol;
    const history = config.history ?? {};
    if (typeof history !== 'object') throw configError('history must be an object');
    for (const key of Object.keys(history)) {
      if (key !== 'maxAge' && key !== 'maxCount') throw configError(`unknown history option '${key}'`);
    }
    this.#history = { maxAge: 7 * 86_400_000, maxCount: 10_000, ...history };
    const mode = config.multitaskMode ?? 'inline';
    if (!['inline', 'threads', 'processes'].includes(mode)) {
      throw configError(`multitaskMode must be 'inline', 'threads' or 'processes'`);
    }
    if (mode !== 'inline' && !config.workerModule) throw configError(`multitaskMode '${mode}' needs workerModule`);
    this.#services = config.services;
    this.#hostname = config.hostname ?? os.hostname();
    this.#pid = config.pid ?? process.pid;
    this.#isAlive = config.isProcessAlive ?? defaultIsAlive;
    this.daemonId = config.daemonId ?? `${this.#hostname}:${this.#pid}:${randomBytes(4).toString('hex')}`;
    this.#launcher =
      mode === 'inline'
        ? {
            launch: (req) =>
              executeLaunch(req.task, {
                clock: this.#clock,
                timers: this.#timers,
                logger: req.logger,
                maxTries: this.#maxTries,
                retryBackoff: this.#retryBackoff,
                delay: req.delay,
                abort: req.abort,
                heartbeat: req.heartbeat,
                services: this.#services,
              }),
            close: async () => {},
          }
        : createWorkerLauncher(mode, config.workerModule!, {
            maxTries: this.#maxTries,
            retryBackoff: this.#retryBackoff,
          });
  }

  /** Tasks currently launched by this daemon. */
  get activeCount(): number {
    return this.#active.size;
  }

  #threshold(typeId: string): number {
    const cfg = this.#awol;
    if (cfg !== undefined && typeof cfg === 'object' && typeof cfg[typeId] === 'number') return cfg[typeId]!;
    return this.#registry.awolThreshold(typeId) ?? (typeof cfg === 'number' ? cfg : DEFAULT_AWOL);
  }

  #start(): Promise<void> {
    this.#started ??= (async () => {
      const now = this.#clock.now();
      this.#startedAt = now;
      // spec: scheduler §1.7 step 2 / T9 — relaunch EVERY task stranded by a dead daemon (legacy skipped half).
      const deadLocal = (await this.#store.daemons())
        .filter((d) => d.id !== this.daemonId && d.hostname === this.#hostname && !this.#isAlive(d.pid))
        .map((d) => d.id);
      await this.#store.touchDaemon(
        { id: this.daemonId, hostname: this.#hostname, pid: this.#pid, startedAt: this.#startedAt },
        now,
      );
      this.#lastTouch = now;
      await this.#recover(now, deadLocal);
      this.#unsubscribe = await this.#store.subscribe(() => this.#wakeUp());
      this.#logger.info({ daemonId: this.daemonId }, 'Scheduler started');
      this.emit('scheduler:started', { daemonId: this.daemonId });
    })();
    return this.#started;
  }

  async #recover(now: number, deadOwners: string[]): Promise<void> {
    this.#lastRecover = now;
    const ids = await this.#store.recover(now, this.#lease, deadOwners);
    for (const id of ids) {
      this.#logger.warn({ taskId: id }, 'task found running under a dead daemon; relaunching');
      this.emit('task:relaunched', { taskId: id });
      try {
        const record = await this.#store.getTask({ id });
        if (record && this.#registry.has(record.typeId)) await this.#registry.hydrate(record).tearDown();
      } catch (err) {
        this.#logger.warn({ taskId: id, err: String(err) }, 'tearDown() failed during relaunch');
      }
    }
  }

  #wakeUp(): void {
    this.#woken = true;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const handle = this.#timers.setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        this.#timers.clearTimeout(handle);
        this.#woken = false;
        resolve();
      };
    });
  }

  async #maintenance(now: number): Promise<void> {
    const third = this.#lease / 3;
    if (now - this.#lastTouch >= third) {
      this.#lastTouch = now;
      await this.#store.touchDaemon(
        { id: this.daemonId, hostname: this.#hostname, pid: this.#pid, startedAt: this.#startedAt },
        now,
      );
    }
    if (now - this.#lastRecover >= third) await this.#recover(now, []);
    if (now - this.#lastPrune >= this.#pruneInterval) {
      this.#lastPrune = now;
      const removed = await this.#store.prune(now, this.#history);
      if (removed > 0) this.#logger.debug({ removed }, 'history pruned');
    }
    if (this.#active.size > 0 && this.#random() < this.#awolProbability) await this.#checkAwol(now);
  }

  async #checkAwol(now: number): Promise<void> {
    for (const a of [...this.#active.values()]) {
      if (!a.begun || now - a.lastBeat <= a.threshold) continue; // one waiting for a slot has not started
      // spec: scheduler §1.11, T8 — terminate, tear down, and (intended) keep a periodic schedule alive.
      a.terminated = true;
      this.#active.delete(a.id);
      this.#release(a);
      a.logger.warn(
        { runningFor: now - a.lastBeat },
        'task has been running too long without a heartbeat; assuming it died abnormally',
      );
      a.abort.abort();
      try {
        await a.task.tearDown();
      } catch (err) {
        a.logger.warn({ err: String(err) }, 'tearDown() failed');
      }
      const next = a.task instanceof PeriodicTask ? a.task.nextAfter(a.startOn, now) : null;
      if (await this.#store.terminate(a.id, a.run, now, next, 'awol')) {
        this.emit('task:terminated', { taskId: a.id, typeId: a.typeId, run: a.run, reason: 'awol' });
      }
    }
  }

  /** One loop iteration: maintenance, then apply spool + record results + claim due tasks in one store step. */
  async tick(): Promise<TickReport> {
    if (this.#closed) throw new SchedulerError('CLOSED', 'the scheduler is closed');
    await this.#start();
    const now = this.#clock.now();
    await this.#maintenance(now);
    return this.#step(now, this.#stopping ? 0 : this.#free());
  }

  /** Slots plus prefetch: how many tasks this daemon may hold at once. */
  #window(): number {
    let prefetch = this.#prefetch;
    if (prefetch === 'auto') {
      const avg = this.#runAverage;
      prefetch =
        avg === null
          ? 0
          : Math.min(
              PREFETCH_MAX * this.#concurrency,
              Math.floor((this.#concurrency * PREFETCH_BUDGET_MS) / Math.max(avg, 0.01)),
            );
    }
    return this.#concurrency + prefetch;
  }

  /** Room in the window: neither held nor asked for by a step in flight. */
  #free(): number {
    return Math.max(0, this.#window() - this.#active.size - this.#claiming);
  }

  /**
   * One store step: the results gathered so far, the next spool batch, and a claim for up to `claim` due tasks;
   * then its reply: spool outcomes, completions, and the claimed tasks launched. If the step fails its results are
   * kept for the next one (a step whose reply was lost re-applies them as stale, harmlessly).
   */
  async #step(now: number, claim: number): Promise<TickReport> {
    const results = this.#results;
    this.#results = [];
    this.#claiming += claim;
    let out: Awaited<ReturnType<SchedulerStore['step']>>;
    try {
      out = await this.#store.step({
        now,
        owner: this.daemonId,
        results: results.map(({ typeId: _t, ...r }) => r),
        claim,
        claimUntil: now + this.#lookahead,
        spool: this.#batch,
      });
    } catch (err) {
      this.#claiming -= claim;
      this.#results = results.concat(this.#results);
      throw err;
    }
    for (const o of out.spool) this.#onSpool(o);
    out.completed.forEach((c, i) => {
      this.#onCompletion(c, results[i]!);
    });
    this.#nextDue = out.nextDue ?? (claim > 0 && out.claimed.length === claim ? now : null);
    this.#spoolPending = out.spoolPending;
    // every claimed task is active (or dead-lettered) before the claim is released, so no slot is counted twice
    const launches = out.claimed.map((c) => this.#launch(c, now));
    this.#claiming -= claim;
    await Promise.all(launches);
    if (out.shutdown !== null && !this.#stopping) {
      this.#logger.warn({ message: out.shutdown }, 'shutdown instruction received');
      this.#stopping = true;
      this.#stopMessage = out.shutdown;
    }
    this.emit('scheduler:tick', { now, running: this.#active.size });
    return {
      now,
      claimed: out.claimed.length,
      completed: out.completed.length,
      spoolApplied: out.spool.length,
      shutdown: out.shutdown,
    };
  }

  #onSpool(o: SpoolOutcome): void {
    const bindings = { taskId: o.id, typeId: o.typeId, ref: o.ref };
    switch (o.result) {
      case 'queued':
      case 'spooled':
        this.#logger.info(bindings, o.result === 'queued' ? 'task queued (queued)' : 'task queued (spooled)');
        this.emit('task:queued', { taskId: o.id!, typeId: o.typeId ?? '?', ref: o.ref, startOn: null });
        break;
      case 'duplicate':
        this.#logger.info(bindings, 'periodic schedule already registered; add ignored');
        break;
      case 'not-waiting':
        this.#logger.error(bindings, 'cannot move a task that is not in the waiting queue');
        break;
      case 'dead-lettered':
        this.#logger.error({ op: o.op, reason: o.message }, 'bad spool instruction moved to the dead-letter list');
        this.emit('spool:dead-lettered', { op: o.op, reason: o.message ?? '' });
        break;
      default:
        this.#logger.debug(bindings, `spool ${o.op}: ${o.result}`);
    }
  }

  #onCompletion(c: Completion, r: RunResult & { typeId: string }): void {
    const bindings = { taskId: c.id, typeId: r.typeId };
    if (!c.accepted) {
      this.#logger.warn(bindings, 'result of a launch that is no longer current ignored');
      return;
    }
    if (r.outcome === 'finished') {
      this.#logger.info(bindings, 'task finished');
      this.emit('task:finished', {
        taskId: c.id,
        typeId: r.typeId,
        run: r.run,
        occurrence: c.occurrence,
        attempts: r.attempts,
      });
    } else if (r.outcome === 'terminated') {
      this.emit('task:terminated', { taskId: c.id, typeId: r.typeId, run: r.run, reason: 'suicide' });
    } else {
      const reason = r.outcome === 'expired' ? 'expired' : r.error === 'worker crashed' ? 'worker-crashed' : 'error';
      this.#logger.error({ ...bindings, reason, error: r.error }, 'task failed');
      this.emit('task:failed', {
        taskId: c.id,
        typeId: r.typeId,
        run: r.run,
        occurrence: c.occurrence,
        reason,
        error: r.error,
      });
    }
    if (c.requeuedAt !== null) this.#logger.info({ ...bindings, startOn: c.requeuedAt }, 'task rescheduled');
  }

  async #launch(c: ClaimedTask, now: number): Promise<void> {
    let task: BaseTask;
    let record: TaskRecord;
    try {
      const data = decodeTaskData(c.data, { ref: c.ref, kind: c.kind, key: c.key });
      record = {
        id: c.id,
        ref: data.ref,
        typeId: data.typeId,
        kind: data.kind,
        params: data.params,
        status: TaskStatus.RUNNING,
        startOn: c.startOn,
        expiryDate: data.expiryDate,
        createdOn: data.createdOn,
        startedOn: c.startedOn,
        endedOn: null,
        rule: data.rule,
        key: data.key,
        occurrences: c.occurrences,
        runs: c.run,
        owner: this.daemonId,
        lastError: null,
        awolThreshold: data.awolThreshold,
      };
      task = this.#registry.hydrate(record);
    } catch (err) {
      // A corrupted stored task never crashes the daemon: it goes to the dead-letter list with the reason.
      const reason = `cannot rehydrate task: ${err instanceof Error ? err.message : String(err)}`;
      this.#logger.error({ taskId: c.id, reason }, 'stored task moved to the dead-letter list');
      await this.#store.deadLetterTask(c.id, c.run, reason, now);
      this.emit('task:failed', {
        taskId: c.id,
        typeId: '?',
        run: c.run,
        occurrence: null,
        reason: 'corrupt',
        error: reason,
      });
      return;
    }
    const logger = childLogger(this.#logger, { taskId: c.id, typeId: record.typeId });
    const active: Active = {
      id: c.id,
      run: c.run,
      typeId: record.typeId,
      task,
      startOn: c.startOn,
      lastBeat: Math.max(now, c.startOn),
      threshold: this.#threshold(record.typeId),
      abort: new LazyAbort(),
      terminated: false,
      logger,
      timer: null,
      begun: false,
      released: false,
    };
    this.#active.set(c.id, active);
    const begin = () => {
      active.timer = null;
      const startedAt = this.#clock.now();
      active.lastBeat = Math.max(active.lastBeat, startedAt);
      const delay = Math.max(0, startedAt - c.startOn);
      logger.info({ delay }, 'task started');
      this.emit('task:started', { taskId: c.id, typeId: record.typeId, run: c.run, delay });
      const request: LaunchRequest = {
        task,
        record,
        delay,
        abort: active.abort,
        logger,
        heartbeat: async () => {
          if (active.terminated) return;
          const t = this.#clock.now();
          active.lastBeat = t;
          await this.#store.heartbeat(c.id, c.run, t);
        },
      };
      this.#launcher.launch(request).then(
        (res) => this.#onResult(active, res),
        (err) =>
          this.#onResult(active, {
            outcome: 'failed',
            attempts: 0,
            error: String(err),
            startedOn: startedAt,
            endedOn: this.#clock.now(),
          }),
      );
    };
    // Claimed ahead of time (lookahead): start exactly at the due time, never before it.
    const arm = (ms: number) => {
      active.timer = this.#timers.setTimeout(() => {
        if (active.terminated) return;
        const left = c.startOn - this.#clock.now();
        if (left > 0) arm(left);
        else this.#admit(active, begin);
      }, ms);
    };
    const wait = c.startOn - this.#clock.now();
    if (wait > 0) arm(wait);
    else this.#admit(active, begin);
  }

  /** Starts a due task in a free slot, or queues it until one frees. */
  #admit(active: Active, begin: () => void): void {
    if (this.#running < this.#concurrency && this.#ready.length === 0) {
      this.#running++;
      active.begun = true;
      begin();
    } else {
      this.#ready.push({ active, begin });
    }
  }

  /** Gives back a started task's slot (once) and starts the next waiting task in it. */
  #release(a: Active): void {
    if (!a.begun || a.released) return;
    a.released = true;
    this.#running--;
    while (this.#running < this.#concurrency && this.#ready.length > 0) {
      const next = this.#ready.shift()!;
      if (next.active.terminated) continue;
      this.#running++;
      next.active.begun = true;
      next.begin();
    }
  }

  #onResult(a: Active, res: LaunchResult): void {
    const took = res.endedOn - res.startedOn;
    this.#runAverage = this.#runAverage === null ? took : this.#runAverage * 0.9 + took * 0.1;
    this.#release(a);
    if (a.terminated) {
      a.logger.warn({ outcome: res.outcome }, 'task finished after being terminated; result ignored');
      return;
    }
    this.#active.delete(a.id);
    let nextStartOn: number | null = null;
    if (a.task instanceof PeriodicTask) {
      try {
        nextStartOn = a.task.nextAfter(a.startOn, res.endedOn);
      } catch (err) {
        a.logger.error({ err: String(err) }, 'cannot compute the next occurrence');
      }
    }
    this.#results.push({
      id: a.id,
      run: a.run,
      typeId: a.typeId,
      outcome: res.outcome,
      startedOn: res.startedOn,
      endedOn: res.endedOn,
      nextStartOn,
      attempts: res.attempts,
      delay: Math.max(0, res.startedOn - a.startOn),
      error: res.error,
    });
    this.#wakeUp();
  }

  /** Runs the loop until a `shutdown` instruction or `stop()`; resolves with the shutdown message. */
  run(): Promise<string> {
    this.#loop ??= this.#runLoop();
    return this.#loop;
  }

  /**
   * The daemon loop. Up to two steps are in flight at once, each claiming at most half the window (concurrency
   * plus prefetch): while Redis runs one, the daemon launches the tasks of the other and gathers their results, so
   * neither side waits for the other (one step at a time left both idle half of the time). After a timed sleep it
   * always sends a step, as the lease, the AWOL check and due tasks need.
   */
  async #runLoop(): Promise<string> {
    await this.#start();
    let force = true;
    while (!this.#stopping) {
      if (this.#backoff) {
        this.#backoff = false;
        await this.#sleep(Math.min(this.#sleepInterval, 1000));
        force = true;
        continue;
      }
      const now = this.#clock.now();
      if (this.#inflight < 2 && (force || this.#worthSending(now))) {
        force = false;
        try {
          await this.#maintenance(now);
        } catch (err) {
          this.#failed(err);
          continue;
        }
        if (this.#stopping) break;
        this.#send(now);
        continue;
      }
      if (this.#inflight > 0) {
        await this.#sleep(this.#sleepInterval); // a reply or a result wakes it
        continue;
      }
      let wait = this.#sleepInterval;
      if (this.#nextDue !== null && this.#free() > 0) {
        wait = Math.min(wait, this.#nextDue - this.#lookahead - now);
      }
      wait = Math.min(wait, this.#lastTouch + this.#lease / 3 - now);
      if (this.#active.size > 0) wait = Math.min(wait, this.#sleepInterval);
      if (wait > 0) await this.#sleep(wait);
      else this.#woken = false;
      force = true;
    }
    while (this.#inflight > 0) await this.#sleep(this.#sleepInterval);
    await this.#drain();
    return this.#stopMessage;
  }

  /** Whether a step now would carry something: results, spool left over, or a claim of due tasks. */
  #worthSending(now: number): boolean {
    const free = this.#free();
    const due = this.#nextDue !== null && this.#nextDue - this.#lookahead <= now;
    if (this.#inflight === 0) return this.#results.length > 0 || this.#spoolPending || (free > 0 && due);
    // beside a step in flight, only a batch worth its round trip, or the next spool batch (applied while this
    // process handles the previous one; at worst one empty step)
    const half = this.#half();
    return this.#results.length >= half || (free >= half && due) || this.#spoolPending;
  }

  /** Most tasks one step of the loop claims: half the window (two steps in flight share it). */
  #half(): number {
    return Math.max(1, Math.ceil(this.#window() / 2));
  }

  #send(now: number): void {
    this.#inflight++;
    this.#step(now, Math.min(this.#free(), this.#half())).then(
      () => {
        this.#inflight--;
        this.#wakeUp();
      },
      (err) => {
        this.#inflight--;
        this.#failed(err);
        this.#wakeUp();
      },
    );
  }

  /** A store outage (Redis restarting, network) must not end the daemon: log, back off, try again. */
  #failed(err: unknown): void {
    this.#logger.error({ err: err instanceof Error ? err.message : String(err) }, 'scheduler iteration failed');
    this.#backoff = true;
  }

  /** Graceful stop: wait for running tasks up to `shutdownTimeout`, record their results, then leave. */
  async #drain(): Promise<void> {
    const deadline = this.#clock.now() + this.#shutdownTimeout;
    // prefetched tasks that have not started are not started now: leaving requeues them (they are ours in the store)
    const unstarted = this.#ready.splice(0);
    for (const { active } of unstarted) {
      active.terminated = true;
      this.#active.delete(active.id);
    }
    if (unstarted.length > 0) this.#logger.info({ count: unstarted.length }, 'prefetched tasks given back');
    while (this.#active.size > 0 || this.#results.length > 0) {
      if (this.#results.length > 0) {
        await this.tick();
        continue;
      }
      const left = deadline - this.#clock.now();
      if (left <= 0) break;
      await this.#sleep(Math.min(left, this.#sleepInterval));
    }
    await this.#leave();
  }

  async #leave(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const now = this.#clock.now();
    for (const a of this.#active.values()) {
      a.terminated = true;
      if (a.timer !== null) this.#timers.clearTimeout(a.timer);
      a.abort.abort();
      a.logger.warn({}, 'still running at shutdown; it will be relaunched');
    }
    this.#active.clear();
    this.#ready = [];
    await this.#unsubscribe?.();
    await this.#store.removeDaemon(this.daemonId);
    if (this.#started) await this.#store.recover(now, this.#lease, [this.daemonId]);
    await this.#launcher.close();
    this.#logger.info({ message: this.#stopMessage }, 'Scheduler stopped');
    this.emit('scheduler:stopped', { daemonId: this.daemonId, message: this.#stopMessage });
  }

  /** Asks the loop to stop (as a `shutdown` instruction would) and waits for it. */
  async stop(message = 'stopped'): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#stopMessage = message;
    }
    this.#wakeUp();
    if (this.#loop) await this.#loop;
    else await this.#drain();
  }

  /** Idempotent: stops the loop (if any) and releases the daemon record. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop('closed');
  }
}
