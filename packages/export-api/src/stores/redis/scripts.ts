/**
 * put-event (KEYS: none declared beyond KEYS[1] = the events hash; every other key is derived from ARGV[1] and
 * shares its `{export}` hash tag, so the script stays in one Cluster slot).
 * ARGV: 1 base, 2 event id, 3 JSON ('' deletes), 4 start ms, 5 end ms, 6 ancestor ids (csv, root first),
 *       7 linked user ids (csv).
 * Removes the event from the indexes of its previous ancestors and users, then (unless deleting) stores it and
 * adds it to `idx:start:<cat>` / `idx:end:<cat>` of every ancestor, raising `maxdur[cat]` when needed.
 * Returns 1 when stored, 0 when deleted.
 */
export const PUT_EVENT = `
local base = ARGV[1]
local id = ARGV[2]
local oldAnc = redis.call('HGET', base .. 'ev-anc', id)
if oldAnc then
  for a in string.gmatch(oldAnc, '[^,]+') do
    redis.call('ZREM', base .. 'idx:start:' .. a, id)
    redis.call('ZREM', base .. 'idx:end:' .. a, id)
  end
end
local oldLinks = redis.call('HGET', base .. 'ev-links', id)
if oldLinks then
  for u in string.gmatch(oldLinks, '[^,]+') do redis.call('ZREM', base .. 'links:' .. u, id) end
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', base .. 'ev-anc', id)
  redis.call('HDEL', base .. 'ev-links', id)
  redis.call('HDEL', base .. 'ev-ver', id)
  return 0
end
local s = tonumber(ARGV[4])
local e = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], id, ARGV[3])
-- a version per stored body, so a listing can tell a reader which bodies it already holds
redis.call('HINCRBY', base .. 'ev-ver', id, 1)
redis.call('HSET', base .. 'ev-anc', id, ARGV[6])
redis.call('HSET', base .. 'ev-links', id, ARGV[7])
for a in string.gmatch(ARGV[6], '[^,]+') do
  redis.call('ZADD', base .. 'idx:start:' .. a, s, id)
  redis.call('ZADD', base .. 'idx:end:' .. a, e, id)
  local cur = tonumber(redis.call('HGET', base .. 'maxdur', a) or '0')
  if e - s > cur then redis.call('HSET', base .. 'maxdur', a, e - s) end
end
for u in string.gmatch(ARGV[7], '[^,]+') do redis.call('ZADD', base .. 'links:' .. u, s, id) end
return 1
`;

/**
 * put-child. KEYS: 1 hash of the event's children, 2 insertion-order sorted set, 3 sequence counter.
 * ARGV: 1 child id, 2 JSON. Keeps the first insertion position of an id; returns 1.
 */
export const PUT_CHILD = `
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/**
 * range-events (read only). KEYS: 1 `idx:start:<cat>`, 2 maxdur hash, 3 events hash.
 * ARGV: 1 category id, 2 from ms or '' (open), 3 to ms or '' (open), 4 offset, 5 count.
 * Reads the events starting in [from - longest duration of the category, to], one page, in one round trip.
 * Returns the stored JSON of each event of the page ('' for an id whose record vanished).
 */
export const RANGE_EVENTS = `
local lo = '-inf'
if ARGV[2] ~= '' then
  lo = tonumber(ARGV[2]) - tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
