// Lua scripts for the Redis index. Each runs atomically on one node. Every key a script
// touches carries the same hash tag: KEYS[] are declared, and keys built inside the
// script from a `...:{tag}:t:` prefix hash to the same slot, which Redis Cluster allows.
//
// Layout per user: a ZSET of token hashes scored by creation time, and per session one
// STRING (the validity entry) holding `sessionId|userId|expiresAt|lastActiveAt|createdAt|device`.

/** The session id at the front of a validity value. */
const SID = `local function sid(v) return string.match(v, '^([^|]*)') end`;

/** KEYS: validity, byCreation, tombstone.
 *  ARGV: tokenHash, validityValue, expiresAtMs, createdAtMs, mode, limit, validityPrefix,
 *        tombstonePrefix, tombstoneTtlMs.
 *  Returns {recorded(0|1), evictedSessionId...}. */
export const RECORD = `
${SID}
local h, exp, limit = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[6])
-- A tombstone means this token was revoked already (e.g. a revoke-all that ran between
-- the row's insert and this call): never (re)index it, whatever the mode.
if redis.call('EXISTS', KEYS[3]) == 1 then return {0} end
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
while n > limit do
  local victim = redis.call('ZPOPMIN', KEYS[2])[1]
  local v = redis.call('GET', ARGV[7] .. victim)
  redis.call('DEL', ARGV[7] .. victim)
  redis.call('SET', ARGV[8] .. victim, '1', 'PX', ARGV[9])
  if v then out[#out + 1] = sid(v) end
  n = n - 1
end
return out
`;

/** KEYS: byCreation.
 *  ARGV: validityPrefix, tombstonePrefix, tombstoneTtlMs, sweep ('all' | ''), keepSessionId,
 *        then token hashes.
 *  Removes the listed sessions (by token hash, so it works even if the index lost them)
 *  and, with sweep='all', every other indexed session but keepSessionId. Each removal
 *  leaves a tombstone so a racing restore cannot bring it back.
 *  Returns the ids of sessions that were present. */
export const REMOVE = `
${SID}
local out = {}
local function drop(h)
  local v = redis.call('GET', ARGV[1] .. h)
  redis.call('SET', ARGV[2] .. h, '1', 'PX', ARGV[3])
  redis.call('DEL', ARGV[1] .. h)
  redis.call('ZREM', KEYS[1], h)
  if v then out[#out + 1] = sid(v) end
end
for i = 6, #ARGV do drop(ARGV[i]) end
if ARGV[4] == 'all' then
  for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local v = redis.call('GET', ARGV[1] .. h)
    if not (v and sid(v) == ARGV[5]) then drop(h) end
  end
end
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
