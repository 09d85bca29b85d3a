/** Codes of the failures this package reports; extended as features land. */
export type ExportApiErrorCode = 'INVALID_ARGUMENT';

/** Every expected failure of @indico/export-api is an ExportApiError with a code from a closed union. */
export class ExportApiError extends Error {
  override readonly name = 'ExportApiError';
  readonly code: ExportApiErrorCode;

  constructor(code: ExportApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isExportApiError(value: unknown): value is ExportApiError {
  return value instanceof ExportApiError;
}
