--[[
  Reserves one call's capacity on every limit of a provider and its model, all or nothing.

  Input (variadic: each call passes its number of keys, 1 + the limits' keys):
    KEYS[1]    scale: the provider's multiplier on every max after an unexpected 429
               (string; absent = 1)
    KEYS[2..]  per limit, in ARGV order: a sliding window's entries (sorted set) and, for
               tokens, their running sum (string); a fixed window's counter (hash)

    ARGV[1]    reservation id (unique per provider call)
    ARGV[2]    tokens to reserve on token limits
    ARGV[3]    hold (ms): a pending entry is scored now + hold
    ARGV[4]    now (ms), or '' for Redis server time
    ARGV[5..]  per limit: unit ('requests' | 'tokens'), max, window (ms, 'month' or 'starts:...'; see readLimits)

  Output:
    {1}                          granted (also when this reservation already exists:
                                 a resent command counts once)
    {0, retryAfterMs, index}     refused, nothing reserved; index (0-based) is the limit
                                 that frees last, retryAfterMs the exact wait until every
                                 limit admits the call, or -1 when it never can (amount > max)
]]
--- @include "common"
--- @include "sliding-window"
--- @include "fixed-window"

local id, tokens, hold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = currentTime(ARGV[4])
local limits = readLimits(2, 5)
local scale = tonumber(redis.call('GET', KEYS[1])) or 1

-- Milliseconds until `excess` (> 0) leaves the limit.
local function timeUntil(limit, excess)
  if limit.fixed then return limit.periodEnd - now end
  return timeUntilFreed(limit, now, excess)
end

-- Milliseconds until `amount` more fits, when it does not fit now; -1 when it never will.
local function timeUntilFits(limit, used, amount, allowed)
  if amount <= allowed then return timeUntil(limit, used + amount - allowed) end
  -- It fits only at full scale: wait for the scale to expire, and for the window.
  local scaleLeft = redis.call('PTTL', KEYS[1])
  if scaleLeft < 0 then return -1 end
  local excess = used + amount - limit.max
  if excess <= 0 then return math.max(1, scaleLeft) end
  return math.max(1, scaleLeft, timeUntil(limit, excess))
end

-- 1. Check every limit (trimming what left its window); add nothing yet.
local refused, longestWait = nil, 0
for index, limit in ipairs(limits) do
  local amount = amountOn(limit, tokens)
  if amount > limit.max then return { 0, -1, index - 1 } end
  local used
  if limit.fixed then
    rollPeriod(limit, now)
    used = periodUsed(limit)
    limit.reserved = periodPending(limit, id) ~= nil
  else
    trimWindow(limit, now)
    used = windowUsed(limit)
    limit.member = pendingMember(amount, id)
    limit.reserved = redis.call('ZSCORE', limit.entries, limit.member) ~= false
  end
  local allowed = scaledMax(limit.max, scale)
  if not limit.reserved and used + amount > allowed then
    local wait = timeUntilFits(limit, used, amount, allowed)
    if wait < 0 then return { 0, -1, index - 1 } end
    if refused == nil or wait > longestWait then refused, longestWait = index, wait end
  end
  limit.amount = amount
end
if refused then return { 0, longestWait, refused - 1 } end

-- 2. Every limit admits the call: reserve it on each.
for _, limit in ipairs(limits) do
  if not limit.reserved then
    if limit.fixed then
      redis.call('HSET', limit.counter, limit.labelField, limit.label,
        'p|' .. id, integer(limit.amount) .. '|' .. integer(now + hold))
      redis.call('HINCRBY', limit.counter, 'used', limit.amount)
      redis.call('PEXPIRE', limit.counter, limit.periodEnd + DAY - now)
    else
      redis.call('ZADD', limit.entries, now + hold, limit.member)
      keepFor(limit.entries, hold + limit.window)
      if limit.sum then
        redis.call('INCRBY', limit.sum, limit.amount)
        keepFor(limit.sum, hold + limit.window)
      end
    end
  end
end
return { 1 }
