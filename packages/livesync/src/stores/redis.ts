import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { LivesyncError } from '../errors.js';
import type { AgentPatch, AgentRecord, ContainerMode, TrackItem, TrackStore } from '../store.js';

export interface RedisTrackStoreOptions {
  /** An existing ioredis client; the store never closes it. */
  redis: Redis;
  /** Prepended to every key, e.g. `indico:`. */
  prefix?: string;
  /** Hash tag shared by every key so a track lives in one Redis Cluster slot (default `livesync`). */
  hashTag?: string;
}

/** Every key name of one track. */
export function trackKeys(prefix = '', hashTag = 'livesync') {
  const base = `${prefix}{${hashTag}}:`;
  return {
    /** What every key starts with (prefix and hash tag): room for the caller's own keys in the same slot. */
    base,
    /** ZSET bucket number -> score bucket number: the index of existing buckets. */
    index: `${base}buckets`,
    /** HASH pointer id -> bucket number, or '' for "before everything". */
    pointers: `${base}pointers`,
    /** HASH agent id -> JSON AgentRecord. */
    agents: `${base}agents`,
    /** Prefix of the per-bucket containers (ZSET in set mode, LIST in list mode). */
    bucketPrefix: `${base}b:`,
    bucket: (n: number) => `${base}b:${n}`,
  };
}

// KEYS[1] pointers hash, KEYS[2] bucket index; ARGV[1] bucket key prefix.
// Deletes buckets at or before the smallest non-empty pointer. Returns the number removed.
// Bucket keys are derived in the script; they share the hash tag, so they live in the same slot.
const TRIM_LUA = `
local min = nil
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  if v ~= '' then
    local n = tonumber(v)
    if min == nil or n < min then min = n end
  end
end
if min == nil then return 0 end
local buckets = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', min)
for i = 1, #buckets, 500 do
  local ks = {}
  for j = i, math.min(i + 499, #buckets) do ks[#ks + 1] = ARGV[1] .. buckets[j] end
  redis.call('UNLINK', unpack(ks))
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', min)
return #buckets
`;

// KEYS[1] agents hash, KEYS[2] pointers hash; ARGV[1] agent id, ARGV[2] JSON record.
// Returns 0 (nothing written) if the agent exists, else stores it with a null pointer and returns 1.
const CREATE_AGENT_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], '')
return 1
`;

// KEYS[1] agents hash; ARGV[1] agent id, ARGV[2] JSON patch. Returns 0 if the agent is missing.
const UPDATE_AGENT_LUA = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[2])) do rec[k] = v end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(rec))
return 1
`;

// KEYS[1] agents hash, KEYS[2] pointers hash; ARGV[1] agent id. Returns 0 if the agent is missing.
const DELETE_AGENT_LUA = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

// KEYS[1] agents hash, KEYS[2] pointers hash. Removes every agent and the pointer of each.
const CLEAR_AGENTS_LUA = `
local ids = redis.call('HKEYS', KEYS[1])
for i = 1, #ids, 500 do
  redis.call('HDEL', KEYS[2], unpack(ids, i, math.min(i + 499, #ids)))
end
redis.call('DEL', KEYS[1])
return #ids
`;

// KEYS[1] pointers hash; ARGV[1] pointer id, ARGV[2] position ('' = null). Returns 0 if missing.
const MOVE_POINTER_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

// KEYS[1] bucket index; ARGV[1] bucket key prefix. Deletes every bucket and the index.
const CLEAR_TRACK_LUA = `
local buckets = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 1, #buckets, 500 do
  local ks = {}
  for j = i, math.min(i + 499, #buckets) do ks[#ks + 1] = ARGV[1] .. buckets[j] end
  redis.call('UNLINK', unpack(ks))
end
redis.call('DEL', KEYS[1])
return #buckets
`;

