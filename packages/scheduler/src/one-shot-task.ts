import type { JsonValue } from './json.js';
import type { TaskKind } from './record.js';
import { toEpochMs } from './recurrence.js';
import { BaseTask, type BaseTaskOptions } from './task.js';

/** A task that runs once at `startDateTime`. */
export abstract class OneShotTask<P extends JsonValue = JsonValue> extends BaseTask<P> {
  get kind(): TaskKind {
    return 'oneshot';
  }

  constructor(startDateTime: Date | number, options: BaseTaskOptions<P> = {}) {
    super(options);
    this.scheduledOn = toEpochMs(startDateTime, 'startDateTime');
  }

  /** Changes the start date of a task that is not enqueued yet (use `Client.moveTask` once it is). */
  setStartOn(startDateTime: Date | number): void {
    this.scheduledOn = toEpochMs(startDateTime, 'startDateTime');
  }

  /** Ends the current run as TERMINATED without indexing it (e.g. an alarm whose event disappeared). */
  suicide(): void {
    this.terminatedBySelf = true;
  }
}
