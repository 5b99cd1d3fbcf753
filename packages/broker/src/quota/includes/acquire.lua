-- Reserves one call's capacity on every limit of a provider and its model, all or nothing:
-- the body of acquire-n.lua, shared with start-fast-call-n.lua (which records the job in the
-- same step). Needs the includes "common", "sliding-window" and "fixed-window" before it.
--
--   scaleKey       the provider's scale (string; absent = 1)
--   firstLimitKey  index in KEYS of the first limit's first key
--   firstLimitArg  index in ARGV of the first limit's unit; the limits run to the end of ARGV
--   id, tokens, hold, givenNow   as acquire-n.lua's ARGV[1..4]
--
-- Returns {1} (granted, or already reserved) or {0, retryAfterMs, index} as acquire-n.lua.

local function acquireQuota(scaleKey, firstLimitKey, firstLimitArg, id, tokens, hold, givenNow)
  local now = currentTime(givenNow)
  local limits = readLimits(firstLimitKey, firstLimitArg)
  local scale = tonumber(redis.call('GET', scaleKey)) or 1

  -- Milliseconds until `excess` (> 0) leaves the limit.
  local function timeUntil(limit, excess)
    if limit.fixed then return limit.periodEnd - now end
    return timeUntilFreed(limit, now, excess)
  end

  -- Milliseconds until `amount` more fits, when it does not fit now; -1 when it never will.
  local function timeUntilFits(limit, used, amount, allowed)
    if amount <= allowed then return timeUntil(limit, used + amount - allowed) end
    -- It fits only at full scale: wait for the scale to expire, and for the window.
    local scaleLeft = redis.call('PTTL', scaleKey)
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
end
