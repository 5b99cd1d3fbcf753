--[[
  Admits one item a tenant wants to hold: a job (counted among its queued jobs, and its payload
  among its stored bytes) or a file (stored bytes only). Both limits are checked and taken in
  one step, so two API processes cannot both take the last unit. Admitting an item that is
  already held is a no-op that succeeds (resubmissions are not counted twice).

  Input:
    KEYS[1] active jobs (sorted set: job id -> safety expiry, ms)
    KEYS[2] stored items (hash: item id -> bytes)
    KEYS[3] stored items' expiry (sorted set: item id -> expiry, ms; an active job has none:
            its bytes live as long as it is active, and then `ARGV[9]` longer at most)
    KEYS[4] stored bytes in total (string)
    ARGV[1] now (ms)
    ARGV[2] queued jobs limit
    ARGV[3] storage limit (bytes)
    ARGV[4] item id
    ARGV[5] item bytes
    ARGV[6] item expiry (ms), when it is not a job
    ARGV[7] '1' when the item is a job, '0' otherwise
    ARGV[8] the job's safety expiry in the active set (ms), when it is a job
    ARGV[9] how long a finished job's record is kept (ms): a job's bytes expire that long
            after it leaves the active set

  Output:
    {1, newJob, newBytes}           admitted; 1 for what this call added (0: already held),
                                    so a caller can take back exactly what it added
    {0, 'queue_full', used}         refused: `used` queued jobs
    {0, 'storage_exhausted', used}  refused: `used` bytes stored
]]
--- @include "prune"
local now = tonumber(ARGV[1])
prune(now, tonumber(ARGV[9]))
local item = ARGV[4]
local isJob = ARGV[7] == '1'
local newJob = isJob and not redis.call('ZSCORE', KEYS[1], item)
local newBytes = redis.call('HEXISTS', KEYS[2], item) == 0
if newJob then
  local queued = redis.call('ZCARD', KEYS[1])
  if queued + 1 > tonumber(ARGV[2]) then
    return {0, 'queue_full', queued}
  end
end
local bytes = tonumber(ARGV[5])
if newBytes then
  local used = tonumber(redis.call('GET', KEYS[4]) or '0')
  if used + bytes > tonumber(ARGV[3]) then
    return {0, 'storage_exhausted', used}
  end
  redis.call('HSET', KEYS[2], item, bytes)
  -- A job's expiry is its place in the active set until it finishes (one entry, not two).
  if not isJob then
    redis.call('ZADD', KEYS[3], ARGV[6], item)
  end
  redis.call('INCRBY', KEYS[4], bytes)
end
if newJob then
  redis.call('ZADD', KEYS[1], ARGV[8], item)
end
return {1, newJob and 1 or 0, newBytes and 1 or 0}
