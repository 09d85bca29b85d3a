/** Codes of the failures this package reports; extended as features land. */
export type FossilizeErrorCode = 'INVALID_ARGUMENT';

/** Every expected failure of @indico/fossilize is an FossilizeError with a code from a closed union. */
export class FossilizeError extends Error {
  override readonly name = 'FossilizeError';
  readonly code: FossilizeErrorCode;

  constructor(code: FossilizeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isFossilizeError(value: unknown): value is FossilizeError {
  return value instanceof FossilizeError;
}
