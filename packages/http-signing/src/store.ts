/**
 * Storage ports of @indico/http-signing, in domain words (spec: export-api-and-signing §3.1). Adapters:
 * `createMemoryApiKeyStore` / `createMemoryReplayStore` (core entry) and `createRedisApiKeyStore` /
 * `createRedisReplayStore` (`@indico/http-signing/redis`). Both pass the same contract suites.
 */

/** The last successful use of a key (Indico's `_lastUsedDT`, `_lastUsedIP`, `_lastPath`, `_lastQuery`, ...). */
export interface KeyUse {
  /** Epoch milliseconds. */
  at: number;
  /** Client address, or null when unknown. */
  ip: string | null;
  path: string;
  /** Normalised query without `signature` and `timestamp` (spec §2 step 10). */
  query: string;
  /** False when the request ran public-only (`onlypublic=yes`, or unsigned in a SIGNED mode). */
  authenticated: boolean;
}

/** One user's API key (one key per user, as in Indico). A read-only snapshot; change it through the store. */
export interface ApiKeyRecord {
  /** Public key sent as `ak` / `apikey`: uuid4 text, lowercase with dashes. */
  readonly key: string;
  /** HMAC secret: uuid4 text; the text itself is the HMAC key. */
  readonly secret: string;
  readonly userId: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly blocked: boolean;
  /** The user opted into persistent (timestamp-less) signatures; also needs the server switch. */
  readonly persistentAllowed: boolean;
  /** Keys replaced by `regenerate`, oldest first. Never accepted for authentication. */
  readonly oldKeys: readonly string[];
  readonly lastUse: Readonly<KeyUse> | null;
  readonly useCount: number;
}

export interface CreateApiKeyOptions {
  persistentAllowed?: boolean;
}

/**
 * API key storage. Every method is async; every mutation is atomic in the adapter (one Lua call in Redis).
 * Failures: `API_KEY_EXISTS` (create for a user that has a key), `API_KEY_NOT_FOUND` (mutating an unknown key),
 * `INVALID_ARGUMENT` (empty user id, bad use record); nothing is written on failure.
 */
export interface ApiKeyStore {
  /** Creates the user's key with a fresh uuid4 key and secret. */
  create(userId: string, options?: CreateApiKeyOptions): Promise<ApiKeyRecord>;
  /** Looks a key up by its exact (case-sensitive) text; old (regenerated) keys are not found. */
  get(key: string): Promise<ApiKeyRecord | null>;
  /**
   * Optional synchronous look-up for adapters that hold records in process: the record `get` would return, `null`
   * when the key is known not to exist, `undefined` when only `get` can tell. Never staler than `get`.
   */
  peek?(key: string): ApiKeyRecord | null | undefined;
  getByUser(userId: string): Promise<ApiKeyRecord | null>;
  /** New key and secret for the same user; the previous key stops working at once and joins `oldKeys`. */
  regenerate(key: string): Promise<ApiKeyRecord>;
  setBlocked(key: string, blocked: boolean): Promise<ApiKeyRecord>;
  setPersistentAllowed(key: string, allowed: boolean): Promise<ApiKeyRecord>;
  /**
   * Records a successful use: sets `lastUse` (unless a later use is already recorded) and adds one to
   * `useCount`, atomically. Unknown keys (e.g. regenerated meanwhile) are ignored and return false.
   */
  recordUse(key: string, use: KeyUse): Promise<boolean>;
  /** Deletes the user's key; true when there was one. */
  remove(key: string): Promise<boolean>;
  /** Idempotent; does not close a Redis client it was given. */
  close(): Promise<void>;
}

/**
 * Replay protection store: remembers a token for `ttlMs` milliseconds. Indico never had one; verifyRequest
 * uses it only when given a `replayStore`.
 */
export interface ReplayStore {
  /** True the first time `token` is seen within `ttlMs`, false while it is remembered (atomic, like SET NX PX). */
  markUsed(token: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Injectable time source (epoch ms). */
export interface Clock {
  now(): number;
}
