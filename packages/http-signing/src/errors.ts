/** Codes of the failures this package reports; extended as features land. */
export type HttpSigningErrorCode = 'INVALID_ARGUMENT';

/** Every expected failure of @indico/http-signing is an HttpSigningError with a code from a closed union. */
export class HttpSigningError extends Error {
  override readonly name = 'HttpSigningError';
  readonly code: HttpSigningErrorCode;

  constructor(code: HttpSigningErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isHttpSigningError(value: unknown): value is HttpSigningError {
  return value instanceof HttpSigningError;
}
