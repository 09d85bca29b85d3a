import { randomUUID } from 'node:crypto';
import { signingError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyStore, Clock, CreateApiKeyOptions, KeyUse, ReplayStore } from '../store.js';
import { checkKeyUse, checkUserId } from './validate.js';

export interface MemoryApiKeyStoreOptions {
  clock?: Clock;
  /** Generates key and secret texts; default `crypto.randomUUID` (uuid4). */
  generateId?: () => string;
}

function copy(r: ApiKeyRecord): ApiKeyRecord {
  return { ...r, oldKeys: [...r.oldKeys], lastUse: r.lastUse ? { ...r.lastUse } : null };
}

/** The reference ApiKeyStore over Maps; returns copies so callers cannot change stored records. */
export function createMemoryApiKeyStore(options: MemoryApiKeyStoreOptions = {}): ApiKeyStore {
  const clock = options.clock ?? Date;
  const generateId = options.generateId ?? randomUUID;
  const byKey = new Map<string, ApiKeyRecord>();
  const byUser = new Map<string, string>();

  /** Key and secret are drawn together per attempt (same order as the Redis adapter). */
  const freshPair = (): { key: string; secret: string } => {
    for (;;) {
      const key = generateId();
      const secret = generateId();
      if (!byKey.has(key)) return { key, secret };
    }
  };
  const mustGet = (key: string): ApiKeyRecord => {
    const r = byKey.get(key);
    if (!r) throw signingError('API_KEY_NOT_FOUND');
    return r;
  };

  return {
    async create(userId: string, opts: CreateApiKeyOptions = {}) {
      checkUserId(userId);
      if (byUser.has(userId)) throw signingError('API_KEY_EXISTS', `user ${JSON.stringify(userId)}`);
      const record: ApiKeyRecord = {
        ...freshPair(),
        userId,
        createdAt: clock.now(),
        blocked: false,
        persistentAllowed: opts.persistentAllowed === true,
        oldKeys: [],
        lastUse: null,
        useCount: 0,
      };
      byKey.set(record.key, record);
      byUser.set(userId, record.key);
      return copy(record);
    },
    async get(key) {
      const r = byKey.get(key);
      return r ? copy(r) : null;
    },
    async getByUser(userId) {
      const key = byUser.get(userId);
      const r = key === undefined ? undefined : byKey.get(key);
      return r ? copy(r) : null;
    },
    async regenerate(key) {
      const old = mustGet(key);
      const next: ApiKeyRecord = { ...old, ...freshPair(), oldKeys: [...old.oldKeys, old.key] };
      byKey.delete(key);
      byKey.set(next.key, next);
      byUser.set(next.userId, next.key);
      return copy(next);
    },
    async setBlocked(key, blocked) {
      const r = mustGet(key);
      r.blocked = blocked === true;
      return copy(r);
    },
    async setPersistentAllowed(key, allowed) {
      const r = mustGet(key);
      r.persistentAllowed = allowed === true;
      return copy(r);
    },
    async recordUse(key: string, use: KeyUse) {
      checkKeyUse(use);
      const r = byKey.get(key);
      if (!r) return false;
      if (!r.lastUse || use.at >= r.lastUse.at) r.lastUse = { ...use };
      r.useCount += 1;
      return true;
    },
    async remove(key) {
      const r = byKey.get(key);
      if (!r) return false;
      byKey.delete(key);
      byUser.delete(r.userId);
      return true;
    },
    async close() {},
  };
}

export interface MemoryReplayStoreOptions {
  clock?: Clock;
}

/** ReplayStore over a Map with expiry by the injected clock; expired tokens are swept as new ones arrive. */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const clock = options.clock ?? Date;
  const seen = new Map<string, number>();
  let nextSweep = 0;
  return {
    async markUsed(token, ttlMs) {
      if (typeof token !== 'string' || token === '') throw new TypeError('markUsed() needs a non-empty token');
      if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new TypeError(`markUsed() needs ttlMs > 0, got ${ttlMs}`);
      const now = clock.now();
      if (now >= nextSweep) {
        for (const [t, until] of seen) if (until <= now) seen.delete(t);
        nextSweep = now + 1000;
      }
      const until = seen.get(token);
      if (until !== undefined && until > now) return false;
      seen.set(token, now + Math.ceil(ttlMs));
      return true;
    },
    async close() {
      seen.clear();
    },
  };
}
