import type { ApiKeyStore } from './store.js';
import type { VerifyOutcome } from './verify.js';

/**
 * Records the key use of a successful request (spec §2 step 10: only when a key was used and nothing failed).
 * Returns false when the outcome used no key or the key is gone. `now` is epoch milliseconds.
 */
export async function recordKeyUse(
  store: ApiKeyStore,
  outcome: VerifyOutcome,
  now: number = Date.now(),
): Promise<boolean> {
  const use = outcome.keyUse;
  if (!use) return false;
  return store.recordUse(use.key, {
    at: now,
    ip: use.ip,
    path: use.path,
    query: use.query,
    authenticated: use.authenticated,
  });
}
