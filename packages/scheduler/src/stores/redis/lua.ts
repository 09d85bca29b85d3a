/**
 * The scheduler's Lua scripts. Each runs atomically and is one state transition (or a batch of them); times come
 * in as ARGV (epoch ms from the caller's clock), never from Redis. KEYS[1] is always the key base
 * `<prefix>{<name>}:`; every key used is derived from it, so all of them share the hash tag.
 *
 * Task hash fields: d (immutable TaskData JSON), s (status), t (startOn), st, en, oc (occurrence count),
 * rn (launch counter), o (owner daemon), err, dq ('1' = dequeued while running), k (schedule key),
 * kd ('o' one-shot / 'p' periodic). Missing or '' fields mean null / 0.
 * Statuses: NONE 0, SPOOLED 1, QUEUED 2, RUNNING 3, FAILED 4, FINISHED 6, TERMINATED 7.
 */

const LIB = `
local B = KEYS[1]
local WAITING, RUNNING = B .. 'waiting', B .. 'running'
local IDX = { finished = B .. 'finished', failed = B .. 'failed' }
local function tk(id) return B .. 'task:' .. id end
local function retire(id, k, now)
  if k and k ~= '' and redis.call('HGET', B .. 'keys', k) == tostring(id) then redis.call('HDEL', B .. 'keys', k) end
  redis.call('ZADD', B .. 'retired', now, 'task' .. id)
end
-- Batched writes: members collected per key and flushed in chunks (Lua's unpack has a stack limit).
local batches = {}
local function batch(cmd, key, a, b)
  local id = cmd .. ' ' .. key
  local q = batches[id]
  if not q then q = {cmd = cmd, key = key, args = {}}; batches[id] = q end
  local n = #q.args
  q.args[n + 1] = a
  if b ~= nil then q.args[n + 2] = b end
end
local function flush()
  for _, q in pairs(batches) do
    local args = q.args
    for i = 1, #args, 1000 do
      redis.call(q.cmd, q.key, unpack(args, i, math.min(i + 999, #args)))
    end
  end
  batches = {}
end
local function jstr(v) if v == nil or v == '' then return 'null' end return cjson.encode(v) end
local function occurrence(id, occ, status, scheduled, st, en, delay, attempts, err, now, idx)
  redis.call('HSET', B .. 'occ', id .. ':' .. occ, '{"taskId":' .. id .. ',"id":' .. occ .. ',"status":' .. status ..
    ',"scheduledOn":' .. scheduled .. ',"startedOn":' .. st .. ',"endedOn":' .. en .. ',"delay":' .. delay ..
    ',"attempts":' .. attempts .. ',"error":' .. jstr(err) .. '}')
  redis.call('ZADD', IDX[idx] or (B .. idx), now, 'task' .. id .. ':' .. occ)
end
`;

/**
 * step-2: record results, apply spool instructions, claim due tasks.
 * ARGV: now, owner, claimMax, spoolMax, claimUntil (claims tasks due up to it), results: a JSON array of strings,
 *   9 per result: id, run, outcome (finished|failed|expired|terminated), startedOn, endedOn, nextStartOn|'',
 *   attempts, delay, error|''.
 * Returns { header, d* }: header is the JSON text of
 *   [ spoolFlat(op,result,id,ref,typeId,message)*, shutdown|false, completedFlat(id,accepted,status,index,occ,requeuedAt)*,
 *     claimedFlat(id,run,startOn,occurrences,startedOn,ref,kind,key)*, nextDue|false, pending(0|1) ]
 *   and each claimed task's stored data d follows as a reply of its own, in claim order (kept out of the JSON, so
 *   a corrupted d cannot spoil the header). Two replies in all, instead of 6 + 9 per claimed task + 6 per result:
 *   the client's per-element decoding was a large share of a no-op task's cost.
 */
