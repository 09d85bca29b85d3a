import { randomUUID } from 'node:crypto';
import { signingError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyStore, Clock, CreateApiKeyOptions, KeyUse, ReplayStore } from '../store.js';
import { checkKeyUse, checkUserId } from './validate.js';

export interface MemoryApiKeyStoreOptions {
  clock?: Clock;
  /** Generates key and secret texts; default `crypto.randomUUID` (uuid4). */
  generateId?: () => string;
}

/** Stored records are frozen and replaced on every change, so reads can hand them out without copying. */
function freeze(r: ApiKeyRecord): ApiKeyRecord {
  Object.freeze(r.oldKeys);
  if (r.lastUse) Object.freeze(r.lastUse);
  return Object.freeze(r);
}

/** The reference ApiKeyStore over Maps. Records it returns are frozen snapshots. */
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
  const replace = (r: ApiKeyRecord, changes: Partial<ApiKeyRecord>): ApiKeyRecord => {
    const next = freeze({ ...r, ...changes });
    byKey.set(next.key, next);
    return next;
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
      const record: ApiKeyRecord = freeze({
        ...freshPair(),
        userId,
        createdAt: clock.now(),
        blocked: false,
        persistentAllowed: opts.persistentAllowed === true,
        oldKeys: [],
        lastUse: null,
        useCount: 0,
      });
      byKey.set(record.key, record);
      byUser.set(userId, record.key);
      return record;
    },
    async get(key) {
      return byKey.get(key) ?? null;
    },
    peek(key) {
      return byKey.get(key) ?? null;
    },
    async getByUser(userId) {
      const key = byUser.get(userId);
      return (key === undefined ? undefined : byKey.get(key)) ?? null;
    },
    async regenerate(key) {
      const old = mustGet(key);
      const next = freeze({ ...old, ...freshPair(), oldKeys: [...old.oldKeys, old.key] });
      byKey.delete(key);
      byKey.set(next.key, next);
      byUser.set(next.userId, next.key);
      return next;
    },
    async setBlocked(key, blocked) {
      return replace(mustGet(key), { blocked: blocked === true });
    },
    async setPersistentAllowed(key, allowed) {
      return replace(mustGet(key), { persistentAllowed: allowed === true });
    },
    async recordUse(key: string, use: KeyUse) {
      checkKeyUse(use);
      const r = byKey.get(key);
      if (!r) return false;
      const latest = !r.lastUse || use.at >= r.lastUse.at;
      replace(r, { lastUse: latest ? { ...use } : r.lastUse, useCount: r.useCount + 1 });
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
