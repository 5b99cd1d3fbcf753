-- Forgets what has expired: active jobs past their safety expiry (KEYS[1]), stored items past
-- their expiry (KEYS[3], their bytes in KEYS[2], the total in KEYS[4]). Bounded per call.
local function prune(now)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. now, 'LIMIT', 0, 1000)
  for _, item in ipairs(expired) do
    local bytes = tonumber(redis.call('HGET', KEYS[2], item) or '0')
    redis.call('HDEL', KEYS[2], item)
    redis.call('ZREM', KEYS[3], item)
    if bytes > 0 then redis.call('DECRBY', KEYS[4], bytes) end
  end
end
