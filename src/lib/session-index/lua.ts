// Lua scripts for the Redis index. Each runs atomically on one node. Every key a script
// touches carries the same hash tag: KEYS[] are declared, and keys built inside the
// script from a `...:{tag}:t:` prefix hash to the same slot, which Redis Cluster allows.

/** KEYS: validity, byCreation, devices, tombstone.
 *  ARGV: sessionId, validityValue, expiresAtMs, createdAtMs, deviceJson, mode, limit, validityPrefix,
 *        tombstonePrefix, tombstoneTtlMs.
 *  Returns {recorded(0|1), evictedId...}. */
export const RECORD = `
local sid, exp, created, limit = ARGV[1], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[7])
-- A tombstone means this token was revoked already (e.g. a revoke-all that ran between
-- the row's insert and this call): never (re)index it, whatever the mode.
if redis.call('EXISTS', KEYS[4]) == 1 then return {0} end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', exp)
redis.call('HSET', KEYS[3], sid, ARGV[5])
redis.call('ZADD', KEYS[2], created, sid)
for i = 2, 3 do
  if redis.call('PEXPIRETIME', KEYS[i]) < exp then redis.call('PEXPIREAT', KEYS[i], exp) end
end
local out = {1}
if ARGV[6] ~= 'new' or limit <= 0 then return out end
local n = redis.call('ZCARD', KEYS[2])
if n <= limit then return out end
-- entries whose validity key already expired are not live sessions: prune, don't count
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local meta = redis.call('HGET', KEYS[3], member)
  local ok = meta and redis.call('EXISTS', ARGV[8] .. cjson.decode(meta).h) == 1
  if not ok then
    redis.call('ZREM', KEYS[2], member)
    redis.call('HDEL', KEYS[3], member)
    n = n - 1
  end
end
while n > limit do
  local victim = redis.call('ZPOPMIN', KEYS[2])[1]
  local meta = redis.call('HGET', KEYS[3], victim)
  if meta then
    local h = cjson.decode(meta).h
    redis.call('DEL', ARGV[8] .. h)
    redis.call('SET', ARGV[9] .. h, '1', 'PX', ARGV[10])
  end
  redis.call('HDEL', KEYS[3], victim)
  out[#out + 1] = victim
  n = n - 1
end
return out
`;

/** KEYS: byCreation, devices.
 *  ARGV: validityPrefix, tombstonePrefix, tombstoneTtlMs, sweep ('all' | ''), keepSessionId,
 *        then pairs sessionId, tokenHash.
 *  Removes the listed sessions (by token hash, so it works even if the index lost their
 *  metadata) and, with sweep='all', every other indexed session but keepSessionId.
 *  Each removal leaves a tombstone so a racing restore cannot bring it back.
 *  Returns the ids of sessions that were present. */
export const REMOVE = `
local out, seen = {}, {}
local function drop(sid, h)
  if seen[sid] then return end
  seen[sid] = true
  local present = 0
  if h then
    redis.call('SET', ARGV[2] .. h, '1', 'PX', ARGV[3])
    present = redis.call('DEL', ARGV[1] .. h)
  end
  present = present + redis.call('ZREM', KEYS[1], sid) + redis.call('HDEL', KEYS[2], sid)
  if present > 0 then out[#out + 1] = sid end
end
local function hashOf(sid)
  local meta = redis.call('HGET', KEYS[2], sid)
  return meta and cjson.decode(meta).h
end
for i = 6, #ARGV, 2 do drop(ARGV[i], ARGV[i + 1]) end
if ARGV[4] == 'all' then
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if sid ~= ARGV[5] then drop(sid, hashOf(sid)) end
  end
end
return out
`;

/** KEYS: byCreation, devices. ARGV: validityPrefix.
 *  Returns flat {deviceJson, validityValue, ...} for live sessions; prunes dead entries. */
export const LIST = `
local out = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local meta = redis.call('HGET', KEYS[2], sid)
  local v = meta and redis.call('GET', ARGV[1] .. cjson.decode(meta).h)
  if v then
    out[#out + 1] = meta
    out[#out + 1] = v
  else
    redis.call('ZREM', KEYS[1], sid)
    redis.call('HDEL', KEYS[2], sid)
  end
end
return out
`;
