--[[
  Settles a reservation when the provider answered: re-times it to the answer's arrival
  and replaces the reserved tokens by the tokens used. Unknown, expired, released or
  already settled reservations are left alone, so a retried settle counts once.

  Input (variadic: each call passes its number of keys, the limits' keys):
    KEYS[1..]  per limit, in ARGV order: a sliding window's entries (sorted set) and, for
               tokens, their running sum (string); a fixed window's counter (hash)

    ARGV[1]    reservation id
    ARGV[2]    tokens reserved (as passed to acquire)
    ARGV[3]    tokens used (as the provider reported them)
    ARGV[4]    now (ms), or '' for Redis server time
    ARGV[5..]  per limit: unit ('requests' | 'tokens'), max, window (ms, 'month' or 'starts:...'; see readLimits):
               the same triples as acquire (max is not used here)

  Output:
    the number of limits on which the reservation was found pending (0 = nothing to do)
]]
--- @include "common"
--- @include "sliding-window"
--- @include "fixed-window"

local id, reservedTokens, usedTokens = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now, answeredAt = currentTime(ARGV[4])
local limits = readLimits(1, 5)

local settled = 0
for _, limit in ipairs(limits) do
  local reserved, used = amountOn(limit, reservedTokens), amountOn(limit, usedTokens)
  if limit.fixed then
    rollPeriod(limit, now)
    local pending = periodPending(limit, id)
    if pending then
      redis.call('HDEL', limit.counter, 'p|' .. id)
      if used ~= pending then redis.call('HINCRBY', limit.counter, 'used', used - pending) end
      settled = settled + 1
    end
  else
    trimWindow(limit, now)
    if redis.call('ZREM', limit.entries, pendingMember(reserved, id)) == 1 then
      redis.call('ZADD', limit.entries, answeredAt, settledMember(used, id))
      keepFor(limit.entries, answeredAt - now + limit.window)
      if limit.sum and used ~= reserved then
        redis.call('INCRBY', limit.sum, used - reserved)
        keepFor(limit.sum, answeredAt - now + limit.window)
      end
      settled = settled + 1
    end
  end
end
return settled
