/**
 * Every failure code of @indico/http-signing. Closed on purpose: export-api maps each code to an HTTP status
 * with an exhaustive `Record<HttpSigningErrorCode, number>`, so adding a code is a breaking change there.
 */
export const HTTP_SIGNING_ERROR_CODES = [
  // Store / argument problems (never produced by verifyRequest for a well-formed call).
  'INVALID_ARGUMENT',
  'API_KEY_NOT_FOUND',
  'API_KEY_EXISTS',
  // Authentication decisions with an Indico message (spec: export-api-and-signing §3.3, §3.4, §4.1, §6.2).
  'API_KEY_MISSING',
  'INVALID_API_KEY',
  'API_KEY_BLOCKED',
  'SIGNATURE_MISSING',
  'SIGNATURE_NO_TIMESTAMP',
  'SIGNATURE_BAD_TIMESTAMP',
  'SIGNATURE_INVALID',
  'INVALID_CSRF_TOKEN',
  'NOT_AUTHENTICATED',
  'HTTPS_REQUIRED',
  // Bad input that Indico answered with a 500, accepted silently, or never saw (ours; see README).
  'SIGNATURE_MALFORMED',
  'SIGNATURE_DUPLICATED',
  'SIGNATURE_REPLAYED',
  'TIMESTAMP_MALFORMED',
  'QUERY_MALFORMED',
  'QUERY_TOO_LARGE',
] as const;

export type HttpSigningErrorCode = (typeof HTTP_SIGNING_ERROR_CODES)[number];

/**
 * The message Indico sends for each code, where Indico has one; our own wording otherwise. Codes that Indico
 * reported with a fixed text keep that exact text, so clients that match on messages keep working.
 */
export const HTTP_SIGNING_MESSAGES: Readonly<Record<HttpSigningErrorCode, string>> = {
  INVALID_ARGUMENT: 'Invalid argument',
  API_KEY_NOT_FOUND: 'API key not found',
  API_KEY_EXISTS: 'The user already has an API key',
  API_KEY_MISSING: 'API key is missing',
  INVALID_API_KEY: 'Invalid API key',
  API_KEY_BLOCKED: 'API key is blocked',
  SIGNATURE_MISSING: 'Signature missing',
  SIGNATURE_NO_TIMESTAMP: 'Signature invalid (no timestamp)',
  SIGNATURE_BAD_TIMESTAMP: 'Signature invalid (bad timestamp)',
  SIGNATURE_INVALID: 'Signature invalid',
  INVALID_CSRF_TOKEN: 'Invalid CSRF token',
  NOT_AUTHENTICATED: 'Not authenticated',
  HTTPS_REQUIRED: 'HTTPS is required',
  // Indico compared the string and said "Signature invalid"; we keep that text and add a precise code + detail.
  SIGNATURE_MALFORMED: 'Signature invalid',
  SIGNATURE_DUPLICATED: 'Signature invalid (more than one signature parameter)',
  SIGNATURE_REPLAYED: 'Signature invalid (already used)',
  TIMESTAMP_MALFORMED: 'Signature invalid (timestamp is not an integer)',
  QUERY_MALFORMED: 'Malformed query string',
  QUERY_TOO_LARGE: 'Query string too large',
};

/** Shared by every bundled copy of this class (the core, redis and express entries each carry one in CJS). */
const BRAND = Symbol.for('@indico/http-signing/HttpSigningError');

/** Every expected failure of @indico/http-signing is an HttpSigningError with a code from a closed union. */
export class HttpSigningError extends Error {
  /** `instanceof` works across the package's entry points, which may each bundle their own copy. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  readonly [BRAND] = true;
  override readonly name = 'HttpSigningError';
  readonly code: HttpSigningErrorCode;
  /** Extra, machine-oriented explanation (e.g. which parameter was malformed); never shown by Indico. */
  readonly detail: string | undefined;

  constructor(code: HttpSigningErrorCode, message?: string, options?: { cause?: unknown; detail?: string }) {
    super(message ?? HTTP_SIGNING_MESSAGES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = options?.detail;
  }
}

export function isHttpSigningError(value: unknown): value is HttpSigningError {
  return value instanceof HttpSigningError;
}

/** Shorthand used inside the package: the standard message for `code`, plus an optional detail. */
export function signingError(code: HttpSigningErrorCode, detail?: string): HttpSigningError {
  return new HttpSigningError(code, undefined, detail === undefined ? undefined : { detail });
}
