// Lua scripts for the Redis index. Each runs atomically on one node. Every key a script
// touches carries the same hash tag: KEYS[] are declared, and keys built inside the
// script from a `...:{tag}:t:` prefix hash to the same slot, which Redis Cluster allows.
//
// Layout per tag (keys.ts): per session one STRING (the validity entry)
// `sessionId|userId|expiresAt|lastActiveAt|generation|createdAt|device`, overwritten with
// `ended:<reason>` (same TTL) when the session ends; per user a ZSET of token hashes
// scored by creation time; per tag the completeness marker `c` and a HASH `g` of user
// generations (a live value whose generation is below its user's is ended: revoke-all).

/** Shared helpers: the session id at the front of a validity value; whether a value is
 *  an ended marker; keeping the tag's completeness marker alive (never creating it). */
const HELPERS = `
local function sid(v) return string.match(v, '^([^|]*)') end
local function ended(v) return string.sub(v, 1, 6) == 'ended:' end
-- a live value's generation is below its user's: ended by a revoke-all
local function stale(v, gens)
  local u, g = string.match(v, '^[^|]*|([^|]*)|[^|]*|[^|]*|([^|]*)')
  local cur = redis.call('HGET', gens, u)
  return cur ~= false and (tonumber(g) or 0) < tonumber(cur)
end
local function keepComplete(key, exp)
  if redis.call('EXISTS', key) == 0 then return 0 end
  if redis.call('PEXPIRETIME', key) < exp then redis.call('PEXPIREAT', key, exp) end
  return 1
end
`;

/** KEYS: validity, complete, generations.
 *  The per-request check: the validity value if there is one (`ended:revoked` if a
 *  revoke-all ended it), else whether the tag is complete (1) or may have lost sessions
 *  (0). One round trip. */
export const CHECK = `
${HELPERS}
local v = redis.call('GET', KEYS[1])
if v then
  if not ended(v) and stale(v, KEYS[3]) then return 'ended:revoked' end
  return v
end
return redis.call('EXISTS', KEYS[2])
`;

/** KEYS: validity, byCreation, complete, generations, nextGeneration.
 *  ARGV: tokenHash, validityValue, expiresAtMs, createdAtMs, mode, limit, validityPrefix,
 *        userId, generation.
 *  Returns {recorded(0|1), complete(0|1), evictedSessionId...}. */
export const RECORD = `
${HELPERS}
local h, exp, limit = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[6])
-- An ended value means this token was revoked already (e.g. a revoke-all that ran
-- between the row's insert and this call): never (re)index it, whatever the mode.
-- A generation below the user's: a revoke-all ended it after Postgres gave us the row.
local current = redis.call('GET', KEYS[1])
local userGen = tonumber(redis.call('HGET', KEYS[4], ARGV[8]) or '0')
if (current and ended(current)) or tonumber(ARGV[9]) < userGen then return {0, redis.call('EXISTS', KEYS[3])} end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', exp)
redis.call('ZADD', KEYS[2], ARGV[4], h)
if redis.call('PEXPIRETIME', KEYS[2]) < exp then redis.call('PEXPIREAT', KEYS[2], exp) end
-- Postgres is a revoke-all ahead of the index: remember it, so that revoke-all's script
-- keeps this session listed when it lands.
if tonumber(ARGV[9]) > userGen then
  redis.call('SADD', KEYS[5], h)
  redis.call('PEXPIRE', KEYS[5], 300000)
end
local out = {1, keepComplete(KEYS[3], exp)}
if ARGV[5] ~= 'new' or limit <= 0 then return out end
local n = redis.call('ZCARD', KEYS[2])
if n <= limit then return out end
-- members whose session expired or ended are not live sessions: prune, don't count
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local v = redis.call('GET', ARGV[7] .. member)
  if not v or ended(v) or stale(v, KEYS[4]) then
    redis.call('ZREM', KEYS[2], member)
    n = n - 1
  end
end
while n > limit do
  local victim = redis.call('ZPOPMIN', KEYS[2])[1]
  local v = redis.call('GET', ARGV[7] .. victim)
  if v then
    redis.call('SET', ARGV[7] .. victim, 'ended:evicted', 'KEEPTTL')
    out[#out + 1] = sid(v)
  end
  n = n - 1
end
return out
`;

