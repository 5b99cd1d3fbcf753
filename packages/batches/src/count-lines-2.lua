--[[
  Counts lines of a batch as completed or failed, each line once however often its job's
  terminal event is delivered: a bitmap holds one bit per line index.

  Input:
    KEYS[1]    batch hash (fields `completed` and `failed` are the counters)
    KEYS[2]    bitmap of counted line indexes

    ARGV[1]    counter to increment: 'completed' or 'failed'
    ARGV[2..]  line indexes (0-based)

  Output:
    the number of lines newly counted (0 when all were counted before, or the batch is gone)
]]
local rcall = redis.call
if rcall('EXISTS', KEYS[1]) == 0 then
  return 0
end

local added = 0
for i = 2, #ARGV do
  if rcall('SETBIT', KEYS[2], ARGV[i], 1) == 0 then
    added = added + 1
  end
end
if added > 0 then
  rcall('HINCRBY', KEYS[1], ARGV[1], added)
end

-- The bitmap lives as long as the batch record.
local ttl = rcall('PTTL', KEYS[1])
if ttl > 0 then
  rcall('PEXPIRE', KEYS[2], ttl)
end
return added
