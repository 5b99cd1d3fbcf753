--[[
  Start-time fair queuing on one provider queue, for one priority class (docs/security.md). A
  job is added parked at its band's last priority; this script then gives it its tag and moves
  it to priority band first + tag, so the queue serves the lowest tag first: tenants with
  waiting jobs take turns, each in proportion to its weight, and BullMQ's own ordering keeps
  that exact for any number of workers.

  The clock is the lowest tag waiting in the band (never going back). A tenant's job starts at
  max(clock, the tenant's finish tag), and the finish tag moves on by 1 / weight. A tenant that
  was idle starts at the clock, with no credit banked; one with 500 jobs waiting has tags up to
  500 ahead, and another tenant's jobs slot in between them.

  When nothing else of the class waits (this job is alone in its band), every job tagged so far
  has been served: the clock moves up to the highest finish tag, so every tenant starts level;
  and once that is past ARGV[9], the state starts over from 0, so tags stay inside the band
  (BullMQ's priorities end at 2^21 - 1). A tag past the band's end stays parked at the end.
  Parked jobs (being tagged, or past the end) never set the clock and keep the band not idle,
  so jobs added at once by many processes cannot push the clock forward.

  Input:
    KEYS[1] fair-share state of the class on this queue (hash: clock, issued, t:<tenant>)
    KEYS[2] the queue's prioritized set (BullMQ: score = priority * 2^32 + arrival counter)
    KEYS[3] the job's BullMQ hash
    ARGV[1] job id (its member in KEYS[2])
    ARGV[2] tenant
    ARGV[3] tag cost of one job (1 / the tenant's weight)
    ARGV[4] 2^32, the score of one priority step
    ARGV[5] the band's first priority
    ARGV[6] the band's last priority, where jobs are parked
    ARGV[7] the band's first score (exact integer)
    ARGV[8] the band's last score (exact integer)
    ARGV[9] start the tags over from 0 when the band is idle and the clock is past this

  Output: the job's new priority; false when it is not parked (gone, tagged already or
  promoted), which makes a second call for one job a no-op.
]]
local jobId, tenant = ARGV[1], ARGV[2]
local step = tonumber(ARGV[4])
local first, last = tonumber(ARGV[5]), tonumber(ARGV[6])
if tonumber(redis.call('HGET', KEYS[3], 'priority')) ~= last then
  return false
end

local state = KEYS[1]
local clock = tonumber(redis.call('HGET', state, 'clock') or '0')
local issued = tonumber(redis.call('HGET', state, 'issued') or '0')

local head = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[7], '(' .. ARGV[8], 'WITHSCORES', 'LIMIT', 0, 1)
if #head > 0 then
  local headTag = math.floor(tonumber(head[2]) / step) - first
  if headTag > clock then
    clock = headTag
  end
elseif redis.call('ZCOUNT', KEYS[2], ARGV[8], '(' .. string.format('%.0f', (last + 1) * step)) <= 1 then
  if issued > clock then
    clock = issued
  end
  if clock > tonumber(ARGV[9]) then
    redis.call('DEL', state)
    clock = 0
    issued = 0
  end
end

local field = 't:' .. tenant
local start = tonumber(redis.call('HGET', state, field) or '0')
if clock > start then
  start = clock
end
local finish = start + tonumber(ARGV[3])
if finish > issued then
  issued = finish
end
redis.call('HSET', state, 'clock', clock, 'issued', issued, field, finish)

local priority = first + math.floor(start)
if priority >= last then
  return last
end
local score = redis.call('ZSCORE', KEYS[2], jobId)
if score then
  -- BullMQ's changePriority, within the prioritized set: the arrival counter is kept.
  local counter = tonumber(score) % step
  redis.call('ZADD', KEYS[2], 'XX', string.format('%.0f', priority * step + counter), jobId)
end
redis.call('HSET', KEYS[3], 'priority', priority)
return priority
