/**
 * Codes of the failures this package reports. Each maps to exactly one HTTP status in `statusForCode`.
 * - INVALID_ARGUMENT: bad input to a library call (catalog writes, options); never produced by a request.
 * - BAD_PARAMETER: a query parameter could not be parsed (400).
 * - NOT_AUTHENTICATED / FORBIDDEN: authentication and access failures (403).
 * - NOT_FOUND: a JSON "not found" (404), e.g. `Requested user not found`.
 * - METHOD_NOT_ALLOWED: the hook requires another HTTP method (405 + Allow).
 * - SOFT_FAILURE: Indico errors raised without a code; served with status 200.
 * - INTERNAL: anything unexpected (500).
 */
export type ExportApiErrorCode =
  | 'INVALID_ARGUMENT'
  | 'BAD_PARAMETER'
  | 'NOT_AUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'SOFT_FAILURE'
  | 'INTERNAL';

/** The single place where export-api error codes become HTTP statuses (spec §6.2). */
export const STATUS_BY_CODE: Readonly<Record<ExportApiErrorCode, number>> = Object.freeze({
  INVALID_ARGUMENT: 400,
  BAD_PARAMETER: 400,
  NOT_AUTHENTICATED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SOFT_FAILURE: 200,
  INTERNAL: 500,
});

/** Every expected failure of @indico/export-api is an ExportApiError with a code from a closed union. */
export class ExportApiError extends Error {
  override readonly name = 'ExportApiError';
  readonly code: ExportApiErrorCode;
  /** Extra response headers (e.g. `Allow` for 405). */
  readonly headers: Readonly<Record<string, string>>;
  /** Overrides the status derived from the code (used for statuses coming from the authentication layer). */
  readonly status: number;

  constructor(
    code: ExportApiErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string>; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.headers = Object.freeze({ ...(options?.headers ?? {}) });
    this.status = options?.status ?? STATUS_BY_CODE[code];
  }
}

export function isExportApiError(value: unknown): value is ExportApiError {
  return value instanceof ExportApiError;
}

/** Shorthand for the 400 errors raised while parsing parameters. */
export function badParameter(message: string): ExportApiError {
  return new ExportApiError('BAD_PARAMETER', message);
}