export const STEP = `${LIB}
local now = tonumber(ARGV[1])
local owner = ARGV[2]
local claimMax = tonumber(ARGV[3])
local spoolMax = tonumber(ARGV[4])
local claimUntil = tonumber(ARGV[5])
local R = cjson.decode(ARGV[6])
local nres = #R / 9

local completed = {}
local function done(id, accepted, status, idx, occ, req)
  local n = #completed
  completed[n + 1] = id; completed[n + 2] = accepted; completed[n + 3] = status
  completed[n + 4] = idx or false; completed[n + 5] = occ or false; completed[n + 6] = req or false
end
for i = 0, nres - 1 do
  local a = i * 9
  local id = tonumber(R[a + 1])
  local run = tonumber(R[a + 2])
  local outcome = R[a + 3]
  local st, en, nexts = R[a + 4], R[a + 5], R[a + 6]
  local attempts, delay, err = R[a + 7], R[a + 8], R[a + 9]
  local key = tk(id)
  local f = redis.call('HMGET', key, 's', 'rn', 'kd', 'dq', 'k', 't', 'oc')
  if (not f[1]) or tonumber(f[1]) ~= 3 or tonumber(f[2] or '0') ~= run then
    done(id, 0, tonumber(f[1] or '0'))
  else
    batch('ZREM', RUNNING, id)
    local status = 4
    if outcome == 'finished' then status = 6 elseif outcome == 'terminated' then status = 7 end
    local idx = nil
    if status == 6 then idx = 'finished' elseif status == 4 then idx = 'failed' end
    if f[3] == 'p' and status ~= 7 then
      local occ = tonumber(f[7] or '0')
      redis.call('HSET', key, 'st', st, 'en', en, 'o', '', 'err', err, 'oc', occ + 1)
      occurrence(id, occ, status, f[6] ~= '' and f[6] or st, st, en, delay, attempts, err, now, idx)
      if f[4] == '1' then
        redis.call('HSET', key, 's', 0)
        retire(id, f[5], now)
        done(id, 1, 0, idx, occ)
      elseif nexts ~= '' then
        redis.call('HSET', key, 's', 2, 't', nexts, 'en', '')
        redis.call('ZADD', WAITING, nexts, id)
        done(id, 1, 2, idx, occ, tonumber(nexts))
      else
        redis.call('HSET', key, 's', status, 't', '')
        retire(id, f[5], now)
        done(id, 1, status, idx, occ)
      end
    elseif f[4] == '1' or idx == nil then
      local s = status
      if f[4] == '1' then s = 0 end
      redis.call('HSET', key, 'st', st, 'en', en, 'o', '', 'err', err, 's', s)
      retire(id, f[5], now)
      done(id, 1, s)
    else
      redis.call('HSET', key, 'st', st, 'en', en, 'o', '', 'err', err, 's', status)
      batch('ZADD', IDX[idx], now, 'task' .. id)
      done(id, 1, status, idx)
    end
  end
end
flush()

local outs = {}
local function out(op, result, id, ref, typeId, message)
  local n = #outs
  outs[n + 1] = op; outs[n + 2] = result; outs[n + 3] = id or false
  outs[n + 4] = ref or false; outs[n + 5] = typeId or false; outs[n + 6] = message or false
end
local function resolve(e)
  local id = nil
  if type(e.id) == 'number' then id = e.id
  elseif type(e.ref) == 'string' then
    local n = string.match(e.ref, '^#(%d+)$')
    if n and redis.call('EXISTS', tk(n)) == 1 then return tonumber(n) end
    local v = redis.call('HGET', B .. 'refs', e.ref)
    if v then id = tonumber(v) end
  end
  if id and redis.call('EXISTS', tk(id)) == 1 then return id end
  return nil
end
local function deadletter(raw, reason)
  redis.call('RPUSH', B .. 'dead', cjson.encode({at = now, reason = reason, raw = raw, taskId = cjson.null}))
end
local function add(e)
  local key = e.key
  local ref = '#' .. e.id
  if type(key) == 'string' then
    local ex = redis.call('HGET', B .. 'keys', key)
    if ex then
      local g = redis.call('HMGET', tk(ex), 's', 'dq')
      local s = tonumber(g[1] or '-1')
      if (s == 1 or s == 2 or s == 3) and g[2] ~= '1' then
        redis.call('HSET', B .. 'refs', ref, ex)
        return out('add', 'duplicate', tonumber(ex), ref, e.typeId)
      end
    end
  else
    key = nil
  end
  local id = e.id
  local startOn = e.startOn
  local kd = 'o'
  if e.kind == 'periodic' then kd = 'p' end
  if type(startOn) == 'number' then
    if key then
      redis.call('HSET', tk(id), 'd', e.d, 's', 2, 't', startOn, 'kd', kd, 'k', key)
    else
      redis.call('HSET', tk(id), 'd', e.d, 's', 2, 't', startOn, 'kd', kd)
    end
    batch('ZADD', WAITING, startOn, id)
  else
    redis.call('HSET', tk(id), 'd', e.d, 's', 1, 'kd', kd, 'k', key or '')
  end
  if key then redis.call('HSET', B .. 'keys', key, id) end
  if type(startOn) == 'number' then return out('add', 'queued', id, ref, e.typeId) end
  return out('add', 'spooled', id, ref, e.typeId)
end
local function del(e)
  local ref = nil
  if type(e.ref) == 'string' then ref = e.ref end
  local id = resolve(e)
  if not id then return out('del', 'noop', false, ref) end
  local key = tk(id)
  local f = redis.call('HMGET', key, 's', 'dq', 'k')
  local s = tonumber(f[1] or '0')
  if s == 3 then
    if f[2] == '1' then return out('del', 'noop', id, ref) end
    redis.call('HSET', key, 'dq', '1')
    if f[3] and f[3] ~= '' and redis.call('HGET', B .. 'keys', f[3]) == tostring(id) then
      redis.call('HDEL', B .. 'keys', f[3])
    end
    return out('del', 'dequeue-running', id, ref)
  end
  if s == 0 then return out('del', 'noop', id, ref) end
  if s == 2 then redis.call('ZREM', WAITING, id)
  elseif s == 4 or s == 7 then redis.call('ZREM', B .. 'failed', 'task' .. id)
  elseif s == 6 then redis.call('ZREM', B .. 'finished', 'task' .. id) end
  redis.call('HSET', key, 's', 0)
  retire(id, f[3], now)
  return out('del', 'dequeued', id, ref)
end
local function change(e)
  local ref = nil
  if type(e.ref) == 'string' then ref = e.ref end
  local id = resolve(e)
  if (not id) or tonumber(redis.call('HGET', tk(id), 's') or '0') ~= 2
    or not redis.call('ZSCORE', WAITING, id) then
    return out('change', 'not-waiting', id or false, ref)
  end
  redis.call('ZADD', WAITING, e.startOn, id)
  redis.call('HSET', tk(id), 't', e.startOn)
  return out('change', 'moved', id, ref)
end

local shutdown = false
local applied = 0
local items = {}
if spoolMax > 0 then items = redis.call('LRANGE', B .. 'spool', 0, spoolMax - 1) end
for _, raw in ipairs(items) do
  applied = applied + 1
  -- an add is a JSON header, a newline, then its TaskData JSON as is (items without a newline are JSON alone)
  local nl = string.find(raw, '\\n', 1, true)
  local ok, e
  if nl then
    ok, e = pcall(cjson.decode, string.sub(raw, 1, nl - 1))
    if ok and type(e) == 'table' then e.d = string.sub(raw, nl + 1) end
  else
    ok, e = pcall(cjson.decode, raw)
  end
  if not ok or type(e) ~= 'table' then
    deadletter(raw, 'unreadable or unknown spool instruction')
    out('invalid', 'dead-lettered', false, false, false, 'unreadable or unknown spool instruction')
  elseif e.op == 'shutdown' then
    flush()
    shutdown = e.message
    if type(shutdown) ~= 'string' then shutdown = '' end
    out('shutdown', 'shutdown', false, false, false, shutdown)
    break
  elseif e.op == 'add' and type(e.d) == 'string' and type(e.id) == 'number' and type(e.typeId) == 'string'
    and (type(e.startOn) == 'number' or e.startOn == cjson.null) then
    add(e)
  elseif e.op == 'del' and (type(e.id) == 'number' or type(e.ref) == 'string') then
    flush()
    del(e)
  elseif e.op == 'change' and (type(e.id) == 'number' or type(e.ref) == 'string') and type(e.startOn) == 'number' then
    flush()
    change(e)
  else
    local op = 'invalid'
    if type(e.op) == 'string' then op = e.op end
    local reason = 'unreadable or unknown spool instruction'
    if op == 'add' or op == 'del' or op == 'change' then reason = 'malformed ' .. op .. ' instruction' end
    deadletter(raw, reason)
    out(op, 'dead-lettered', false, false, false, reason)
  end
end
flush()
if applied > 0 then redis.call('LTRIM', B .. 'spool', applied, -1) end

local claimed = {}
local datas = {}
if (not shutdown) and claimMax > 0 then
  local due = redis.call('ZRANGEBYSCORE', WAITING, '-inf', claimUntil, 'WITHSCORES', 'LIMIT', 0, claimMax)
  local n = #due / 2
  if n > 0 then
    redis.call('ZREMRANGEBYRANK', WAITING, 0, n - 1)
    local za = {}
    for i = 1, n do
      local id = due[2 * i - 1]
      local key = tk(id)
      local g = redis.call('HMGET', key, 'd', 'oc', 'r', 'kd', 'k', 'rn')
      local rn = tonumber(g[6] or '0') + 1
      redis.call('HSET', key, 's', 3, 'o', owner, 'st', now, 'rn', rn)
      local c = #claimed
      claimed[c + 1] = tonumber(id); claimed[c + 2] = rn
      claimed[c + 3] = tonumber(due[2 * i]); claimed[c + 4] = tonumber(g[2] or '0'); claimed[c + 5] = now
      claimed[c + 6] = g[3] or ''; claimed[c + 7] = g[4] or 'o'; claimed[c + 8] = g[5] or ''
      datas[i] = g[1] or ''
      za[2 * i - 1] = now
      za[2 * i] = id
    end
    redis.call('ZADD', RUNNING, unpack(za))
  end
end
-- When the claim filled every free slot the daemon is busy and wakes on results, so the head is not needed.
local nextDue = false
if #datas < claimMax or shutdown then
  local head = redis.call('ZRANGE', WAITING, 0, 0, 'WITHSCORES')
  if head[2] then nextDue = tonumber(head[2]) end
end
-- A full batch may have left more instructions behind (at worst one extra, empty step).
local pending = 0
if spoolMax > 0 and #items >= spoolMax and not shutdown then pending = 1 end
local reply = { cjson.encode({ outs, shutdown, completed, claimed, nextDue, pending }) }
for i = 1, #datas do reply[i + 1] = datas[i] end
return reply
`;

