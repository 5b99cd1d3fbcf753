--[[
  Opens one of a tenant's streaming responses, if fewer than the limit are open. Each open
  stream is a member with a lease; one whose process died without closing it stops counting
  when its lease ends.

  Input:
    KEYS[1] open streams (sorted set: stream id -> lease end, ms)
    ARGV[1] now (ms)
    ARGV[2] limit
    ARGV[3] stream id
    ARGV[4] lease end (ms)

  Output: {1, open} opened; {0, open} refused
]]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[2]) then
  return {0, open}
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
return {1, open + 1}
