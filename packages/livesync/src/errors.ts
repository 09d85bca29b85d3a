/** Codes of the failures this package reports. */
export type LivesyncErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_CHANGE_TYPE'
  | 'UNKNOWN_OBJECT_KIND'
  | 'POINTER_NOT_FOUND'
  | 'AGENT_NOT_FOUND'
  | 'DUPLICATE_AGENT'
  | 'UNKNOWN_AGENT_TYPE'
  | 'BUCKET_NOT_FOUND'
  | 'EMPTY_TRACK'
  | 'NO_CRITERIA'
  | 'UPLOAD_FAILED'
  | 'SINK_REJECTED';

/** Every expected failure of @indico/livesync is an LivesyncError with a code from a closed union. */
export class LivesyncError extends Error {
  override readonly name = 'LivesyncError';
  readonly code: LivesyncErrorCode;

  constructor(code: LivesyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Also recognises errors from another copy of the package (two bundles, a worker): by name and code. */
export function isLivesyncError(value: unknown): value is LivesyncError {
  if (value instanceof LivesyncError) return true;
  return (
    value instanceof Error && value.name === 'LivesyncError' && typeof (value as { code?: unknown }).code === 'string'
  );
}
