--[[
  Writes a new job record, unless a job with this id exists (idempotent submission).

  Input:
    KEYS[1] job hash
    KEYS[2] attempt list
    ARGV[1] number of hash field/value pairs that follow
    ARGV[2..] the field/value pairs, then the attempts (JSON) to append

  Output: 1 when written, 0 when the job already existed (nothing written)
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local pairCount = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2, 1 + pairCount * 2))
if #ARGV > 1 + pairCount * 2 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 2 + pairCount * 2))
end
return 1
