/**
 * The seven task states of Indico 1.2 with their original numeric codes. ABORTED (5) was defined but never
 * used by the original and is left out on purpose.
 */
export const TaskStatus = {
  NONE: 0,
  SPOOLED: 1,
  QUEUED: 2,
  RUNNING: 3,
  FAILED: 4,
  FINISHED: 6,
  TERMINATED: 7,
} as const;

export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export type TaskStatusName = keyof typeof TaskStatus;

const names = new Map<number, TaskStatusName>(
  Object.entries(TaskStatus).map(([name, code]) => [code, name as TaskStatusName]),
);

const abbreviations: Record<TaskStatusName, string> = {
  NONE: 'NN',
  SPOOLED: 'SP',
  QUEUED: 'QD',
  RUNNING: 'RN',
  FAILED: 'FA',
  FINISHED: 'FI',
  TERMINATED: 'TD',
};

export function taskStatusName(status: number): TaskStatusName {
  const name = names.get(status);
  if (!name) throw new TypeError(`unknown task status code ${status}`);
  return name;
}

/** Two-letter abbreviation as used in task labels (`[SendMail:3|QD]`). */
export function taskStatusAbbreviation(status: number): string {
  return abbreviations[taskStatusName(status)];
}
