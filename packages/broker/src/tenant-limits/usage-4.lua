--[[
  What a tenant holds now, after forgetting what has expired.

  Input:
    KEYS[1] active jobs (sorted set: job id -> safety expiry, ms)
    KEYS[2] stored items (hash: item id -> bytes)
    KEYS[3] stored items' expiry (sorted set: item id -> expiry, ms)
    KEYS[4] stored bytes in total (string)
    ARGV[1] now (ms)
    ARGV[2] how long a finished job's record is kept (ms), as admit-4.lua's ARGV[9]

  Output: {queued jobs, stored bytes}
]]
--- @include "prune"
prune(tonumber(ARGV[1]), tonumber(ARGV[2]))
return {redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[4]) or '0')}