// KEYS[1] bucket index, KEYS[2] bucket container; ARGV[1] bucket number, ARGV[2] 'set' | 'list', ARGV[3..] members.
// Adds members to one bucket and registers the bucket, in one command (the common case: one unit of work).
const ADD_ONE_BUCKET_LUA = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1])
for i = 3, #ARGV, 1000 do
  local last = math.min(i + 999, #ARGV)
  if ARGV[2] == 'set' then
    local args = {}
    for j = i, last do args[#args + 1] = 0; args[#args + 1] = ARGV[j] end
    redis.call('ZADD', KEYS[2], unpack(args))
  else
    redis.call('RPUSH', KEYS[2], unpack(ARGV, i, last))
  end
end
return #ARGV - 2
`;

// KEYS[1] the caller's "unless" key, KEYS[2] bucket index; ARGV[1] bucket key prefix, ARGV[2] 'set' | 'list',
// then per bucket: bucket number, member count, members. Adds nothing and returns 0 when KEYS[1] exists (a
// command earlier in the same MULTI refused and set it), else adds every member and returns their number.
const ADD_UNLESS_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local i = 3
local n = 0
while i <= #ARGV do
  local bucket = ARGV[i]
  local last = i + 1 + tonumber(ARGV[i + 1])
  local key = ARGV[1] .. bucket
  redis.call('ZADD', KEYS[2], bucket, bucket)
  for j = i + 2, last, 1000 do
    local e = math.min(j + 999, last)
    if ARGV[2] == 'set' then
      local args = {}
      for x = j, e do args[#args + 1] = 0; args[#args + 1] = ARGV[x] end
      redis.call('ZADD', key, unpack(args))
    else
      redis.call('RPUSH', key, unpack(ARGV, j, e))
    end
  end
  n = n + last - i - 1
  i = last + 1
end
return n
`;

const MEMBERS_PER_COMMAND = 1000;

/** The hash tag of a key as Redis Cluster reads it: the text inside the first `{...}`, if not empty. */
function hashTagOf(key: string): string | null {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

export interface QueueEntriesOptions {
  /**
   * Record nothing when this key exists at EXEC (tested by one script queued in place of the plain adds). It
   * must carry the track's hash tag (one Cluster slot); livesync never sets or deletes it.
   */
  unlessKey?: string;
}

/** A TrackStore over Redis, plus the hooks the MULTI helper uses. */
export interface RedisTrackStore extends TrackStore {
  readonly keys: ReturnType<typeof trackKeys>;
  /** Queues the commands that add `items` on a caller's MULTI (or pipeline); the caller runs exec(). */
  queueEntries(
    multi: ChainableCommander,
    items: readonly TrackItem[],
    mode: ContainerMode,
    options?: QueueEntriesOptions,
  ): ChainableCommander;
}

export function createRedisTrackStore(options: RedisTrackStoreOptions): RedisTrackStore {
  const { redis } = options;
  const hashTag = options.hashTag ?? 'livesync';
  const keys = trackKeys(options.prefix ?? '', hashTag);
  const shas = new Map<string, string>();

  /**
   * EVALSHA with the script's locally computed SHA-1, falling back to EVAL on NOSCRIPT. Both route by the
   * keys, so on a Cluster the script is cached on the node that owns the slot (a separate SCRIPT LOAD would
   * go to a random node and leave the owner without it).
   */
  async function run(script: string, keyNames: string[], args: Array<string | number>): Promise<unknown> {
    let sha = shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      shas.set(script, sha);
    }
    try {
      return await redis.evalsha(sha, keyNames.length, ...keyNames, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return redis.eval(script, keyNames.length, ...keyNames, ...args);
    }
  }

  function queueEntries(
    multi: ChainableCommander,
    items: readonly TrackItem[],
    mode: ContainerMode,
    queueOptions: QueueEntriesOptions = {},
  ) {
    const { unlessKey } = queueOptions;
    if (unlessKey !== undefined && hashTagOf(unlessKey) !== hashTag) {
      throw new LivesyncError(
        'INVALID_ARGUMENT',
        `unlessKey must carry the track's hash tag {${hashTag}} (one Cluster slot), got ${unlessKey}`,
      );
    }
    const grouped = new Map<number, string[]>();
    for (const { bucket, member } of items) {
      let list = grouped.get(bucket);
      if (!list) {
        list = [];
        grouped.set(bucket, list);
      }
      list.push(member);
    }
    if (unlessKey !== undefined) {
      if (grouped.size === 0) return multi;
      const args: Array<string | number> = [keys.bucketPrefix, mode];
      for (const [bucket, members] of grouped) args.push(bucket, members.length, ...members);
      // EVAL with the source: EXEC never meets NOSCRIPT
      return multi.eval(ADD_UNLESS_LUA, 2, unlessKey, keys.index, ...args);
    }
    for (const [bucket, members] of grouped) {
      multi.zadd(keys.index, bucket, String(bucket));
      const key = keys.bucket(bucket);
      for (let i = 0; i < members.length; i += MEMBERS_PER_COMMAND) {
        const chunk = members.slice(i, i + MEMBERS_PER_COMMAND);
        if (mode === 'set') multi.zadd(key, ...chunk.flatMap((m) => [0, m]));
        else multi.rpush(key, ...chunk);
      }
    }
    return multi;
  }

  const parsePointer = (v: string): number | null => (v === '' ? null : Number(v));

  return {
    keys,
    queueEntries,
    async addEntries(items, mode) {
      if (items.length === 0) return;
      const bucket = items[0]!.bucket;
      if (items.length <= MEMBERS_PER_COMMAND && items.every((i) => i.bucket === bucket)) {
        await run(ADD_ONE_BUCKET_LUA, [keys.index, keys.bucket(bucket)], [bucket, mode, ...items.map((i) => i.member)]);
        return;
      }
      const result = await queueEntries(redis.multi(), items, mode).exec();
      const failed = result?.find(([err]) => err);
      if (failed) throw failed[0];
    },
    async prepareEntry(bucket) {
      await redis.multi().del(keys.bucket(bucket)).zadd(keys.index, bucket, String(bucket)).exec();
    },
    async hasBucket(bucket) {
      return (await redis.zscore(keys.index, String(bucket))) !== null;
    },
    async deleteBucket(bucket) {
      const res = await redis.multi().zrem(keys.index, String(bucket)).del(keys.bucket(bucket)).exec();
      return Number(res?.[0]?.[1]) === 1;
    },
    async bucketCount() {
      return redis.zcard(keys.index);
    },
    async bucketRange() {
      const [first, last] = await Promise.all([
        redis.zrange(keys.index, '0', '0'),
        redis.zrange(keys.index, '-1', '-1'),
      ]);
      if (first.length === 0 || last.length === 0) return null;
      return { oldest: Number(first[0]), newest: Number(last[0]) };
    },
    async listBuckets(after, until, limit) {
      const min = after === null ? '-inf' : `(${after}`;
      const max = until === null ? '+inf' : String(until);
      const res = await redis.zrangebyscore(keys.index, min, max, 'LIMIT', 0, limit);
      return res.map(Number);
    },
    async readBucket(bucket, mode, offset, limit) {
      const key = keys.bucket(bucket);
      return mode === 'set'
        ? redis.zrange(key, String(offset), String(offset + limit - 1))
        : redis.lrange(key, offset, offset + limit - 1);
    },
    async clearTrack() {
      await run(CLEAR_TRACK_LUA, [keys.index], [keys.bucketPrefix]);
    },
    async getPointers() {
      const all = await redis.hgetall(keys.pointers);
      return new Map(Object.entries(all).map(([k, v]) => [k, parsePointer(v)]));
    },
    async getPointer(pid) {
      const v = await redis.hget(keys.pointers, pid);
      return v === null ? undefined : parsePointer(v);
    },
    async putPointer(pid, pos) {
      await redis.hset(keys.pointers, pid, pos === null ? '' : String(pos));
    },
    async movePointer(pid, pos) {
      return (await run(MOVE_POINTER_LUA, [keys.pointers], [pid, pos === null ? '' : String(pos)])) === 1;
    },
    async removePointer(pid) {
      return (await redis.hdel(keys.pointers, pid)) === 1;
    },
    async trim() {
      return Number(await run(TRIM_LUA, [keys.pointers, keys.index], [keys.bucketPrefix]));
    },
    async createAgent(record) {
      return (await run(CREATE_AGENT_LUA, [keys.agents, keys.pointers], [record.id, JSON.stringify(record)])) === 1;
    },
    async getAgent(id) {
      const raw = await redis.hget(keys.agents, id);
      return raw === null ? undefined : (JSON.parse(raw) as AgentRecord);
    },
    async listAgents() {
      const all = await redis.hgetall(keys.agents);
      return Object.values(all)
        .map((raw) => JSON.parse(raw) as AgentRecord)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async updateAgent(id, patch: AgentPatch) {
      return (await run(UPDATE_AGENT_LUA, [keys.agents], [id, JSON.stringify(patch)])) === 1;
    },
    async deleteAgent(id) {
      return (await run(DELETE_AGENT_LUA, [keys.agents, keys.pointers], [id])) === 1;
    },
    async clearAgents() {
      await run(CLEAR_AGENTS_LUA, [keys.agents, keys.pointers], []);
    },
    async close() {},
  };
}
