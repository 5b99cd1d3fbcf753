--[[
  Ends a probe: success closes the circuit, failure re-opens it until the next probe.

  Input:
    KEYS[1]  state (hash)

    ARGV[1]  now (ms)
    ARGV[2]  ok: 1 when the probe reached a working provider, else 0
    ARGV[3]  reason (what the probe found)
    ARGV[4]  probe interval (ms): when a failed probe is tried again

  Output:
    1 when applied, 0 when the circuit was not half-open (nothing changed)
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'half_open' then return 0 end
local now = tonumber(ARGV[1])
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'status', 'closed', 'reason', ARGV[3], 'since', now, 'failures', 0, 'error_rate', '0')
  redis.call('HDEL', KEYS[1], 'next_probe')
else
  redis.call('HSET', KEYS[1], 'status', 'open', 'reason', ARGV[3], 'next_probe', now + tonumber(ARGV[4]))
end
return 1
