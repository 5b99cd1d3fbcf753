--[[
  Tightens a provider's limits after it answered 429 although our accounting admitted the
  call: multiplies its scale by a factor, never below 0.5, for a while.

  Input:
    KEYS[1]  scale (string; absent = 1)
    KEYS[2]  why the scale was last lowered (string, expiring with the scale)

    ARGV[1]  factor (0 < factor <= 1)
    ARGV[2]  how long the new scale holds (ms)
    ARGV[3]  the reason, shown by GET /v1/providers

  Output:
    the new scale, as a decimal string
]]
local scale = (tonumber(redis.call('GET', KEYS[1])) or 1) * tonumber(ARGV[1])
scale = math.min(1, math.max(0.5, scale))
local text = string.format('%.17g', scale)
redis.call('SET', KEYS[1], text, 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
return text
