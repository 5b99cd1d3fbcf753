--[[
  Releases an item the tenant no longer holds (a deleted or refused file, a job whose record
  was never written): its bytes, and its place among the queued jobs if it is a job.

  Input:
    KEYS[1] active jobs (sorted set: job id -> safety expiry, ms)
    KEYS[2] stored items (hash: item id -> bytes)
    KEYS[3] stored items' expiry (sorted set: item id -> expiry, ms)
    KEYS[4] stored bytes in total (string)
    ARGV[1] item id

  Output: the bytes released
]]
local item = ARGV[1]
redis.call('ZREM', KEYS[1], item)
local bytes = tonumber(redis.call('HGET', KEYS[2], item) or '0')
redis.call('HDEL', KEYS[2], item)
redis.call('ZREM', KEYS[3], item)
if bytes > 0 then redis.call('DECRBY', KEYS[4], bytes) end
return bytes
