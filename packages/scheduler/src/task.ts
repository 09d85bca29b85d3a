import { SchedulerError } from './errors.js';
import { assertJson, type JsonValue } from './json.js';
import type { Logger } from './logger.js';
import type { TaskKind, TaskRecord } from './record.js';
import { toEpochMs } from './recurrence.js';
import { TaskStatus as Status, type TaskStatus, taskStatusAbbreviation } from './states.js';

/** What `run()` receives: identity, attempt, a heartbeat, an abort signal and the app's services. */
export interface TaskContext<S = unknown> {
  taskId: number;
  typeId: string;
  /** 1-based attempt number inside this launch. */
  attempt: number;
  maxTries: number;
  /** How late this launch started compared with the schedule, in ms (0 after a TaskDelayed wait). */
  delay: number;
  logger: Logger;
  /** Aborted when the daemon gives up on the task (AWOL) or shuts down past its timeout. */
  signal: AbortSignal;
  /** Pushes the AWOL deadline forward; long tasks call it regularly. */
  heartbeat(): Promise<void>;
  now(): number;
  /** Whatever the Scheduler was given as `services` (a DB handle, livesync agents, ...). */
  services: S;
  /**
   * Defers a side effect (an e-mail, a notification) to the end of the launch. Callbacks of a failed attempt are
   * dropped when the next attempt starts; those of the last attempt run once the attempts are over.
   */
  afterRun(fn: () => void | Promise<void>): void;
}

export interface BaseTaskOptions<P> {
  params?: P;
  /** The last instant the task may start; past it, it is recorded as failed with reason `expired`. */
  expiryDate?: Date | number | null;
  /** Creation time; defaults to Date.now() (pass the injected clock's time in tests). */
  createdOn?: Date | number;
}

export interface TaskClass<T extends BaseTask = BaseTask> {
  // biome-ignore lint/suspicious/noExplicitAny: constructors of task subclasses take any arguments
  new (...args: any[]): T;
  /** Stable name the task is stored under; defaults to the class name. */
  typeId?: string;
  /** AWOL threshold in ms for this type (the original `_AWOLThresold`, default 6000 s). */
  awolThreshold?: number;
  readonly prototype: T;
}

/**
 * A unit of work stored as data. Subclasses implement `run()` and keep their inputs in `params`, because a task is
 * rehydrated from its record (its constructor is not called again) in whichever process runs it.
 */
export abstract class BaseTask<P extends JsonValue = JsonValue> {
  /** Stable name the task type is stored under (set it: minifiers rename classes). Defaults to the class name. */
  static typeId?: string;
  /** AWOL threshold in ms for this type (the original `_AWOLThresold`; default 6000 s). */
  static awolThreshold?: number;

  id: number | null = null;
  ref: string | null = null;
  params: P;
  status: TaskStatus = Status.NONE;
  createdOn: number;
  expiryDate: number | null;
  startedOn: number | null = null;
  endedOn: number | null = null;
  /** Set by `suicide()` (one-shot tasks): the run ends TERMINATED and lands in no index. */
  terminatedBySelf = false;
  protected scheduledOn: number | null = null;

  constructor(options: BaseTaskOptions<P> = {}) {
    this.params = (options.params ?? null) as P;
    this.createdOn = options.createdOn === undefined ? Date.now() : toEpochMs(options.createdOn, 'createdOn');
    this.expiryDate =
      options.expiryDate === undefined || options.expiryDate === null
        ? null
        : toEpochMs(options.expiryDate, 'expiryDate');
  }

  abstract get kind(): TaskKind;

  /** The user's work. */
  abstract run(ctx: TaskContext): void | Promise<void>;

  /** Runs once per launch, before the first attempt. */
  prepare(_ctx: TaskContext): void | Promise<void> {}

  /** Called when the daemon gives up on a running task (AWOL) or relaunches it after a crash. */
  tearDown(): void | Promise<void> {}

  /** Clears per-launch state; called after rehydration. */
  reset(): void {
    this.terminatedBySelf = false;
  }

  get typeId(): string {
    const ctor = this.constructor as TaskClass;
    return ctor.typeId ?? ctor.name;
  }

  getStartOn(): number | null {
    return this.scheduledOn;
  }

  toString(): string {
    return `[${this.typeId}:${this.id ?? '-'}|${taskStatusAbbreviation(this.status)}]`;
  }

  /** Fills the instance from a stored record (used by the registry instead of the constructor). */
  load(record: TaskRecord): this {
    this.id = record.id;
    this.ref = record.ref;
    this.params = record.params as P;
    this.status = record.status;
    this.createdOn = record.createdOn;
    this.expiryDate = record.expiryDate;
    this.startedOn = record.startedOn;
    this.endedOn = record.endedOn;
    this.scheduledOn = record.startOn;
    this.reset();
    return this;
  }

  /** Checks the task can be stored; throws a SchedulerError otherwise. */
  validate(): void {
    assertJson(this.params);
    if (this.kind === 'oneshot' && this.scheduledOn === null) {
      throw new SchedulerError('INVALID_DATE', `${this.typeId}: a one-shot task needs a start date`);
    }
  }
}
