--[[
  Reports what every limit of a provider has used (trimming what left its window).

  Input (variadic: each call passes its number of keys, 1 + the limits' keys):
    KEYS[1]    scale: the provider's multiplier on every max (string; absent = 1)
    KEYS[2..]  per limit, in ARGV order: a sliding window's entries (sorted set) and, for
               tokens, their running sum (string); a fixed window's counter (hash)

    ARGV[1]    now (ms), or '' for Redis server time
    ARGV[2..]  per limit: unit ('requests' | 'tokens'), max, window (ms, 'month' or 'starts:...'; see readLimits)

  Output:
    {scale, used1, resetMs1, used2, resetMs2, ...}: scale as a decimal string; used counts
    pending reservations; resetMs is the time until the oldest entry leaves (a fixed window:
    the next period), 0 when nothing is counted
]]
--- @include "common"
--- @include "sliding-window"
--- @include "fixed-window"

local now = currentTime(ARGV[1])
local limits = readLimits(2, 2)
local result = { redis.call('GET', KEYS[1]) or '1' }
for _, limit in ipairs(limits) do
  local used, resetMs
  if limit.fixed then
    rollPeriod(limit, now)
    used = periodUsed(limit)
    resetMs = used > 0 and limit.periodEnd - now or 0
  else
    trimWindow(limit, now)
    used = windowUsed(limit)
    resetMs = windowResetIn(limit, now)
  end
  result[#result + 1] = used
  result[#result + 1] = resetMs
end
return result