/**
 * spool-push-1: ARGV = raw items. Each \`add\` (an item starting with {"op":"add") gets the next task id from the
 * counter, prepended as "id":n, so ids increase in spool order. RPUSH in order, publish a wake-up.
 * Returns the reserved ids.
 */
export const SPOOL_PUSH = `${LIB}
local adds = 0
for i = 1, #ARGV do
  if string.sub(ARGV[i], 1, 11) == '{"op":"add"' then adds = adds + 1 end
end
local ids = {}
if adds > 0 then
  local nextId = redis.call('INCRBY', B .. 'ctr', adds) - adds
  local items = {}
  for i = 1, #ARGV do
    local raw = ARGV[i]
    if string.sub(raw, 1, 11) == '{"op":"add"' then
      ids[#ids + 1] = nextId
      raw = '{"id":' .. nextId .. ',' .. string.sub(raw, 2)
      nextId = nextId + 1
    end
    items[i] = raw
  end
  for i = 1, #items, 1000 do
    redis.call('RPUSH', B .. 'spool', unpack(items, i, math.min(i + 999, #items)))
  end
else
  for i = 1, #ARGV, 1000 do
    redis.call('RPUSH', B .. 'spool', unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
end
redis.call('PUBLISH', B .. 'wake', '1')
return ids
`;

