--[[
  Takes one request from a tenant's token bucket: `rate` tokens a second, holding at most
  `rate` (so a burst of one second's worth at most). One hash per tenant; Redis's clock, so
  every API process agrees.

  Input:
    KEYS[1] the tenant's bucket (hash: tokens, at (ms))
    ARGV[1] rate: requests per second

  Output:
    {1}                 taken
    {0, retryAfterMs}   refused; a token is back in this many ms
]]
local rate = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or rate
local at = tonumber(state[2]) or now
tokens = math.min(rate, tokens + math.max(0, now - at) * rate / 1000)
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', KEYS[1], 2000)
  return {0, math.ceil((1 - tokens) * 1000 / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
-- A full bucket is the same as no key: let idle tenants' keys go.
redis.call('PEXPIRE', KEYS[1], 2000)
return {1}
