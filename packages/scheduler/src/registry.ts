import { SchedulerError } from './errors.js';
import type { TaskRecord } from './record.js';
import type { BaseTask, TaskClass } from './task.js';

export interface TaskTypeOptions {
  /** AWOL threshold in ms for this type; overrides the class's static `awolThreshold`. */
  awolThreshold?: number;
  /** Builds an instance for a record when the class needs more than `load()` (dependencies, defaults). */
  factory?: (record: TaskRecord) => BaseTask;
}

interface Entry {
  cls: TaskClass;
  options: TaskTypeOptions;
}

/**
 * Task types by `typeId`. Every process that enqueues or runs tasks registers the same types; a stored task is
 * rehydrated here from its record, so any process can run it.
 */
export class TaskRegistry {
  readonly #types = new Map<string, Entry>();

  register(cls: TaskClass, options: TaskTypeOptions = {}): this {
    if (typeof cls !== 'function') throw new TypeError('register() needs a task class');
    const typeId = cls.typeId ?? cls.name;
    if (!typeId) throw new TypeError('a task class needs a name or a static typeId');
    const existing = this.#types.get(typeId);
    if (existing && existing.cls !== cls) {
      throw new SchedulerError('DUPLICATE_TASK_TYPE', `another class is already registered as ${typeId}`);
    }
    this.#types.set(typeId, { cls, options });
    return this;
  }

  has(typeId: string): boolean {
    return this.#types.has(typeId);
  }

  typeIds(): string[] {
    return [...this.#types.keys()];
  }

  get(typeId: string): TaskClass {
    const entry = this.#types.get(typeId);
    if (!entry) throw new SchedulerError('UNKNOWN_TASK_TYPE', `task type ${typeId} is not registered`);
    return entry.cls;
  }

  awolThreshold(typeId: string): number | undefined {
    const entry = this.#types.get(typeId);
    return entry?.options.awolThreshold ?? entry?.cls.awolThreshold;
  }

  /** A live task object for a stored record. */
  hydrate(record: TaskRecord): BaseTask {
    const entry = this.#types.get(record.typeId);
    if (!entry) throw new SchedulerError('UNKNOWN_TASK_TYPE', `task type ${record.typeId} is not registered`);
    const task = entry.options.factory
      ? entry.options.factory(record)
      : (Object.create(entry.cls.prototype) as BaseTask);
    if (task.kind !== record.kind) {
      throw new SchedulerError('CORRUPT_TASK', `stored kind ${record.kind} does not match ${record.typeId}`);
    }
    return task.load(record);
  }
}
