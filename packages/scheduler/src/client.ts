import { type Clock, systemClock } from './clock.js';
import { SchedulerError } from './errors.js';
import { PeriodicTask } from './periodic-task.js';
import type { TaskData, TaskRecord } from './record.js';
import { toEpochMs } from './recurrence.js';
import type { TaskRegistry } from './registry.js';
import type { DaemonState, DeadLetter, IndexEntry, IndexName, SchedulerStore, SpoolItem, TaskTarget } from './store.js';
import type { BaseTask } from './task.js';

export interface ClientOptions {
  store: SchedulerStore;
  registry: TaskRegistry;
  clock?: Clock;
  /** A daemon not seen for this long (ms) counts as not running. Default 30 000. */
  daemonLease?: number;
}

export interface SchedulerStatus {
  /** True when at least one daemon is alive. */
  state: boolean;
  hostname: string | null;
  pid: number | null;
  daemons: Array<DaemonState & { alive: boolean }>;
  spooled: number;
  waiting: number;
  running: number;
  finished: number;
  failed: number;
  deadLetter: number;
}

export interface ListOptions {
  offset?: number;
  limit?: number;
}

/** A task as the client knows it: an instance it enqueued, a numeric id, or a ref. */
export type TaskReference = BaseTask | number | { ref: string } | { id: number };

/**
 * What web processes use: it only appends instructions to the spool (except `startFailedTask`, which is one atomic
 * FAILED -> QUEUED move), validating everything first so a refused task leaves nothing behind.
 */
export class Client {
  readonly #store: SchedulerStore;
  readonly #registry: TaskRegistry;
  readonly #clock: Clock;
  readonly #lease: number;

  constructor(options: ClientOptions) {
    if (!options?.store || !options.registry) throw new TypeError('Client needs a store and a registry');
    this.#store = options.store;
    this.#registry = options.registry;
    this.#clock = options.clock ?? systemClock;
    this.#lease = options.daemonLease ?? 30_000;
  }

  /** Validates the task and spools an `add`; returns the task's ref (its id comes when the daemon applies it). */
  async enqueue(task: BaseTask): Promise<string> {
    await this.enqueueMany([task]);
    return task.ref!;
  }

  /** Several adds in one atomic spool append, in order. */
  async enqueueMany(tasks: BaseTask[]): Promise<string[]> {
    const entries = tasks.map((task) => ({ op: 'add' as const, task: this.#prepare(task) }));
    const ids = await this.#store.spool(entries);
    return ids.map((id, i) => {
      tasks[i]!.ref = `#${id}`;
      return `#${id}`;
    });
  }

  #prepare(task: BaseTask): { data: TaskData; startOn: number | null } {
    if (!task || typeof task.run !== 'function' || typeof task.validate !== 'function') {
      throw new SchedulerError('INVALID_ARGUMENT', 'enqueue() needs a task instance');
    }
    const typeId = task.typeId;
    if (!this.#registry.has(typeId)) {
      throw new SchedulerError('UNKNOWN_TASK_TYPE', `task type ${typeId} is not registered`);
    }
    if (this.#registry.get(typeId) !== task.constructor) {
      throw new SchedulerError('UNKNOWN_TASK_TYPE', `${typeId} is registered for another class`);
    }
    task.validate();
    const periodic = task instanceof PeriodicTask;
    return {
      data: {
        typeId,
        kind: task.kind,
        params: task.params,
        rule: periodic ? task.rule : null,
        expiryDate: task.expiryDate,
        createdOn: task.createdOn,
        key: periodic ? task.key : null,
        ref: '',
        awolThreshold: this.#registry.awolThreshold(typeId) ?? null,
      },
      startOn: task.getStartOn(),
    };
  }

  #target(task: TaskReference): TaskTarget {
    if (typeof task === 'number') return { id: task };
    if (task && typeof task === 'object') {
      if ('id' in task && typeof task.id === 'number') return { id: task.id };
      if ('ref' in task && typeof task.ref === 'string') return { ref: task.ref };
    }
    throw new SchedulerError('INVALID_ARGUMENT', 'the task has neither an id nor a ref (was it enqueued?)');
  }

  /** Spools a `del`. Idempotent: removing a task that is already gone is a no-op. */
  async dequeue(task: TaskReference): Promise<true> {
    await this.#store.spool([{ op: 'del', target: this.#target(task) }]);
    return true;
  }

  /** Spools a `change` to `newDate`; applied only if the task is still waiting. */
  async moveTask(task: TaskReference, newDate: Date | number): Promise<true> {
    const startOn = toEpochMs(newDate, 'newDate');
    await this.#store.spool([{ op: 'change', target: this.#target(task), startOn }]);
    return true;
  }

  /** Spools a `shutdown`: the daemon that reads it stops gracefully. */
  async shutdown(msg = ''): Promise<true> {
    await this.#store.spool([{ op: 'shutdown', message: String(msg) }]);
    return true;
  }

  clearSpool(): Promise<number> {
    return this.#store.clearSpool();
  }

  getSpool(): Promise<SpoolItem[]> {
    return this.#store.readSpool();
  }

  async getStatus(): Promise<SchedulerStatus> {
    const [counts, daemons] = await Promise.all([this.#store.counts(), this.#store.daemons()]);
    const now = this.#clock.now();
    const list = daemons.map((d) => ({ ...d, alive: d.lastSeen >= now - this.#lease }));
    const first = list.find((d) => d.alive);
    return { state: !!first, hostname: first?.hostname ?? null, pid: first?.pid ?? null, daemons: list, ...counts };
  }

  /** The stored record; throws TASK_NOT_FOUND for an unknown id or ref. */
  async getTask(task: TaskReference): Promise<TaskRecord> {
    const record = await this.#store.getTask(this.#target(task));
    if (!record) throw new SchedulerError('TASK_NOT_FOUND', 'no such task');
    return record;
  }

  /** The stored task rehydrated as an instance of its class. */
  async loadTask(task: TaskReference): Promise<BaseTask> {
    return this.#registry.hydrate(await this.getTask(task));
  }

  /** T15: puts a FAILED task back in the waiting queue at `startOn` (default now). TERMINATED tasks are refused. */
  async startFailedTask(task: TaskReference, startOn?: Date | number): Promise<void> {
    const record = await this.getTask(task);
    const at = startOn === undefined ? this.#clock.now() : toEpochMs(startOn, 'startOn');
    const result = await this.#store.restartFailed(record.id!, at, this.#clock.now());
    if (result === 'not-found') throw new SchedulerError('TASK_NOT_FOUND', `task ${record.id} not found`);
    if (result === 'inconsistent') {
      throw new SchedulerError('INCONSISTENT_STATUS', `task ${record.id} is not FAILED, it cannot be restarted`);
    }
  }

  #list(index: IndexName, options: ListOptions): Promise<IndexEntry[]> {
    return this.#store.list(index, options.offset ?? 0, options.limit ?? 100);
  }

  listWaiting(options: ListOptions = {}): Promise<IndexEntry[]> {
    return this.#list('waiting', options);
  }

  listRunning(options: ListOptions = {}): Promise<IndexEntry[]> {
    return this.#list('running', options);
  }

  /** Newest first. */
  listFinished(options: ListOptions = {}): Promise<IndexEntry[]> {
    return this.#list('finished', options);
  }

  /** Newest first. */
  listFailed(options: ListOptions = {}): Promise<IndexEntry[]> {
    return this.#list('failed', options);
  }

  listDeadLetters(options: ListOptions = {}): Promise<DeadLetter[]> {
    return this.#store.deadLetters(options.offset ?? 0, options.limit ?? 100);
  }
}
