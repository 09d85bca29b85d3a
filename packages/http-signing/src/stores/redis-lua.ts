/*
 * Lua scripts of the Redis ApiKeyStore. Each is one atomic step; every key it touches is passed in KEYS and
 * shares the `{apikeys}` hash tag (see redis-keys.ts), so the scripts also run on Redis Cluster.
 */

/*
 * The scripts that change a key record end with PUBLISH of the key text on the store's invalidation channel
 * (last ARGV): stores that cache records (`cacheReads`) drop theirs. Published inside the script, so no reader
 * can see the change before the message is on its way.
 */

/**
 * create-2
 * KEYS[1] key hash, KEYS[2] user index (string: the user's current key)
 * ARGV key, secret, userId, createdAt (ms), persistentAllowed ('0'|'1'), channel
 * Returns 1 created, -1 the user already has a key, -2 the key text is taken (caller draws a new one).
 */
export const CREATE_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -2 end
redis.call('HSET', KEYS[1], 'key', ARGV[1], 'secret', ARGV[2], 'userId', ARGV[3], 'createdAt', ARGV[4],
  'blocked', '0', 'persistentAllowed', ARGV[5], 'oldKeys', '[]', 'useCount', '0')
redis.call('SET', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[6], ARGV[1])
return 1
`;

/**
 * regenerate-3
 * KEYS[1] old key hash, KEYS[2] new key hash, KEYS[3] user index
 * ARGV oldKey, newKey, newSecret, userId (as read by the caller), channel
 * Moves the record to the new key with a new secret, appends oldKey to oldKeys, deletes the old hash.
 * Returns 1 done, -1 old key unknown or no longer this user's, -2 new key text taken.
 */
export const REGENERATE_LUA = `
if redis.call('HGET', KEYS[1], 'userId') ~= ARGV[4] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return -2 end
local old = cjson.decode(redis.call('HGET', KEYS[1], 'oldKeys') or '[]')
table.insert(old, ARGV[1])
local fields = redis.call('HGETALL', KEYS[1])
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('HSET', KEYS[2], 'key', ARGV[2], 'secret', ARGV[3], 'oldKeys', cjson.encode(old))
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('PUBLISH', ARGV[5], ARGV[1])
return 1
`;

/**
 * set-flag-1
 * KEYS[1] key hash; ARGV field name ('blocked'|'persistentAllowed'), value ('0'|'1'), key, channel
 * Returns 1 set, 0 unknown key (nothing written).
 */
export const SET_FLAG_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[4], ARGV[3])
return 1
`;

/**
 * record-use-1
 * KEYS[1] key hash; ARGV at (ms), use as JSON, count (uses merged into this call, default 1)
 * Adds count to useCount; replaces lastUse unless a later use is already stored. Not published: cached
 * records may show an older lastUse/useCount.
 * Returns 1 recorded, 0 unknown key (nothing written).
 */
export const RECORD_USE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local last = redis.call('HGET', KEYS[1], 'lastUsedAt')
if not last or tonumber(ARGV[1]) >= tonumber(last) then
  redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[1], 'lastUse', ARGV[2])
end
redis.call('HINCRBY', KEYS[1], 'useCount', tonumber(ARGV[3] or '1'))
return 1
`;

/**
 * remove-2
 * KEYS[1] key hash, KEYS[2] user index; ARGV key, userId (as read by the caller), channel
 * Returns 1 removed, 0 unknown key or no longer this user's.
 */
export const REMOVE_LUA = `
if redis.call('HGET', KEYS[1], 'userId') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[3], ARGV[1])
return 1
`;
