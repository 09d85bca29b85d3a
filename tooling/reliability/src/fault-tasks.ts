/**
 * Task types for the fault tests: each run leaves a mark in a process-local journal, so a test can tell
 * which acknowledged tasks actually ran (the scheduler runs them in this process: threads are not used).
 */
import { OneShotTask, PeriodicTask, type TaskContext } from '@indico/scheduler';

export const journal = {
  marks: new Set<number>(),
  beats: [] as number[],
  reset() {
    this.marks.clear();
    this.beats.length = 0;
  },
};

/** A one-shot task whose run records `params.n`. */
export class MarkTask extends OneShotTask<{ n: number }> {
  static override typeId = 'ReliabilityMarkTask';
  run(): void {
    journal.marks.add(this.params.n);
  }
}

/** A periodic task (every second) whose runs record the wall-clock time. */
export class BeatTask extends PeriodicTask {
  static override typeId = 'ReliabilityBeatTask';
  run(ctx: TaskContext): void {
    journal.beats.push(ctx.now());
  }
}
