import type { Requester } from './access.js';

/** What an authenticator sees of a request (spec §2-3). */
export interface AuthInput {
  method: 'GET' | 'POST';
  /** The signed path, relative to the app root (`/export/categ/2.json`). */
  path: string;
  /** The query that is signed: the raw query string for GET, the urlencoded form body for POST. */
  query: string;
  /** First value per parameter. */
  params: ReadonlyMap<string, string>;
  headers: Readonly<Record<string, string | undefined>>;
  remoteAddress?: string;
  /** Whether the request came over HTTPS. */
  secure?: boolean;
  /** Whether the client asked for `onlypublic=yes` (the key is still checked, the request runs as anonymous). */
  onlyPublic: boolean;
  /** `cookieauth=yes`. */
  cookieAuth: boolean;
}

export interface AuthOutcome {
  /** The user the request runs as; `null` for anonymous or public-only. */
  user: Requester | null;
  /** Called once the request succeeded (records API key usage, spec §2 step 10). */
  onSuccess?: () => Promise<void>;
}

/**
 * Resolves the requester. Throw an `ExportApiError` (code NOT_AUTHENTICATED or FORBIDDEN, Indico's messages)
 * to refuse the request; it is served as a JSON error with the error's status.
 */
export type Authenticator = (input: AuthInput) => Promise<AuthOutcome>;

/** The default: every request is anonymous (public data only). */
export const anonymousAuthenticator: Authenticator = async () => ({ user: null });