end
local hi = '+inf'
if ARGV[3] ~= '' then hi = ARGV[3] end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], lo, hi, 'LIMIT', ARGV[4], ARGV[5])
if #ids == 0 then return {} end
local raw = redis.call('HMGET', KEYS[3], unpack(ids))
for i = 1, #ids do if not raw[i] then raw[i] = '' end end
return raw
`;

/**
 * category-paths (read only). KEYS: 1 categories hash. ARGV: category ids.
 * Returns { own JSON per requested id ('' if unknown), ancestor ids, ancestor JSONs } in one round trip.
 */
/** Lua: the own record of each category id, its ancestors (each once) and their records, from one hash. */
const CATEGORY_PATHS_FN = `
local function categoryPaths(hash, ids)
  local own = {}
  local seen = {}
  local anc = {}
  for i = 1, #ids do
    local raw = redis.call('HGET', hash, ids[i])
    if raw then
      own[i] = raw
      for _, a in ipairs(cjson.decode(raw)['_path']) do
        if not seen[a] then seen[a] = true; anc[#anc + 1] = a end
      end
    else
      own[i] = ''
    end
  end
  local recs = {}
  if #anc > 0 then
    recs = redis.call('HMGET', hash, unpack(anc))
    for i = 1, #anc do if not recs[i] then recs[i] = '' end end
  end
  return own, anc, recs
end
`;

export const CATEGORY_PATHS = `${CATEGORY_PATHS_FN}
local own, anc, recs = categoryPaths(KEYS[1], ARGV)
return { own, anc, recs }
`;

/**
 * book-room. KEYS: 1 rooms hash, 2 occupancy sorted set of the room (members `<resv id>:<start>:<end>` or
 * `b:<start>:<end>` for blocked periods, scored by start), 3 longest-occupancy hash, 4 reservations hash,
 * 5 reservation id counter, 6 reservations of the location, 7 reservations of the room.
 * ARGV: 1 room field (`<location>|<id>`), 2 start ms, 3 end ms, 4 reservation JSON whose first key is `"id":-1`.
 * Checks and inserts in one script, so two concurrent bookings of one slot cannot both pass the check.
 * Returns {1, id} or {0, 'no-room' | 'blocked' | 'collision'}.
 */
export const BOOK_ROOM = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {0, 'no-room'} end
local s = tonumber(ARGV[2])
local e = tonumber(ARGV[3])
local longest = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
local cands = redis.call('ZRANGEBYSCORE', KEYS[2], string.format('%d', s - longest), '(' .. ARGV[3])
for _, m in ipairs(cands) do
  local kind, os, oe = string.match(m, '^([^:]+):(%-?%d+):(%-?%d+)$')
  if kind and tonumber(oe) > s and tonumber(os) < e then
    if kind == 'b' then return {0, 'blocked'} end
    return {0, 'collision'}
  end
end
local id = redis.call('INCR', KEYS[5])
local json = string.gsub(ARGV[4], '"id":%-1', '"id":' .. id, 1)
redis.call('HSET', KEYS[4], id, json)
redis.call('ZADD', KEYS[6], id, id)
redis.call('ZADD', KEYS[7], id, id)
redis.call('ZADD', KEYS[2], s, id .. ':' .. ARGV[2] .. ':' .. ARGV[3])
if e - s > longest then redis.call('HSET', KEYS[3], ARGV[1], string.format('%d', e - s)) end
return {1, id}
`;

/**
 * raise. KEYS: 1 a hash. ARGV: 1 field, 2 integer. Sets the field to ARGV[2] when it is larger (or unset);
 * used for the longest occupancy per room and, with field `n` of a counter hash, reservation ids.
 */
export const RAISE = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

/** raise-counter. KEYS: 1 a string counter. ARGV: 1 integer. Sets the counter to ARGV[1] when larger. */
export const RAISE_COUNTER = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
`;

/**
 * Refusal of a delete script, after setting the optional refusal key (KEYS[n], same hash tag, expires after
 * 60 s): later commands of the same MULTI can test it (livesync's `queueChanges(..., { unlessKey })` records
 * nothing then), so a delete refused at EXEC leaves no trace anywhere. Nothing else is written.
 */
const REFUSE = (keyIndex: number) => `
local function refuse(msg)
  if KEYS[${keyIndex}] then redis.call('SET', KEYS[${keyIndex}], '1', 'PX', 60000) end
  return redis.error_reply('NOTEMPTY ' .. msg)
end
`;

/**
 * delete-category. KEYS: 1 categories hash, [2 refusal key]. ARGV: 1 base, 2 category id.
 * Deletes the category with its (empty) subtree indexes and longest-duration entry, unless an event is still
 * indexed under it or another category names it as parent: then it fails with a `NOTEMPTY` error, sets the
 * refusal key when given, and writes nothing else (the caller checked before; this guards the race with a
 * concurrent write). Returns 1 when deleted, 0 when the category did not exist.
 */
export const DELETE_CATEGORY = `${REFUSE(2)}
local base = ARGV[1]
local id = ARGV[2]
if redis.call('HEXISTS', KEYS[1], id) == 0 then return 0 end
if redis.call('ZCARD', base .. 'idx:start:' .. id) > 0 then
  return refuse('category ' .. id .. ' still has events')
end
for _, raw in ipairs(redis.call('HVALS', KEYS[1])) do
  if cjson.decode(raw)['parentId'] == id then
    return refuse('category ' .. id .. ' still has subcategories')
  end
end
redis.call('HDEL', KEYS[1], id)
redis.call('DEL', base .. 'idx:start:' .. id, base .. 'idx:end:' .. id)
redis.call('HDEL', base .. 'maxdur', id)
return 1
`;

/**
 * delete-session. KEYS: 1 sessions hash of the event, 2 their insertion-order set, 3 contributions hash of the
 * event, [4 refusal key]. ARGV: 1 session id.
 * Deletes the session unless a contribution of the event names it (`sessionId`): then `NOTEMPTY`, as above.
 * Returns 1 when deleted, 0 when the session did not exist.
 */
export const DELETE_SESSION = `${REFUSE(4)}
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[1], id) == 0 then return 0 end
for _, raw in ipairs(redis.call('HVALS', KEYS[3])) do
  local c = cjson.decode(raw)
  if c['sessionId'] == id then
    return refuse('session ' .. id .. ' still has contributions (' .. tostring(c['id']) .. ')')
  end
