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
  /**
   * Keep records read by `get` (one per verified request) in process. Every change of a key (create,
   * regenerate, block, persistent flag, remove), from any process, is published on
   * `<prefix>{apikeys}:changed` inside its Lua script; the store listens on a connection of its own
   * (`redis.duplicate()`) and drops the record when the message arrives, so a block or regeneration takes
   * effect as soon as the message is delivered (the writing process drops its copy before the write returns).
   * While that connection is down nothing is cached. `lastUse`/`useCount` of a cached record may be up to
   * `ttlMs` old (uses are not published). Default off.
   */
  cacheReads?: boolean | { maxEntries?: number; ttlMs?: number };
  /**
   * Write `recordUse` behind: uses are merged per key (count, latest use) and written every `maxDelayMs`
   * (default 100) in one pipeline, one atomic script per key; `close()` writes what is pending, and a failed
   * write is kept for the next one. `recordUse` then answers true once queued (unknown keys are skipped when
   * written; `getByUser` writes them first). Default off: one script per use.
   */
  batchUses?: boolean | { maxDelayMs?: number };
}

type ScriptName = 'create' | 'regenerate' | 'setFlag' | 'recordUse' | 'remove';
const SCRIPTS: Record<ScriptName, { lua: string; keys: number }> = {
  create: { lua: CREATE_LUA, keys: 2 },
  regenerate: { lua: REGENERATE_LUA, keys: 3 },
  setFlag: { lua: SET_FLAG_LUA, keys: 1 },
  recordUse: { lua: RECORD_USE_LUA, keys: 1 },
  remove: { lua: REMOVE_LUA, keys: 2 },
};

/** SHA-1 of each script, for EVALSHA (computed once: the batched use writer needs them too). */
const SHAS = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, { lua }]) => [name, createHash('sha1').update(lua).digest('hex')]),
) as Record<ScriptName, string>;

/**
 * Runs a script by EVALSHA (the SHA-1 is computed here, no SCRIPT LOAD round trip) and falls back to EVAL on
 * NOSCRIPT, which also caches it on that node. Works the same on a Cluster, since both route by the keys.
 * Does not add commands to the caller's client.
 */
function scriptRunner(redis: Redis | Cluster) {
  return async (name: ScriptName, keys: string[], args: Array<string | number>): Promise<number> => {
    const { lua, keys: n } = SCRIPTS[name];
    const sha = SHAS[name];
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
  const channel = `${prefix}{apikeys}:changed`;
  const run = scriptRunner(redis);
  const reads = readCache(redis, channel, clock, options.cacheReads);
  const uses = options.batchUses ? useBatcher(redis, run, keyHash, options.batchUses) : null;

  const read = async (key: string): Promise<ApiKeyRecord | null> => {
    if (typeof key !== 'string' || key === '') return null;
    return decode(await redis.hgetall(keyHash(key)));
  };
  const get = async (key: string): Promise<ApiKeyRecord | null> => {
    if (!reads || typeof key !== 'string' || key === '') return read(key);
    const hit = reads.lookup(key);
    if (hit) return hit;
    const epoch = reads.epoch();
    const record = await read(key);
    if (record) reads.remember(key, record, epoch);
    return record;
  };
  /** After a write: this process sees it at once, whatever the pub/sub delivery. */
  const changed = (...keys: string[]) => {
    for (const k of keys) reads?.drop(k);
  };
  const mustGet = async (key: string): Promise<ApiKeyRecord> => {
    const r = await get(key);
    if (!r) throw signingError('API_KEY_NOT_FOUND');
    return r;
  };
  const setFlag = async (key: string, field: 'blocked' | 'persistentAllowed', value: boolean) => {
    if (typeof key !== 'string' || key === '') throw signingError('API_KEY_NOT_FOUND');
    const res = await run('setFlag', [keyHash(key)], [field, value === true ? '1' : '0', key, channel]);
    changed(key);
    if (res !== 1) throw signingError('API_KEY_NOT_FOUND');
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
          [key, generateId(), userId, clock.now(), opts.persistentAllowed === true ? '1' : '0', channel],
        );
        changed(key);
        if (res === -1) throw signingError('API_KEY_EXISTS', `user ${JSON.stringify(userId)}`);
        if (res === 1) return mustGet(key);
      }
    },
    get,
    peek(key) {
      if (!reads || typeof key !== 'string' || key === '') return undefined;
      return reads.lookup(key) ?? undefined;
    },
    async getByUser(userId) {
      if (typeof userId !== 'string' || userId === '') return null;
      await uses?.flush().catch(() => {}); // listings show this process's uses too
      for (let attempt = 0; attempt < 3; attempt++) {
        const key = await redis.get(userIndex(userId));
        if (key === null) return null;
        const r = await read(key); // listings (dashboard) show the current use count
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
          [key, next, generateId(), old.userId, channel],
        );
        changed(key, next);
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
      if (uses) {
        uses.add(key, use.at, json);
        return true;
      }
      const res = await run('recordUse', [keyHash(key)], [use.at, json]);
      changed(key); // this process reads its own uses back
      return res === 1;
    },
    async remove(key) {
      const r = await read(key);
      if (!r) return false;
      const res = await run('remove', [keyHash(key), userIndex(r.userId)], [key, r.userId, channel]);
      changed(key);
      return res === 1;
    },
    async close() {
      try {
        await uses?.close();
      } finally {
        reads?.close();
      }
    },
  };
}

