import { signingError } from '../errors.js';
import type { KeyUse } from '../store.js';

/** Shared input checks of the ApiKeyStore adapters, so both reject the same input before writing anything. */
export function checkUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId === '')
    throw signingError('INVALID_ARGUMENT', 'userId must be a non-empty string');
}

export function checkKeyUse(use: KeyUse): void {
  if (
    typeof use !== 'object' ||
    use === null ||
    !Number.isFinite(use.at) ||
    typeof use.path !== 'string' ||
    typeof use.query !== 'string' ||
    typeof use.authenticated !== 'boolean' ||
    !(use.ip === null || typeof use.ip === 'string')
  ) {
    throw signingError('INVALID_ARGUMENT', 'use must be { at: number, ip: string | null, path, query, authenticated }');
  }
}