/** heartbeat-1: ARGV id, run, now. 1 if the launch is current (running score := now), else 0. */
export const HEARTBEAT = `${LIB}
local f = redis.call('HMGET', tk(ARGV[1]), 's', 'rn')
if tonumber(f[1] or '0') ~= 3 or tonumber(f[2] or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', RUNNING, 'XX', ARGV[3], ARGV[1])
return 1
`;

/** terminate-1 (T8): ARGV id, run, now, nextStartOn|'', reason. 1 if terminated, 0 if the launch is not current. */
export const TERMINATE = `${LIB}
local id, run, now, nexts, reason = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local key = tk(id)
local f = redis.call('HMGET', key, 's', 'rn', 'kd', 'dq', 'k', 't', 'oc', 'st')
if tonumber(f[1] or '0') ~= 3 or tonumber(f[2] or '0') ~= run then return 0 end
redis.call('ZREM', RUNNING, id)
redis.call('HSET', key, 'o', '', 'err', reason, 'en', now)
if f[3] == 'p' then
  local occ = tonumber(f[7] or '0')
  redis.call('HSET', key, 'oc', occ + 1)
  local st = f[8]
  if not st or st == '' then st = now end
  local sched = f[6]
  if not sched or sched == '' then sched = now end
  occurrence(id, occ, 7, sched, st, now, 0, 0, reason, now, 'failed')
  if f[4] ~= '1' and nexts ~= '' then
    redis.call('HSET', key, 's', 2, 't', nexts, 'en', '')
    redis.call('ZADD', WAITING, nexts, id)
    return 1
  end
  redis.call('HSET', key, 's', 7)
  retire(id, f[5], now)
  return 1
end
redis.call('HSET', key, 's', 7)
redis.call('ZADD', B .. 'failed', now, 'task' .. id)
return 1
`;