interface ReadCache {
  lookup(key: string): ApiKeyRecord | null;
  /** Keeps a record read when `epoch()` answered `epoch`, unless a change arrived meanwhile. */
  remember(key: string, record: ApiKeyRecord, epoch: number): void;
  drop(key: string): void;
  epoch(): number;
  close(): void;
}

/** The `cacheReads` cache: filled by reads, emptied by the change channel (see RedisApiKeyStoreOptions). */
function readCache(
  redis: Redis | Cluster,
  channel: string,
  clock: Clock,
  opts: RedisApiKeyStoreOptions['cacheReads'],
): ReadCache | null {
  if (!opts) return null;
  const maxEntries = (typeof opts === 'object' ? opts.maxEntries : undefined) ?? 10_000;
  const ttlMs = (typeof opts === 'object' ? opts.ttlMs : undefined) ?? 10_000;
  const entries = new Map<string, { record: ApiKeyRecord; expires: number }>();
  // Bumped by every change message and connection event: a read that started before one is not kept.
  let epoch = 0;
  let listening = false;
  let closed = false;
  const reset = () => {
    epoch++;
    entries.clear();
  };
  const sub: Redis | Cluster = (redis as Cluster).isCluster
    ? (redis as Cluster).duplicate()
    : (redis as Redis).duplicate();
  const subscribe = () => {
    sub.subscribe(channel).then(
      () => {
        if (closed) return;
        reset();
        listening = true;
      },
      () => {
        listening = false;
      },
    );
  };
  sub.on('message', (ch: string, key: string) => {
    if (ch !== channel) return;
    epoch++;
    entries.delete(key);
  });
  // nothing is cached unless the channel is known to be heard: a lost connection may have lost messages
  for (const ev of ['close', 'reconnecting', 'end']) {
    sub.on(ev, () => {
      listening = false;
      reset();
    });
  }
  sub.on('error', () => {
    // reported by the main connection's handlers; the cache just stays off until the channel is back
  });
  sub.on('ready', subscribe);
  return {
    lookup(key) {
      if (!listening) return null;
      const e = entries.get(key);
      if (!e) return null;
      if (e.expires > clock.now()) return e.record;
      entries.delete(key);
      return null;
    },
    remember(key, record, at) {
      if (!listening || at !== epoch) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, {
        record: Object.freeze({ ...record, oldKeys: Object.freeze([...record.oldKeys]) }),
        expires: clock.now() + ttlMs,
      });
    },
    drop(key) {
      epoch++;
      entries.delete(key);
    },
    epoch: () => epoch,
    close() {
      closed = true;
      listening = false;
      reset();
      sub.disconnect();
    },
  };
}

/** The `batchUses` writer (see RedisApiKeyStoreOptions). */
function useBatcher(
  redis: Redis | Cluster,
  run: ReturnType<typeof scriptRunner>,
  keyHash: (key: string) => string,
  opts: RedisApiKeyStoreOptions['batchUses'],
) {
  const maxDelayMs = (typeof opts === 'object' ? opts.maxDelayMs : undefined) ?? 100;
  let pending = new Map<string, { count: number; at: number; json: string }>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  const merge = (key: string, count: number, at: number, json: string) => {
    const cur = pending.get(key);
    if (!cur) pending.set(key, { count, at, json });
    else {
      cur.count += count;
      if (at >= cur.at) {
        cur.at = at;
        cur.json = json;
      }
    }
  };
  const schedule = () => {
    if (timer || pending.size === 0) return;
    timer = setTimeout(() => {
      timer = null;
      void flush().catch(() => {
        // kept in `pending`; retried by the next schedule
      });
    }, maxDelayMs);
    timer.unref?.();
  };
  const writeBatch = async (batch: Map<string, { count: number; at: number; json: string }>) => {
    const sha = SHAS.recordUse;
    const p = redis.pipeline();
    const list = [...batch];
    for (const [key, u] of list) p.evalsha(sha, 1, keyHash(key), u.at, u.json, u.count);
    const replies = (await p.exec()) ?? [];
    const failed: typeof list = [];
    for (const [i, entry] of list.entries()) {
      const err = replies[i]?.[0];
      if (!err) continue;
      if (String(err.message).includes('NOSCRIPT')) {
        const [key, u] = entry;
        await run('recordUse', [keyHash(key)], [u.at, u.json, u.count]);
      } else failed.push(entry);
    }
    if (failed.length > 0) throw Object.assign(new Error('recordUse batch failed'), { failed });
  };
  const flush = async (): Promise<void> => {
    if (flushing) await flushing.catch(() => {});
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    flushing = writeBatch(batch).catch((err: unknown) => {
      // nothing is lost: what was not written goes back for the next flush
      const failed = (err as { failed?: Array<[string, { count: number; at: number; json: string }]> }).failed ?? [
        ...batch,
      ];
      for (const [key, u] of failed) merge(key, u.count, u.at, u.json);
      schedule();
      throw err;
    });
    try {
      await flushing;
    } finally {
      flushing = null;
    }
  };
  return {
    add(key: string, at: number, json: string) {
      merge(key, 1, at, json);
      schedule();
    },
    flush,
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush();
    },
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
