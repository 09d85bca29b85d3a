/** Codes of the failures this package reports; extended as features land. */
export type SchedulerErrorCode = 'INVALID_ARGUMENT';

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
