import { createHash, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { signingError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyStore, Clock, CreateApiKeyOptions, KeyUse, ReplayStore } from '../store.js';
import { CREATE_LUA, RECORD_USE_LUA, REGENERATE_LUA, REMOVE_LUA, SET_FLAG_LUA } from './redis-lua.js';
import { checkKeyUse, checkUserId } from './validate.js';

export interface RedisApiKeyStoreOptions {
  /** An existing ioredis client or Cluster; the store never closes it. */
  redis: Redis | Cluster;
  /** Prepended to every key, e.g. `indico:`. Keys then look like `indico:{apikeys}:key:<uuid>`. */
  prefix?: string;
  clock?: Clock;
  /** Generates key and secret texts; default `crypto.randomUUID` (uuid4). */
  generateId?: () => string;
}

type ScriptName = 'create' | 'regenerate' | 'setFlag' | 'recordUse' | 'remove';
const SCRIPTS: Record<ScriptName, { lua: string; keys: number }> = {
  create: { lua: CREATE_LUA, keys: 2 },
  regenerate: { lua: REGENERATE_LUA, keys: 3 },
  setFlag: { lua: SET_FLAG_LUA, keys: 1 },
  recordUse: { lua: RECORD_USE_LUA, keys: 1 },
  remove: { lua: REMOVE_LUA, keys: 2 },
};

/**
 * Runs a script by EVALSHA (the SHA-1 is computed here, no SCRIPT LOAD round trip) and falls back to EVAL on
 * NOSCRIPT, which also caches it on that node. Works the same on a Cluster, since both route by the keys.
 * Does not add commands to the caller's client.
 */
function scriptRunner(redis: Redis | Cluster) {
  const shas = new Map<ScriptName, string>();
  return async (name: ScriptName, keys: string[], args: Array<string | number>): Promise<number> => {
    const { lua, keys: n } = SCRIPTS[name];
    let sha = shas.get(name);
    if (sha === undefined) {
      sha = createHash('sha1').update(lua).digest('hex');
      shas.set(name, sha);
    }
    try {
      return (await redis.evalsha(sha, n, ...keys, ...args)) as number;
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return (await redis.eval(lua, n, ...keys, ...args)) as number;
    }
  };
}

function decode(h: Record<string, string>): ApiKeyRecord | null {
  if (!h.key) return null;
  return {
    key: h.key,
    secret: h.secret ?? '',
    userId: h.userId ?? '',
    createdAt: Number(h.createdAt),
    blocked: h.blocked === '1',
    persistentAllowed: h.persistentAllowed === '1',
    oldKeys: h.oldKeys ? (JSON.parse(h.oldKeys) as string[]) : [],
    lastUse: h.lastUse ? (JSON.parse(h.lastUse) as KeyUse) : null,
    useCount: Number(h.useCount ?? 0),
  };
}

/**
 * ApiKeyStore over Redis: one hash per key (`<prefix>{apikeys}:key:<key>`) and a user index
 * (`<prefix>{apikeys}:user:<userId>`). Every mutation is one Lua script, so concurrent `recordUse` calls from
 * many processes never lose a count.
 */
export function createRedisApiKeyStore(options: RedisApiKeyStoreOptions): ApiKeyStore {
  const { redis } = options;
  const prefix = options.prefix ?? '';
  const clock = options.clock ?? Date;
  const generateId = options.generateId ?? randomUUID;
  const keyHash = (key: string) => `${prefix}{apikeys}:key:${key}`;
  const userIndex = (userId: string) => `${prefix}{apikeys}:user:${userId}`;
  const run = scriptRunner(redis);

  const get = async (key: string): Promise<ApiKeyRecord | null> => {
    if (typeof key !== 'string' || key === '') return null;
    return decode(await redis.hgetall(keyHash(key)));
  };
  const mustGet = async (key: string): Promise<ApiKeyRecord> => {
    const r = await get(key);
    if (!r) throw signingError('API_KEY_NOT_FOUND');
    return r;
  };
  const setFlag = async (key: string, field: 'blocked' | 'persistentAllowed', value: boolean) => {
    if (typeof key !== 'string' || key === '') throw signingError('API_KEY_NOT_FOUND');
    if ((await run('setFlag', [keyHash(key)], [field, value === true ? '1' : '0'])) !== 1) {
      throw signingError('API_KEY_NOT_FOUND');
    }
    return mustGet(key);
  };

  return {
    async create(userId: string, opts: CreateApiKeyOptions = {}) {
      checkUserId(userId);
      for (;;) {
        const key = generateId();
        const res = await run(
          'create',
          [keyHash(key), userIndex(userId)],
          [key, generateId(), userId, clock.now(), opts.persistentAllowed === true ? '1' : '0'],
        );
        if (res === -1) throw signingError('API_KEY_EXISTS', `user ${JSON.stringify(userId)}`);
        if (res === 1) return mustGet(key);
      }
    },
    get,
    async getByUser(userId) {
      if (typeof userId !== 'string' || userId === '') return null;
      for (let attempt = 0; attempt < 3; attempt++) {
        const key = await redis.get(userIndex(userId));
        if (key === null) return null;
        const r = await get(key);
        if (r) return r; // else regenerated between the two reads: look again
      }
      return null;
    },
    async regenerate(key) {
      for (;;) {
        const old = await mustGet(key);
        const next = generateId();
        const res = await run(
          'regenerate',
          [keyHash(key), keyHash(next), userIndex(old.userId)],
          [key, next, generateId(), old.userId],
        );
        if (res === -1) throw signingError('API_KEY_NOT_FOUND');
        if (res === 1) return mustGet(next);
      }
    },
    setBlocked: (key, blocked) => setFlag(key, 'blocked', blocked),
    setPersistentAllowed: (key, allowed) => setFlag(key, 'persistentAllowed', allowed),
    async recordUse(key, use) {
      checkKeyUse(use);
      if (typeof key !== 'string' || key === '') return false;
      const json = JSON.stringify({
        at: use.at,
        ip: use.ip,
        path: use.path,
        query: use.query,
        authenticated: use.authenticated,
      });
      return (await run('recordUse', [keyHash(key)], [use.at, json])) === 1;
    },
    async remove(key) {
      const r = await get(key);
      if (!r) return false;
      return (await run('remove', [keyHash(key), userIndex(r.userId)], [key, r.userId])) === 1;
    },
    async close() {},
  };
}

export interface RedisReplayStoreOptions {
  /** An existing ioredis client or Cluster; the store never closes it. */
  redis: Redis | Cluster;
  /** Keys look like `<prefix>{replay}:<token>`. */
  prefix?: string;
}

/** ReplayStore over Redis: `SET key 1 PX ttl NX`, so exactly one of many concurrent servers wins. */
export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const { redis } = options;
  const prefix = options.prefix ?? '';
  return {
    async markUsed(token, ttlMs) {
      if (typeof token !== 'string' || token === '') throw new TypeError('markUsed() needs a non-empty token');
      if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new TypeError(`markUsed() needs ttlMs > 0, got ${ttlMs}`);
      const res = await redis.set(`${prefix}{replay}:${token}`, '1', 'PX', Math.ceil(ttlMs), 'NX');
      return res === 'OK';
    },
    async close() {},
  };
}
