--[[
  Claims the probe of an open circuit that is due (or of a half-open one whose prober's lease
  ran out): the lock that lets one process probe a provider per interval.

  Input:
    KEYS[1]  state (hash)

    ARGV[1]  now (ms)
    ARGV[2]  lease (ms): how long the claim holds before another process may probe

  Output:
    1 when this caller probes (the circuit is now half-open), 0 otherwise
]]
local fields = redis.call('HMGET', KEYS[1], 'status', 'next_probe')
if fields[1] ~= 'open' and fields[1] ~= 'half_open' then return 0 end
local now = tonumber(ARGV[1])
if now < tonumber(fields[2] or '0') then return 0 end
redis.call('HSET', KEYS[1], 'status', 'half_open', 'next_probe', now + tonumber(ARGV[2]))
return 1
