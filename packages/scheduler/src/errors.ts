/** Codes of the failures this package reports. */
export type SchedulerErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_TASK_TYPE'
  | 'DUPLICATE_TASK_TYPE'
  | 'INVALID_PARAMS'
  | 'INVALID_DATE'
  | 'RULE_NEVER_FIRES'
  | 'CONFIGURATION'
  | 'TASK_NOT_FOUND'
  | 'INCONSISTENT_STATUS'
  | 'DAEMON_RUNNING'
  | 'CORRUPT_TASK'
  | 'WORKER_CRASHED'
  | 'CLOSED';

/** Every expected failure of @indico/scheduler is an SchedulerError with a code from a closed union. */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  readonly code: SchedulerErrorCode;

  constructor(code: SchedulerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isSchedulerError(value: unknown): value is SchedulerError {
  return value instanceof SchedulerError;
}
