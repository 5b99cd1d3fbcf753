--[[
  Records one counted call of a closed circuit and opens the circuit when a threshold is
  crossed: consecutive failures, or the error rate over the window once enough calls counted.
  An open or half-open circuit counts nothing (its probes decide).

  Input:
    KEYS[1]  state (hash: status, reason, since, failures, error_rate, next_probe)
    KEYS[2]  calls counted in the window (sorted set, scored by time)
    KEYS[3]  failed calls counted in the window (sorted set, scored by time)

    ARGV[1]  now (ms)
    ARGV[2]  failed: 1, or 0 for a success
    ARGV[3]  member of this call in both sorted sets (unique)
    ARGV[4]  failure threshold (consecutive failures that open the circuit)
    ARGV[5]  window (ms)
    ARGV[6]  minimum calls in the window before the error rate counts
    ARGV[7]  maximum error rate (0..1)
    ARGV[8]  how long an opened circuit waits before its first probe (ms)
    ARGV[9]  label of what failed, for the reason

  Output:
    {status, opened (0|1), reason (or false), consecutive failures, error rate (string)}
]]
local status = redis.call('HGET', KEYS[1], 'status')
if status and status ~= 'closed' then
  return { status, 0, false, tonumber(redis.call('HGET', KEYS[1], 'failures') or '0'), '0' }
end
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - windowMs)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - windowMs)
redis.call('ZADD', KEYS[2], now, ARGV[3])
local failures = 0
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
else
  redis.call('HSET', KEYS[1], 'failures', 0)
end
redis.call('PEXPIRE', KEYS[2], windowMs)
redis.call('PEXPIRE', KEYS[3], windowMs)
local calls = redis.call('ZCARD', KEYS[2])
local failed = redis.call('ZCARD', KEYS[3])
local rate = failed / calls
local reason = false
if ARGV[2] == '1' and failures >= tonumber(ARGV[4]) then
  reason = failures .. ' consecutive failures, the last: ' .. ARGV[9]
elseif calls >= tonumber(ARGV[6]) and rate > tonumber(ARGV[7]) then
  reason = 'error rate ' .. math.floor(rate * 100 + 0.5) .. '% over ' .. calls .. ' calls in ' ..
    math.floor(windowMs / 1000) .. ' s, the last failure: ' .. ARGV[9]
end
if not reason then
  if not status then redis.call('HSET', KEYS[1], 'status', 'closed') end
  return { 'closed', 0, false, failures, tostring(rate) }
end
redis.call('HSET', KEYS[1], 'status', 'open', 'reason', reason, 'since', now, 'error_rate', tostring(rate),
  'next_probe', now + tonumber(ARGV[8]))
redis.call('DEL', KEYS[2], KEYS[3])
return { 'open', 1, reason, failures, tostring(rate) }