/**
 * recover-1 (T9): ARGV now, leaseMs, deadOwner*. Requeues (at their old startOn) running tasks whose owner is not a
 * live daemon; forgets the listed dead daemons. Returns the relaunched ids.
 */
export const RECOVER = `${LIB}
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local dead = {}
for i = 3, #ARGV do dead[ARGV[i]] = true end
local ids = redis.call('ZRANGE', RUNNING, 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local key = tk(id)
  local f = redis.call('HMGET', key, 'o', 'dq', 'k', 't')
  local o = f[1] or ''
  local alive = false
  if o ~= '' and not dead[o] then
    local seen = redis.call('ZSCORE', B .. 'daemons', o)
    alive = seen ~= false and seen ~= nil and tonumber(seen) >= now - lease
  end
  if not alive then
    redis.call('ZREM', RUNNING, id)
    redis.call('HSET', key, 'o', '')
    if f[2] == '1' then
      redis.call('HSET', key, 's', 0)
      retire(id, f[3], now)
    else
      local t = f[4]
      if not t or t == '' then t = now end
      redis.call('HSET', key, 's', 2)
      redis.call('ZADD', WAITING, t, id)
    end
    out[#out + 1] = tonumber(id)
  end
end
for o in pairs(dead) do
  redis.call('ZREM', B .. 'daemons', o)
  redis.call('HDEL', B .. 'daemon-info', o)
end
return out
`;

