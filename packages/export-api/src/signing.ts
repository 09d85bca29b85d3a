import {
  type ApiKeyStore,
  type CookieUser,
  type HttpSigningErrorCode,
  isHttpSigningError,
  recordKeyUse,
  type VerifyOptions,
  verifyRequest,
} from '@indico/http-signing';
import type { Requester } from './access.js';
import type { Authenticator, AuthInput } from './auth.js';
import { ExportApiError } from './errors.js';

/**
 * The single place where @indico/http-signing error codes become HTTP statuses (spec §6.2: every
 * authentication refusal is a 403). Exhaustive on purpose: a new code there fails the typecheck here.
 */
export const STATUS_BY_SIGNING_CODE: Readonly<Record<HttpSigningErrorCode, number>> = Object.freeze({
  INVALID_ARGUMENT: 400,
  API_KEY_NOT_FOUND: 403,
  API_KEY_EXISTS: 409,
  API_KEY_MISSING: 403,
  INVALID_API_KEY: 403,
  API_KEY_BLOCKED: 403,
  SIGNATURE_MISSING: 403,
  SIGNATURE_NO_TIMESTAMP: 403,
  SIGNATURE_BAD_TIMESTAMP: 403,
  SIGNATURE_INVALID: 403,
  INVALID_CSRF_TOKEN: 403,
  NOT_AUTHENTICATED: 403,
  HTTPS_REQUIRED: 403,
  SIGNATURE_MALFORMED: 403,
  SIGNATURE_DUPLICATED: 403,
  SIGNATURE_REPLAYED: 403,
  // Indico answered these with a 500 (bad int() / oversized input); they are the client's fault.
  TIMESTAMP_MALFORMED: 400,
  QUERY_MALFORMED: 400,
  QUERY_TOO_LARGE: 400,
});

export interface SigningAuthenticatorOptions extends Omit<VerifyOptions, 'now' | 'keyStore'> {
  keyStore: ApiKeyStore;
  clock?: { now(): number };
  /** Turns a verified user id into the requester the access rules see (admin flag, groups). Default `{ id }`. */
  resolveUser?: (userId: string) => Promise<Requester | null>;
  /** The logged-in session user for `cookieauth=yes`, if the app has sessions. */
  cookieUser?: (input: AuthInput) => CookieUser | null | Promise<CookieUser | null>;
}

/**
 * An Authenticator backed by @indico/http-signing's `verifyRequest` (API modes, signatures, timestamps,
 * cookie auth). Refusals become ExportApiErrors with Indico's message and the status from
 * `STATUS_BY_SIGNING_CODE`; the key use is recorded only after the request succeeded.
 */
export function createSigningAuthenticator(options: SigningAuthenticatorOptions): Authenticator {
  const clock = options.clock ?? Date;
  const { keyStore, resolveUser, cookieUser, clock: _clock, ...verify } = options;
  return async (input) => {
    try {
      const outcome = await verifyRequest(
        {
          method: input.method,
          path: input.path,
          query: input.method === 'GET' ? input.query : undefined,
          body: input.method === 'POST' ? input.query : undefined,
          headers: input.headers,
          cookieUser: cookieUser ? await cookieUser(input) : null,
          ip: input.remoteAddress ?? null,
          secure: input.secure,
        },
        { ...verify, keyStore, now: () => clock.now() },
      );
      let user: Requester | null = null;
      if (outcome.kind === 'user') user = resolveUser ? await resolveUser(outcome.userId) : { id: outcome.userId };
      return {
        user,
        onSuccess: outcome.keyUse
          ? async () => {
              await recordKeyUse(keyStore, outcome, clock.now());
            }
          : undefined,
      };
    } catch (e) {
      if (isHttpSigningError(e)) {
        const code = e.code;
        const status = STATUS_BY_SIGNING_CODE[code];
        throw new ExportApiError(status === 400 ? 'BAD_PARAMETER' : 'NOT_AUTHENTICATED', e.message, {
          cause: e,
          status,
        });
      }
      throw e;
    }
  };
}
