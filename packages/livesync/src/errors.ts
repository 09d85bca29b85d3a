/** Codes of the failures this package reports; extended as features land. */
export type LivesyncErrorCode = 'INVALID_ARGUMENT';

/** Every expected failure of @indico/livesync is an LivesyncError with a code from a closed union. */
export class LivesyncError extends Error {
  override readonly name = 'LivesyncError';
  readonly code: LivesyncErrorCode;

  constructor(code: LivesyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isLivesyncError(value: unknown): value is LivesyncError {
  return value instanceof LivesyncError;
}
