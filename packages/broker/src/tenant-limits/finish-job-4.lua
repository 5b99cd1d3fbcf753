--[[
  A job of the tenant became terminal: it leaves the queued jobs, its result's bytes join its
  stored bytes, and its stored bytes are now kept until the job's record expires. Runs at
  least once per terminal job; only the call that removes the job from the active set
  counts its result, so running it again changes nothing.

  Input:
    KEYS[1] active jobs (sorted set: job id -> safety expiry, ms)
    KEYS[2] stored items (hash: item id -> bytes)
    KEYS[3] stored items' expiry (sorted set: item id -> expiry, ms)
    KEYS[4] stored bytes in total (string)
    ARGV[1] job id
    ARGV[2] the result's bytes
    ARGV[3] when the job's record expires (ms)

  Output: 1 when this call finished the job, 0 when it was finished (or never admitted)
]]
local item = ARGV[1]
if redis.call('ZREM', KEYS[1], item) == 0 then
  return 0
end
local extra = tonumber(ARGV[2])
if extra > 0 and redis.call('HEXISTS', KEYS[2], item) == 1 then
  redis.call('HINCRBY', KEYS[2], item, extra)
  redis.call('INCRBY', KEYS[4], extra)
end
-- Its bytes, if still held, had no expiry of their own while it was active (admit-4.lua).
if redis.call('HEXISTS', KEYS[2], item) == 1 then
  redis.call('ZADD', KEYS[3], ARGV[3], item)
end
return 1
