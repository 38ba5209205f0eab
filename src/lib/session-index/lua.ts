// Lua scripts for the Redis index. Each runs atomically on one node. Every key a script
// touches carries the same hash tag: KEYS[] are declared, and keys built inside the
// script from a `...:{tag}:t:` prefix hash to the same slot, which Redis Cluster allows.
//
// Layout per user: a ZSET of token hashes scored by creation time, a ZSET of recently
// removed token hashes (tombstones) scored by when they lapse, and per session one STRING
// (the validity entry) `sessionId|userId|expiresAt|lastActiveAt|createdAt|device`.

/** Shared helpers: the session id at the front of a validity value; the server's clock;
 *  tombstoning a batch of hashes (and pruning lapsed ones) in one ZADD. */
const HELPERS = `
local function sid(v) return string.match(v, '^([^|]*)') end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function tombstone(key, hashes, ttl)
  if #hashes == 0 then return end
  local now = nowMs()
  local until_ = now + tonumber(ttl)
  local args = {}
  for i, h in ipairs(hashes) do
    args[2 * i - 1] = until_
    args[2 * i] = h
  end
  for i = 1, #args, 1000 do
    redis.call('ZADD', key, unpack(args, i, math.min(i + 999, #args)))
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('PEXPIRETIME', key) < until_ then redis.call('PEXPIREAT', key, until_) end
end
local function isTombstoned(key, h)
  local lapse = redis.call('ZSCORE', key, h)
  return lapse and tonumber(lapse) > nowMs()
end
`;

/** KEYS: validity, byCreation, tombstones.
 *  ARGV: tokenHash, validityValue, expiresAtMs, createdAtMs, mode, limit, validityPrefix,
 *        tombstoneTtlMs.
 *  Returns {recorded(0|1), evictedSessionId...}. */
export const RECORD = `
${HELPERS}
local h, exp, limit = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[6])
-- A tombstone means this token was revoked already (e.g. a revoke-all that ran between
-- the row's insert and this call): never (re)index it, whatever the mode.
if isTombstoned(KEYS[3], h) then return {0} end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', exp)
redis.call('ZADD', KEYS[2], ARGV[4], h)
if redis.call('PEXPIRETIME', KEYS[2]) < exp then redis.call('PEXPIREAT', KEYS[2], exp) end
local out = {1}
if ARGV[5] ~= 'new' or limit <= 0 then return out end
local n = redis.call('ZCARD', KEYS[2])
if n <= limit then return out end
-- members whose validity key already expired are not live sessions: prune, don't count
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[7] .. member) == 0 then
    redis.call('ZREM', KEYS[2], member)
    n = n - 1
  end
end
local victims = {}
while n > limit do
  local victim = redis.call('ZPOPMIN', KEYS[2])[1]
  local v = redis.call('GET', ARGV[7] .. victim)
  redis.call('DEL', ARGV[7] .. victim)
  victims[#victims + 1] = victim
  if v then out[#out + 1] = sid(v) end
  n = n - 1
end
tombstone(KEYS[3], victims, ARGV[8])
return out
`;

/** KEYS: byCreation, tombstones.
 *  ARGV: validityPrefix, tombstoneTtlMs, sweep ('all' | ''), keepSessionId, then token hashes.
 *  Removes the listed sessions (by token hash, so it works even if the index lost them)
 *  and, with sweep='all', every other indexed session but keepSessionId. Every removal
 *  is tombstoned so a racing restore cannot bring it back. Works in batches of 500 with
 *  variadic MGET / DEL / ZREM / ZADD, so 1,000 sessions cost a handful of calls.
 *  Returns the ids of sessions that were present. */
export const REMOVE = `
${HELPERS}
local targets, seen = {}, {}
for i = 5, #ARGV do
  if not seen[ARGV[i]] then seen[ARGV[i]] = true; targets[#targets + 1] = ARGV[i] end
end
if ARGV[3] == 'all' then
  for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if not seen[h] then seen[h] = true; targets[#targets + 1] = h end
  end
end
local out, dropped = {}, {}
for i = 1, #targets, 500 do
  local batch, keys = {}, {}
  for j = i, math.min(i + 499, #targets) do
    batch[#batch + 1] = targets[j]
    keys[#keys + 1] = ARGV[1] .. targets[j]
  end
  local values = redis.call('MGET', unpack(keys))
  local delKeys, delHashes = {}, {}
  for j, h in ipairs(batch) do
    local v = values[j]
    local keep = ARGV[3] == 'all' and v and sid(v) == ARGV[4]
    if not keep then
      delKeys[#delKeys + 1] = keys[j]
      delHashes[#delHashes + 1] = h
      if v then out[#out + 1] = sid(v) end
    end
  end
  if #delKeys > 0 then
    redis.call('DEL', unpack(delKeys))
    redis.call('ZREM', KEYS[1], unpack(delHashes))
    for _, h in ipairs(delHashes) do dropped[#dropped + 1] = h end
  end
end
tombstone(KEYS[2], dropped, ARGV[2])
return out
`;

/** KEYS: byCreation. ARGV: validityPrefix.
 *  Returns the validity values of live sessions, oldest first; prunes dead members. */
export const LIST = `
local out = {}
for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('GET', ARGV[1] .. h)
  if v then out[#out + 1] = v else redis.call('ZREM', KEYS[1], h) end
end
return out
`;

/** KEYS: validity. ARGV: lastActiveAtMs. Rewrites the 4th field, keeping TTL; never creates. */
export const TOUCH = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local head, rest = string.match(v, '^([^|]*|[^|]*|[^|]*|)[^|]*(|.*)$')
if not head then return 0 end
redis.call('SET', KEYS[1], head .. ARGV[1] .. rest, 'KEEPTTL', 'XX')
return 1
`;
