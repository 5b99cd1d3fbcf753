-- Forgets what has expired: active jobs past their safety expiry (KEYS[1]), stored items past
-- their expiry (KEYS[3], their bytes in KEYS[2], the total in KEYS[4]). Bounded per call.
-- An active job's bytes have no entry in KEYS[3]: they expire `retentionMs` after its safety
-- expiry, so a job that leaves the active jobs here gets that entry now. (Both steps take 1,000
-- at most; more left over, after a mass crash, go on the next calls.)
local function prune(now, retentionMs)
  local ended = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'WITHSCORES', 'LIMIT', 0, 1000)
  for index = 1, #ended, 2 do
    local item = ended[index]
    redis.call('ZREM', KEYS[1], item)
    if redis.call('HEXISTS', KEYS[2], item) == 1 then
      redis.call('ZADD', KEYS[3], tonumber(ended[index + 1]) + retentionMs, item)
    end
  end
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. now, 'LIMIT', 0, 1000)
  for _, item in ipairs(expired) do
    local bytes = tonumber(redis.call('HGET', KEYS[2], item) or '0')
    redis.call('HDEL', KEYS[2], item)
    redis.call('ZREM', KEYS[3], item)
    if bytes > 0 then redis.call('DECRBY', KEYS[4], bytes) end
  end
end