/** restart-failed-1 (T15): ARGV id, startOn. Returns 'ok', 'not-found' or 'inconsistent'. */
export const RESTART_FAILED = `${LIB}
local s = redis.call('HGET', tk(ARGV[1]), 's')
if not s then return 'not-found' end
if tonumber(s) ~= 4 then return 'inconsistent' end
redis.call('ZREM', B .. 'failed', 'task' .. ARGV[1])
redis.call('ZREM', B .. 'retired', 'task' .. ARGV[1])
redis.call('HSET', tk(ARGV[1]), 's', 2, 't', ARGV[2], 'err', '')
redis.call('ZADD', WAITING, ARGV[2], ARGV[1])
return 'ok'
`;

/** dead-letter-task-1: ARGV id, run, reason, now. Moves an unreadable task's data to the dead-letter list. */
export const DEAD_LETTER_TASK = `${LIB}
local id = ARGV[1]
local key = tk(id)
local f = redis.call('HMGET', key, 'rn', 'd', 'r', 'k')
if tonumber(f[1] or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', RUNNING, id)
redis.call('ZREM', WAITING, id)
redis.call('RPUSH', B .. 'dead', cjson.encode({at = tonumber(ARGV[4]), reason = ARGV[3], raw = f[2] or '', taskId = tonumber(id)}))
redis.call('DEL', key)
if f[3] and redis.call('HGET', B .. 'refs', f[3]) == id then redis.call('HDEL', B .. 'refs', f[3]) end
if f[4] and f[4] ~= '' and redis.call('HGET', B .. 'keys', f[4]) == id then redis.call('HDEL', B .. 'keys', f[4]) end
return 1
`;

/**
 * prune-1: ARGV now, maxAge|'', maxCount|'', limit. Drops finished / failed / retired entries older than maxAge or
 * beyond maxCount (oldest first), with their occurrence records and, for tasks no longer live, the task itself.
 * Returns the number of finished + failed entries removed.
 */
export const PRUNE = `${LIB}
local now, maxAge, maxCount, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local removed = 0
local function forget(uid)
  local id, occ = string.match(uid, '^task(%d+):(%d+)$')
  if id then
    redis.call('HDEL', B .. 'occ', id .. ':' .. occ)
    return
  end
  id = string.match(uid, '^task(%d+)$')
  if not id then return end
  local key = tk(id)
  local f = redis.call('HMGET', key, 's', 'r', 'k', 'oc')
  local s = tonumber(f[1] or '-1')
  if s == -1 or s == 1 or s == 2 or s == 3 then return end
  redis.call('DEL', key)
  if f[2] and redis.call('HGET', B .. 'refs', f[2]) == id then redis.call('HDEL', B .. 'refs', f[2]) end
  if f[3] and f[3] ~= '' and redis.call('HGET', B .. 'keys', f[3]) == id then redis.call('HDEL', B .. 'keys', f[3]) end
  for i = 0, tonumber(f[4] or '0') - 1 do redis.call('HDEL', B .. 'occ', id .. ':' .. i) end
end
for _, name in ipairs({'finished', 'failed', 'retired'}) do
  local idx = B .. name
  local victims = {}
  if maxAge then
    victims = redis.call('ZRANGEBYSCORE', idx, '-inf', '(' .. (now - maxAge), 'LIMIT', 0, limit)
    for _, uid in ipairs(victims) do redis.call('ZREM', idx, uid) end
  end
  local n = #victims
  if maxCount then
    local excess = redis.call('ZCARD', idx) - maxCount
    if excess > limit then excess = limit end
    if excess > 0 then
      local more = redis.call('ZRANGE', idx, 0, excess - 1)
      redis.call('ZREMRANGEBYRANK', idx, 0, excess - 1)
      for _, uid in ipairs(more) do victims[#victims + 1] = uid end
    end
  end
  for _, uid in ipairs(victims) do forget(uid) end
  if name ~= 'retired' then removed = removed + #victims end
end
return removed
`;

/** clear-spool-1: returns the number of instructions removed. */
export const CLEAR_SPOOL = `${LIB}
local n = redis.call('LLEN', B .. 'spool')
redis.call('DEL', B .. 'spool')
return n
`;
