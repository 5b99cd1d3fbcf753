--[[
  How many waiting jobs of a queue a new job of this tenant and class would have ahead of it:
  the tag it would get (as tag-3.lua computes it, without taking it), then every waiting entry
  at that priority or a lower one (more urgent, or an earlier arrival at the same priority).
  Read only: the start estimate runs it before the job is planned.

  Input:
    KEYS[1] fair-share state of the class on this queue (hash: clock, issued, t:<tenant>)
    KEYS[2] the queue's prioritized set (BullMQ: score = priority * 2^32 + arrival counter)
    ARGV[1] tenant
    ARGV[2] 2^32, the score of one priority step
    ARGV[3] the band's first priority
    ARGV[4] the band's last priority
    ARGV[5] the band's first score (exact integer)
    ARGV[6] the band's last score (exact integer)

  Output: the number of waiting entries ahead
]]
local step = tonumber(ARGV[2])
local first, last = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = KEYS[1]
local clock = tonumber(redis.call('HGET', state, 'clock') or '0')

local head = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[5], '(' .. ARGV[6], 'WITHSCORES', 'LIMIT', 0, 1)
if #head > 0 then
  local headTag = math.floor(tonumber(head[2]) / step) - first
  if headTag > clock then
    clock = headTag
  end
elseif redis.call('ZCOUNT', KEYS[2], ARGV[6], '(' .. string.format('%.0f', (last + 1) * step)) == 0 then
  -- Nothing of the class waits: whatever the tags, the job would be the band's only one.
  clock = math.huge
end

local start = tonumber(redis.call('HGET', state, 't:' .. ARGV[1]) or '0')
if clock > start then
  start = clock
end
local priority = math.min(first + math.floor(start), last)
return redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. string.format('%.0f', (priority + 1) * step))
