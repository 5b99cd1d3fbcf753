/**
 * Redis keys and Lua scripts of the circuit breakers. One provider's keys share a hash tag,
 * so each script touches one slot. The state hash holds `status` (closed | open | half_open),
 * `reason`, `since`, `failures` (consecutive), `error_rate` (at opening) and `next_probe`
 * (epoch ms: when an open circuit may be probed; while half-open, when the probe's lease ends).
 */
export function healthKeys(prefix: string, providerId: string) {
  const base = `${prefix}:health:{${providerId}}`;
  return { state: base, calls: `${base}:calls`, fails: `${base}:fails` };
}

/**
 * Records one counted call of a closed circuit and opens it when a threshold is crossed.
 * KEYS: state, calls, fails. ARGV: now, failed (0|1), member, failureThreshold, windowMs,
 * minCalls, maxErrorRate, openForMs, label (what failed).
 * Returns { status, opened (0|1), reason, consecutive failures, error rate (string) }.
 */
export const RECORD_CALL = `
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
`;

/**
 * Claims the probe of an open circuit that is due (or of a half-open one whose prober's lease
 * ran out): the lock that lets one process probe a provider per interval.
 * KEYS: state. ARGV: now, leaseMs. Returns 1 when this caller probes.
 */
export const START_PROBE = `
local fields = redis.call('HMGET', KEYS[1], 'status', 'next_probe')
if fields[1] ~= 'open' and fields[1] ~= 'half_open' then return 0 end
local now = tonumber(ARGV[1])
if now < tonumber(fields[2] or '0') then return 0 end
redis.call('HSET', KEYS[1], 'status', 'half_open', 'next_probe', now + tonumber(ARGV[2]))
return 1
`;

/**
 * Ends a probe: success closes the circuit, failure re-opens it until the next probe.
 * KEYS: state. ARGV: now, ok (0|1), reason, probeIntervalMs. Returns 1 when applied.
 */
export const FINISH_PROBE = `
if redis.call('HGET', KEYS[1], 'status') ~= 'half_open' then return 0 end
local now = tonumber(ARGV[1])
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'status', 'closed', 'reason', ARGV[3], 'since', now, 'failures', 0, 'error_rate', '0')
  redis.call('HDEL', KEYS[1], 'next_probe')
else
  redis.call('HSET', KEYS[1], 'status', 'open', 'reason', ARGV[3], 'next_probe', now + tonumber(ARGV[4]))
end
return 1
`;
