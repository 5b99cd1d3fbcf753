-- A sliding window: an entry counts while its score > now - window.
--
-- Entries live in a sorted set, one member per reservation: '<state>|<amount>|<id>'.
--   p  pending: the call is running; scored now + hold, so it is never trimmed in flight
--      and ages out by itself if its worker dies
--   s  settled: scored when the answer arrived
-- A token window also keeps the running sum of its amounts in a string key, so that
-- checking it costs O(1) and trimming costs O(log n) per entry, once.

local function pendingMember(amount, id)
  return 'p|' .. integer(amount) .. '|' .. id
end

local function settledMember(amount, id)
  return 's|' .. integer(amount) .. '|' .. id
end

local function memberAmount(member)
  return tonumber(string.match(member, '^%a|(%d+)|'))
end

-- Removes the entries that left the window (score <= now - window), subtracting their amounts.
local function trimWindow(limit, now)
  local boundary = now - limit.window
  if not limit.sum then
    redis.call('ZREMRANGEBYSCORE', limit.entries, '-inf', boundary)
    return
  end
  local expired = redis.call('ZRANGEBYSCORE', limit.entries, '-inf', boundary)
  if #expired == 0 then return end
  local freed = 0
  for i = 1, #expired do
    freed = freed + memberAmount(expired[i])
  end
  redis.call('ZREMRANGEBYSCORE', limit.entries, '-inf', boundary)
  if redis.call('EXISTS', limit.entries) == 0 then
    redis.call('DEL', limit.sum) -- an empty window restarts the sum from zero
  else
    redis.call('DECRBY', limit.sum, freed)
  end
end

-- Requests or tokens in the window (pending entries included). Call after trimWindow.
local function windowUsed(limit)
  if limit.sum then return tonumber(redis.call('GET', limit.sum)) or 0 end
  return redis.call('ZCARD', limit.entries)
end

-- When an entry leaves the window; a pending one is assumed to settle now.
local function leavesAt(limit, score, now)
  return math.min(score, now) + limit.window
end

-- Milliseconds until the oldest entries have freed `excess` (> 0): walks them in score
-- order, as far as needed. Always > 0, since every entry left has score > now - window.
local function timeUntilFreed(limit, now, excess)
  if not limit.sum then
    -- One request per entry: the excess-th oldest entry is the one to wait for.
    local entry = redis.call('ZRANGE', limit.entries, excess - 1, excess - 1, 'WITHSCORES')
    if entry[2] then return leavesAt(limit, tonumber(entry[2]), now) - now end
    return limit.window
  end
  local freed, start = 0, 0
  while true do
    local entries = redis.call('ZRANGE', limit.entries, start, start + 63, 'WITHSCORES')
    if #entries == 0 then return limit.window end -- the sum drifted: everything leaves by then
    for i = 1, #entries, 2 do
      freed = freed + memberAmount(entries[i])
      if freed >= excess then return leavesAt(limit, tonumber(entries[i + 1]), now) - now end
    end
    start = start + 64
  end
end

-- Milliseconds until the oldest entry leaves, 0 when the window is empty.
local function windowResetIn(limit, now)
  local oldest = redis.call('ZRANGE', limit.entries, 0, 0, 'WITHSCORES')
  if oldest[2] then return leavesAt(limit, tonumber(oldest[2]), now) - now end
  return 0
end
