--[[
  Releases a reservation whose call never reached the provider: removes it entirely.
  Unknown, expired, settled or already released reservations are left alone.

  Input (variadic: each call passes its number of keys, the limits' keys):
    KEYS[1..]  per limit, in ARGV order: a sliding window's entries (sorted set) and, for
               tokens, their running sum (string); a fixed window's counter (hash)

    ARGV[1]    reservation id
    ARGV[2]    tokens reserved (as passed to acquire)
    ARGV[3]    now (ms), or '' for Redis server time
    ARGV[4..]  per limit: unit ('requests' | 'tokens'), max, window (ms, 'month' or 'starts:...'; see readLimits):
               the same triples as acquire (max is not used here)

  Output:
    the number of limits from which the reservation was removed (0 = nothing to do)
]]
--- @include "common"
--- @include "sliding-window"
--- @include "fixed-window"

local id, reservedTokens = ARGV[1], tonumber(ARGV[2])
local now = currentTime(ARGV[3])
local limits = readLimits(1, 4)

local released = 0
for _, limit in ipairs(limits) do
  if limit.fixed then
    rollPeriod(limit, now)
    local pending = periodPending(limit, id)
    if pending then
      redis.call('HDEL', limit.counter, 'p|' .. id)
      redis.call('HINCRBY', limit.counter, 'used', -pending)
      released = released + 1
    end
  else
    trimWindow(limit, now)
    local reserved = amountOn(limit, reservedTokens)
    if redis.call('ZREM', limit.entries, pendingMember(reserved, id)) == 1 then
      if limit.sum then
        if redis.call('EXISTS', limit.entries) == 0 then
          redis.call('DEL', limit.sum)
        else
          redis.call('DECRBY', limit.sum, reserved)
        end
      end
      released = released + 1
    end
  end
end
return released