/** KEYS: byCreation.
 *  ARGV: validityPrefix, missingTtlMs, sweep ('all' | ''), keepSessionId, reason, then
 *  token hashes. Ends the listed sessions (by token hash, so it works even if the index
 *  lost them) and, with sweep='all', every other indexed session but keepSessionId: each
 *  validity value becomes `ended:<reason>` with its TTL kept (a hash the index did not
 *  hold gets missingTtlMs), so neither a replay nor a racing restore brings it back.
 *  Works in batches of 500 with variadic MGET / ZREM.
 *  Returns the ids of sessions that were present. */
export const REMOVE = `
${HELPERS}
local targets, seen = {}, {}
for i = 6, #ARGV do
  if not seen[ARGV[i]] then seen[ARGV[i]] = true; targets[#targets + 1] = ARGV[i] end
end
if ARGV[3] == 'all' then
  for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if not seen[h] then seen[h] = true; targets[#targets + 1] = h end
  end
end
local mark = 'ended:' .. ARGV[5]
local out = {}
for i = 1, #targets, 500 do
  local batch, keys = {}, {}
  for j = i, math.min(i + 499, #targets) do
    batch[#batch + 1] = targets[j]
    keys[#keys + 1] = ARGV[1] .. targets[j]
  end
  local values = redis.call('MGET', unpack(keys))
  local dropped = {}
  for j, h in ipairs(batch) do
    local v = values[j]
    local keep = ARGV[3] == 'all' and v and sid(v) == ARGV[4]
    if not keep then
      dropped[#dropped + 1] = h
      if not v then
        redis.call('SET', keys[j], mark, 'PX', ARGV[2])
      elseif not ended(v) then
        redis.call('SET', keys[j], mark, 'KEEPTTL')
        out[#out + 1] = sid(v)
      end
    end
  end
  if #dropped > 0 then redis.call('ZREM', KEYS[1], unpack(dropped)) end
end
return out
`;

/** KEYS: byCreation, complete, generations. ARGV: validityPrefix.
 *  Returns {complete(0|1), validity values of live sessions, oldest first...}; prunes
 *  members whose session expired or ended (a revoke-all leaves them to this). */
export const LIST = `
${HELPERS}
local out = {redis.call('EXISTS', KEYS[2])}
local dead = {}
for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('GET', ARGV[1] .. h)
  if v and not ended(v) and not stale(v, KEYS[3]) then out[#out + 1] = v else dead[#dead + 1] = h end
end
for i = 1, #dead, 500 do redis.call('ZREM', KEYS[1], unpack(dead, i, math.min(i + 499, #dead))) end
return out
`;

/** KEYS: generations, byCreation, the kept session's validity key (any key of the tag if
 *  none), nextGeneration.
 *  ARGV: userId, newGeneration, generationsTtlMs, keepTokenHash ('' = none), validityPrefix.
 *  Revoke-all in O(1): raises the user's generation, so every session below it is ended
 *  (CHECK, LIST and RECORD compare), and moves the kept session (only passed when Postgres
 *  kept its row) to the new generation. The user's ZSET is replaced (UNLINK frees it off
 *  the script) by the kept member plus the sessions recorded in this generation before
 *  this script ran (nextGeneration: sign-ins racing the revoke-all stay listed). The HASH
 *  lives at least generationsTtlMs (the longest session lifetime), so no session it ended
 *  outlives it. Returns {kept(0|1), members dropped from the ZSET}. */
