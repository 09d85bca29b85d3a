import { EventEmitter } from 'node:events';

export interface TaskEventBase {
  taskId: number;
  typeId: string;
}

/** Typed events of a Scheduler. */
export interface SchedulerEvents {
  'task:queued': TaskEventBase & { ref: string | null; startOn: number | null };
  'task:started': TaskEventBase & { run: number; delay: number };
  'task:finished': TaskEventBase & { run: number; occurrence: number | null; attempts: number };
  'task:failed': TaskEventBase & {
    run: number;
    occurrence: number | null;
    reason: 'error' | 'expired' | 'worker-crashed' | 'corrupt';
    error: string | null;
  };
  'task:terminated': TaskEventBase & { run: number; reason: 'awol' | 'suicide' };
  'task:relaunched': { taskId: number };
  'spool:dead-lettered': { op: string; reason: string };
  'scheduler:started': { daemonId: string };
  'scheduler:stopped': { daemonId: string; message: string };
  /** After every loop iteration; handy to wait on in tests. */
  'scheduler:tick': { now: number; running: number };
}

export type SchedulerEventName = keyof SchedulerEvents;

/** EventEmitter with the SchedulerEvents signatures. */
export class TypedEmitter {
  readonly #emitter = new EventEmitter();

  on<E extends SchedulerEventName>(event: E, listener: (payload: SchedulerEvents[E]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }

  once<E extends SchedulerEventName>(event: E, listener: (payload: SchedulerEvents[E]) => void): this {
    this.#emitter.once(event, listener);
    return this;
  }

  off<E extends SchedulerEventName>(event: E, listener: (payload: SchedulerEvents[E]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }

  protected emit<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    if (this.#emitter.listenerCount(event) > 0) this.#emitter.emit(event, payload);
  }

  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