end
redis.call('HDEL', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
return 1
`;

/**
 * delete-room. KEYS: 1 rooms hash, [2 refusal key]. ARGV: 1 base, 2 location, 3 room id, 4 room field (`<location>|<id>`).
 * Deletes the room, its occupancy set (blocked periods), its longest-occupancy entry, and the location once it
 * has no rooms left; fails with `NOTEMPTY` (as delete-category) while a reservation references the room.
 * Returns 1 when deleted, 0 when the room did not exist.
 */
export const DELETE_ROOM = `${REFUSE(2)}
local base = ARGV[1]
local field = ARGV[4]
if redis.call('HEXISTS', KEYS[1], field) == 0 then return 0 end
if redis.call('ZCARD', base .. 'resv-room:' .. field) > 0 then
  return refuse('room ' .. field .. ' still has reservations')
end
redis.call('HDEL', KEYS[1], field)
redis.call('ZREM', base .. 'rooms:' .. ARGV[2], ARGV[3])
if redis.call('ZCARD', base .. 'rooms:' .. ARGV[2]) == 0 then redis.call('SREM', base .. 'locations', ARGV[2]) end
redis.call('DEL', base .. 'occ:' .. field)
redis.call('HDEL', base .. 'occ-max', field)
return 1
`;

/**
 * list-window (read only): a category listing in one round trip. KEYS: 1 events hash, 2 categories hash,
 * 3 maxdur hash; every other key is derived from ARGV[1] (same `{export}` hash tag, as put-event does).
 * ARGV: 1 base, 2 from ms or '' (open), 3 to ms or '' (open), 4 limit per category, 5 '1' for ids instead of
 * stored JSON (the caller holds the records), 6.. category ids.
 * For each category: the stored JSON of the first `limit` events starting in [from - longest duration, to]
 * ('' for a vanished record) and 1 when an event of its subtree ends after `to` (0 when `to` is open); then
 * the categories of those events (from `ev-anc`), their own JSON, and the ids and JSON of their ancestors.
 * Returns { pages, more, eventCats, own, anc, recs }.
 */
export const LIST_WINDOW = `${CATEGORY_PATHS_FN}
local base = ARGV[1]
local pages = {}
local more = {}
local cats = {}
local catSeen = {}
local ancSeen = {}
local idsOnly = ARGV[5] == '1'
local withVersions = ARGV[5] == '2'
for c = 6, #ARGV do
  local cat = ARGV[c]
  local lo = '-inf'
  if ARGV[2] ~= '' then lo = tonumber(ARGV[2]) - tonumber(redis.call('HGET', KEYS[3], cat) or '0') end
  local hi = '+inf'
  if ARGV[3] ~= '' then hi = ARGV[3] end
  local ids = redis.call('ZRANGEBYSCORE', base .. 'idx:start:' .. cat, lo, hi, 'LIMIT', 0, ARGV[4])
  -- one string per category (ids joined with ',', bodies with a newline, which compact JSON never holds): one bulk
  -- reply to decode instead of one per event
  local page = ''
  if #ids > 0 then
    if idsOnly then
      page = table.concat(ids, ',')
    elseif withVersions then
      -- 'id,id,...|version,version,...' (a version is '' when the event has none)
      local vers = redis.call('HMGET', base .. 'ev-ver', unpack(ids))
      for i = 1, #ids do if not vers[i] then vers[i] = '' end end
      page = table.concat(ids, ',') .. '|' .. table.concat(vers, ',')
    else
      local bodies = redis.call('HMGET', KEYS[1], unpack(ids))
      for i = 1, #ids do if not bodies[i] then bodies[i] = '' end end
      page = table.concat(bodies, '\\n')
    end
    local anc = redis.call('HMGET', base .. 'ev-anc', unpack(ids))
    for i = 1, #ids do
      local path = anc[i]
      -- events of one category share one ancestor list: parse each distinct list once
      if path and not ancSeen[path] then
        ancSeen[path] = true
        local own = string.match(path, '([^,]+)$')
        if own and not catSeen[own] then catSeen[own] = true; cats[#cats + 1] = own end
      end
    end
  end
  pages[#pages + 1] = page
  local m = 0
  if ARGV[3] ~= '' and #redis.call('ZRANGEBYSCORE', base .. 'idx:end:' .. cat, '(' .. ARGV[3], '+inf', 'LIMIT', 0, 1) > 0 then
    m = 1
  end
  more[#more + 1] = m
end
local own, anc, recs = categoryPaths(KEYS[2], cats)
return { pages, more, cats, own, anc, recs }
`;
