--[[
  Records a refusal (429) of a provider and backs it off for every process: 1 s, 2 s, 4 s ...
  up to a cap. Refusals of calls made while the provider was backed off already (a burst of
  calls in flight refused together) do not lengthen the backoff: one round, one step.

  Input:
    KEYS[1]  the provider's backoff (hash: refusals, until, since)

    ARGV[1]  base (ms): the first backoff
    ARGV[2]  cap (ms): the longest backoff

  Output:
    { refusals, until (epoch ms), since (epoch ms: the first refusal of the streak) }
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local base = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'refusals', 'until', 'since')
local refusals = tonumber(state[1] or '0')
local untilMs = tonumber(state[2] or '0')
local since = tonumber(state[3] or tostring(now))
if refusals == 0 or now >= untilMs then
  refusals = refusals + 1
  untilMs = now + math.min(cap, base * 2 ^ (refusals - 1))
  redis.call('HSET', KEYS[1], 'refusals', refusals, 'until', untilMs, 'since', since)
end
-- A provider that stops being called (every route plans it last) forgets its streak a cap
-- after its backoff ends; its first success forgets it at once.
redis.call('PEXPIRE', KEYS[1], untilMs - now + cap)
return { refusals, untilMs, since }
