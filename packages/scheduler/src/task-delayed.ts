/**
 * Thrown from `run()` to say "wait this many seconds, then try again in the same launch" (the original
 * `TaskDelayed`). The wait uses up one attempt, like in Indico 1.2.
 */
export class TaskDelayed extends Error {
  override readonly name = 'TaskDelayed';
  readonly seconds: number;

  constructor(seconds: number) {
    super(`task asked to be retried in ${seconds} s`);
    if (!(seconds >= 0)) throw new TypeError('TaskDelayed needs a non-negative number of seconds');
    this.seconds = seconds;
  }
}

export function isTaskDelayed(value: unknown): value is TaskDelayed {
  return value instanceof Error && value.name === 'TaskDelayed' && typeof (value as TaskDelayed).seconds === 'number';
}