export const END_ALL_BUT = `
${HELPERS}
local g = tonumber(ARGV[2])
local before = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if g > before then redis.call('HSET', KEYS[1], ARGV[1], g) end
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
if redis.call('PEXPIRETIME', KEYS[1]) < until_ then redis.call('PEXPIREAT', KEYS[1], until_) end
local kept = 0
if ARGV[4] ~= '' then
  local v = redis.call('GET', KEYS[3])
  if v and not ended(v) then
    -- Postgres kept this row (under the user's row lock): the index follows, even if a
    -- later revoke-all's script ran first and already left it below (max, not set).
    local head, vg, rest = string.match(v, '^([^|]*|[^|]*|[^|]*|[^|]*|)([^|]*)(.*)$')
    if head then
      redis.call('SET', KEYS[3], head .. math.max(g, tonumber(vg) or 0) .. rest, 'KEEPTTL')
      kept = 1
    end
  end
end
-- A newer revoke-all's script already replaced the list: members recorded since are in
-- the newer generation, keep them all.
if g <= before then return {kept, 0} end
local survivors = {}
if kept == 1 then
  local score = redis.call('ZSCORE', KEYS[2], ARGV[4])
  if score then survivors[#survivors + 1] = {score, ARGV[4]} end
end
for _, h in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local v = redis.call('GET', ARGV[5] .. h)
  local vg = v and not ended(v) and tonumber(string.match(v, '^[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)') or '0')
  if vg and vg >= g and h ~= ARGV[4] then
    local score = redis.call('ZSCORE', KEYS[2], h)
    if score then survivors[#survivors + 1] = {score, h} end
  end
  -- at or below this generation it is an ordinary member now
  if not vg or vg <= g then redis.call('SREM', KEYS[4], h) end
end
local total = redis.call('ZCARD', KEYS[2])
local ttl = redis.call('PEXPIRETIME', KEYS[2])
redis.call('UNLINK', KEYS[2])
for _, s in ipairs(survivors) do redis.call('ZADD', KEYS[2], s[1], s[2]) end
if #survivors > 0 and ttl > 0 then redis.call('PEXPIREAT', KEYS[2], ttl) end
return {kept, total - #survivors}
`;

/** KEYS: validity. ARGV: lastActiveAtMs. Rewrites the 4th field, keeping TTL; never
 *  creates, never touches an ended value (it has no fields). */
export const TOUCH = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local head, rest = string.match(v, '^([^|]*|[^|]*|[^|]*|)[^|]*(|.*)$')
if not head then return 0 end
redis.call('SET', KEYS[1], head .. ARGV[1] .. rest, 'KEEPTTL', 'XX')
return 1
`;

/** KEYS: complete, generations, then per session its validity key and its user's
 *  byCreation key.
 *  ARGV: markerTtlMs ('' = do not write the marker yet), generationsTtlMs, n, then n pairs
 *  userId, generation (Postgres' user rows), then per session validityValue, expiresAtMs,
 *  createdAtMs, tokenHash, userId, generation.
 *  Rebuilds one tag from Postgres: raises the users' generations first (a revoke-all the
 *  index missed ends that user's older entries even if no session of it is left), then
 *  adds what the index lacks, leaves live entries (they may carry a newer last-active) and
 *  ended ones (revoked since the rows were read) alone, then marks the tag complete.
 *  Returns how many sessions were added. */
export const REBUILD = `
local added = 0
local pairs_ = tonumber(ARGV[3])
for p = 0, pairs_ - 1 do
  local u, gen = ARGV[4 + p * 2], tonumber(ARGV[5 + p * 2])
  local before = tonumber(redis.call('HGET', KEYS[2], u) or '0')
  if gen > before then redis.call('HSET', KEYS[2], u, gen) end
end
if pairs_ > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
local base = 4 + pairs_ * 2
for i = 3, #KEYS, 2 do
  local a = (i - 3) * 3 + base
  local exp, gen = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 5])
  -- Postgres' rows are valid in their user's generation: the index takes it.
  local before = tonumber(redis.call('HGET', KEYS[2], ARGV[a + 4]) or '0')
  if gen > before then
    redis.call('HSET', KEYS[2], ARGV[a + 4], gen)
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
  end
  local cur = redis.call('GET', KEYS[i])
  local curGen = cur and tonumber(string.match(cur, '^[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)') or '0')
  if not cur or (string.sub(cur, 1, 6) ~= 'ended:' and curGen and curGen < gen) then
    redis.call('SET', KEYS[i], ARGV[a], 'PXAT', exp)
    added = added + 1
  end
  if not cur or string.sub(cur, 1, 6) ~= 'ended:' then
    redis.call('ZADD', KEYS[i + 1], ARGV[a + 2], ARGV[a + 3])
    if redis.call('PEXPIRETIME', KEYS[i + 1]) < exp then redis.call('PEXPIREAT', KEYS[i + 1], exp) end
  end
end
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return added
`;
