import { SchedulerError } from './errors.js';
import type { JsonValue } from './json.js';
import type { TaskKind, TaskRecord } from './record.js';
import {
  type Frequency,
  firstOccurrence,
  nextOccurrence,
  normalizeRule,
  type RecurrenceOptions,
  type StoredRule,
} from './recurrence.js';
import { BaseTask, type BaseTaskOptions } from './task.js';

export interface PeriodicTaskOptions<P> extends Omit<BaseTaskOptions<P>, 'expiryDate'> {
  /**
   * Schedule identity. Enqueueing a periodic task whose key already has a live schedule is a no-op, so a restart
   * or a second daemon registering the same schedule never duplicates it. Defaults to the typeId.
   */
  key?: string | null;
}

/**
 * A task repeating on an rrule (`new MyTask('MINUTELY', { bysecond: [40] })`). Missed occurrences coalesce into one
 * catch-up run; the next run is the first grid instant after both the occurrence that ran and its end.
 */
export abstract class PeriodicTask<P extends JsonValue = JsonValue> extends BaseTask<P> {
  get kind(): TaskKind {
    return 'periodic';
  }
  rule: StoredRule;
  key: string | null;

  constructor(frequency: Frequency, ruleOptions: RecurrenceOptions = {}, options: PeriodicTaskOptions<P> = {}) {
    super(options);
    this.rule = normalizeRule(frequency, ruleOptions, this.createdOn);
    this.scheduledOn = firstOccurrence(this.rule);
    this.key = options.key === undefined ? this.typeId : options.key;
  }

  override load(record: TaskRecord): this {
    super.load(record);
    if (record.rule) this.rule = record.rule;
    this.key = record.key;
    return this;
  }

  /** Next run after an occurrence at `previous` that ended at `endedOn` (null: the rule is exhausted). */
  nextAfter(previous: number, endedOn: number): number | null {
    return nextOccurrence(this.rule, Math.max(previous, endedOn), false);
  }

  override validate(): void {
    super.validate();
    if (this.scheduledOn === null) {
      throw new SchedulerError('RULE_NEVER_FIRES', `${this.typeId}: the recurrence rule has no occurrence`);
    }
  }
}
